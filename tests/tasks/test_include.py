from __future__ import annotations

import json
from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.requests import LoglikelihoodRequest
from globeval.tasks.base import RunOptions, Sample
from globeval.tasks.include import Include

ITEMS = [
    {"question": f"Question {i}?", "answer": i % 4, "domain": "STEM" if i < 4 else "Driving License",
     "subject": "Math", "regional_feature": "academic", "level": "High school", "country": "Japan"}
    for i in range(8)
]  # fmt: skip


def write(tmp_path: Path, schema: str, fmt: str = "jsonl", rows: list[dict] | None = None) -> Path:  # type: ignore[type-arg]
    out = []
    for item in rows or ITEMS:
        row = dict(item)
        options = [f"opt{row['question'][-2]}{c}" for c in "abcd"]
        if schema == "options":
            row.update({f"option_{c}": o for c, o in zip("abcd", options, strict=True)})
        elif schema == "choices":
            row["choices"] = options
        else:  # the list stored as a string, as CSV exports have it
            row["choices"] = repr(options)
        out.append(row)
    folder = tmp_path / "Japanese"
    folder.mkdir(parents=True)
    if fmt == "jsonl":
        (folder / "test.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out)
        )
    else:
        import csv

        with (folder / "test.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(out[0]))
            writer.writeheader()
            writer.writerows(out)
    return tmp_path


def load(data: Path, **kwargs: object) -> tuple[Include, list[Sample]]:
    task = Include(RunOptions(data_dir=data, languages=["ja"], **kwargs))  # type: ignore[arg-type]
    return task, task.load()[0]


@pytest.mark.parametrize(
    ("schema", "fmt"), [("options", "jsonl"), ("choices", "jsonl"), ("string", "csv")]
)
def test_both_schemas_and_string_encoded_lists_load_the_same(
    tmp_path: Path, schema: str, fmt: str
) -> None:
    _, samples = load(write(tmp_path, schema, fmt))
    assert samples[0].payload[0].choices == ("opt0a", "opt0b", "opt0c", "opt0d")
    assert [s.payload[0].answer for s in samples] == [0, 1, 2, 3, 0, 1, 2, 3]
    assert {s.language for s in samples} == {"ja"} and {s.config for s in samples} == {"Japanese"}
    assert samples[0].groups == {
        "domain": "STEM",
        "regional_feature": "academic",
        "level": "High school",
    }


def test_zero_shot_prompt_has_lm_evals_description_and_stray_space(tmp_path: Path) -> None:
    task, samples = load(write(tmp_path, "options"))
    req = task.requests(samples[1])[0]
    assert isinstance(req, LoglikelihoodRequest)
    assert req.context == (
        "The following is multiple-choice question about STEM."
        "Question 1?\nA. opt1a\nB. opt1b\nC. opt1c\n D. opt1d\nAnswer:"
    )
    assert req.continuation == " A"


def test_in_language_description(tmp_path: Path) -> None:
    task, samples = load(write(tmp_path, "options"), task_args={"instruction_language": "native"})
    req = task.requests(samples[5])[0]
    assert isinstance(req, LoglikelihoodRequest)
    assert req.context.startswith(
        "以下は、Driving License に関する複数選択の質問（回答付き）です。Question 5?"
    )


def test_k_shot_examples_come_from_the_same_domain_and_never_the_item_itself(
    tmp_path: Path,
) -> None:
    task, samples = load(write(tmp_path, "options"), num_fewshot=2)
    for sample in samples:
        item, examples = sample.payload
        assert len(examples) == 2
        assert item not in examples
        assert {ex.domain for ex in examples} == {item.domain}
    req = task.requests(samples[0])[0]
    assert isinstance(req, LoglikelihoodRequest)
    assert req.context.startswith(
        "The following are multiple-choice questions (with answers) about STEM.Question "
    )
    assert req.context.count("\nAnswer:") == 3


def test_lm_eval_draw_can_be_reproduced_exactly(tmp_path: Path) -> None:
    import random

    _, samples = load(
        write(tmp_path, "options"), num_fewshot=2, task_args={"fewshot_exclude_self": False}
    )
    stem = [s.payload[0] for s in samples if s.groups["domain"] == "STEM"]
    rnd = random.Random(1234)
    for sample in samples[:4]:
        assert list(sample.payload[1]) == rnd.sample(stem, 2)


def test_answer_index_out_of_range_names_file_row_and_field(tmp_path: Path) -> None:
    rows = [dict(r) for r in ITEMS]
    rows[3]["answer"] = 7
    with pytest.raises(
        DataError, match=r"Japanese/test\.jsonl: row 4, field 'answer': index 7 is outside 0-3"
    ):
        load(write(tmp_path, "options", rows=rows))


def test_missing_options_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "Japanese"
    folder.mkdir()
    (folder / "test.jsonl").write_text(json.dumps({"question": "q", "answer": 0}) + "\n")
    with pytest.raises(
        DataError, match=r"row 1: missing columns: need option_a..option_d or choices"
    ):
        load(tmp_path)


def test_languages_by_code_or_config_name() -> None:
    task = Include(RunOptions(languages=["ja", "north macedonian"]))
    assert task.configs() == ["Japanese", "North Macedonian"]
    with pytest.raises(DataError, match="unknown language 'Klingon'"):
        Include(RunOptions(languages=["Klingon"])).configs()


def test_bundled_sample_covers_six_languages() -> None:
    samples = Include(RunOptions(sample=True)).load()[0]
    assert {s.language for s in samples} == {"ar", "el", "fr", "hi", "ja", "ru"}
