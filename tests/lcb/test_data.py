"""Test sets and completion files in the reference repository's CSV layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.lcb.data import load_prompts, read_completions
from globeval.tasks.global_mmlu import bundled_dir


def test_the_real_test_sets_have_the_published_sizes(shared_data: Path) -> None:
    prompts = load_prompts(shared_data / "lcb" / "test_sets")
    mono = [p for p in prompts if p.task == "monolingual"]
    cross = [p for p in prompts if p.task == "crosslingual"]
    assert (len(mono), len(cross)) == (2400, 4186)
    assert {p.source for p in mono} == {
        "aya_human_annotated", "dolly_human_edited", "native_prompts", "okapi",
    }  # fmt: skip
    assert {p.location for p in cross} == {"Start", "Middle", "End"}
    assert len({p.language for p in cross}) == 14


def test_filters_by_task_source_and_language(shared_data: Path) -> None:
    root = shared_data / "lcb" / "test_sets"
    okapi_ja = load_prompts(root, ["crosslingual"], ["okapi"], ["ja"])
    assert len(okapi_ja) == 100 and {(p.folder, p.language) for p in okapi_ja} == {("okapi", "ja")}
    # a source by its folder name or by its value in the files
    assert load_prompts(root, ["monolingual"], ["aya"], ["zh"]) == load_prompts(
        root, ["monolingual"], ["aya_human_annotated"], ["zh"]
    )
    with pytest.raises(DataError, match="unknown source"):
        load_prompts(root, sources=["wiki"])
    with pytest.raises(DataError, match="unknown task"):
        load_prompts(root, tasks=["bilingual"])


def test_the_bundled_sample_uses_the_real_schemas() -> None:
    prompts = load_prompts(bundled_dir("lcb"))
    assert len(prompts) == 30
    cross = [p for p in prompts if p.task == "crosslingual"]
    assert all(p.phrasing and p.location for p in cross)
    assert {p.language for p in prompts} >= {"ar", "en", "fr", "ja", "zh", "hi", "ko", "ru"}


def test_bad_test_set_rows_name_file_row_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "monolingual" / "okapi"
    folder.mkdir(parents=True)
    (folder / "fr.csv").write_text("prompt,source,language\nBonjour ?,okapi,fr\nSalut ?,okapi,de\n")
    with pytest.raises(DataError, match=r"fr.csv: row 3, field 'language': 'de' in a file named"):
        load_prompts(tmp_path)
    (folder / "fr.csv").write_text("question,language\nx,fr\n")
    with pytest.raises(DataError, match=r"fr.csv: missing column 'prompt'"):
        load_prompts(tmp_path)


def test_completions_are_read_with_universal_newlines_as_the_reference_reads_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out.csv"
    path.write_bytes(
        b"id,model,completion,task,source,language\r\n"
        b'0,m,"first line\r\nsecond\rthird",monolingual,okapi,fr\r\n'
        b"1,m,,crosslingual,okapi,ja\r\n"
    )
    rows = read_completions(path)
    assert rows[0].completion == "first line\nsecond\nthird"
    assert rows[1].completion == "" and rows[1].row == 3


def test_bad_completion_files_name_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("id,model,completion,task,language\n0,m,x,monolingual,fr\n")
    with pytest.raises(DataError, match=r"out.csv: missing column.s. source"):
        read_completions(path)
    path.write_text("id,model,completion,task,source,language\n0,m,x,monolingual,okapi,\n")
    with pytest.raises(DataError, match=r"out.csv: row 2, field 'language': empty"):
        read_completions(path)
    with pytest.raises(DataError, match="no such file"):
        read_completions(tmp_path / "missing.csv")
