"""Tests for globeval.tasks.m_arenahard: loading every layout, requests, records."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.requests import GenerateRequest, GenerateResult
from globeval.tasks.base import RunOptions
from globeval.tasks.m_arenahard import LANGUAGES, MArenaHard
from globeval.tasks.registry import create_task

SHARED = Path(
    os.environ.get("GLOBEVAL_SHARED_DATA") or Path(__file__).parents[3] / "shared" / "data"
)


def test_registered_with_23_languages() -> None:
    task = create_task("m_arenahard", RunOptions(sample=True))
    assert isinstance(task, MArenaHard)
    assert len(LANGUAGES) == 23 and "en" in LANGUAGES and "zh" in LANGUAGES
    assert task.options.formulation == "generative"  # the CLI default means "the task's default"


def test_bundled_sample_same_ids_in_every_language() -> None:
    samples, provenance = MArenaHard(RunOptions(sample=True)).load()
    by_lang: dict[str, list[str]] = {}
    for s in samples:
        by_lang.setdefault(s.language, []).append(s.payload.question_id)
    assert set(by_lang) == {"ar", "en", "fr", "hi", "ja"}
    assert len({tuple(ids) for ids in by_lang.values()}) == 1
    assert provenance["bundled_sample"] and provenance["max_gen_tokens"] == 4096


def test_requests_follow_the_protocol() -> None:
    samples, _ = MArenaHard(RunOptions(sample=True, languages=["fr"], limit=1, chat=True)).load()
    task = MArenaHard(RunOptions(sample=True, chat=True, max_gen_tokens=32))
    [request] = task.requests(samples[0])
    assert isinstance(request, GenerateRequest)
    assert request.temperature == 0.0 and request.max_tokens == 32
    assert request.messages is not None and request.messages[0].role == "user"
    assert request.messages[0].content == samples[0].payload.prompt
    plain = MArenaHard(RunOptions(sample=True)).requests(samples[0])[0]
    assert isinstance(plain, GenerateRequest) and plain.prompt == samples[0].payload.prompt


def test_score_keeps_the_answer_and_its_question_id() -> None:
    samples, _ = MArenaHard(RunOptions(sample=True, languages=["ja"], limit=1)).load()
    task = MArenaHard(RunOptions(sample=True))
    scored = task.score(
        samples[0], task.requests(samples[0]), [GenerateResult("答え", "length", 9, 4)]
    )
    assert scored.response == "答え" and scored.prompt == samples[0].payload.prompt
    assert scored.extra["question_id"] == "globeval-sample-01"
    assert scored.extra["finish_reason"] == "length"


def test_arena_hard_question_file_is_the_english_config(tmp_path: Path) -> None:
    (tmp_path / "question.jsonl").write_text(
        json.dumps(
            {"question_id": "a1", "category": "c", "cluster": "k", "turns": [{"content": "Hi?"}]}
        )
        + "\n"
    )
    samples, provenance = MArenaHard(RunOptions(data_dir=tmp_path)).load()
    assert [(s.language, s.payload.question_id, s.payload.prompt) for s in samples] == [
        ("en", "a1", "Hi?")
    ]
    assert len(provenance["splits"][0]["sha256"]) == 64


def test_local_copy_in_hub_layout(tmp_path: Path) -> None:
    for lang in ("de", "ko"):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "test.jsonl").write_text(
            json.dumps({"question_id": "x", "category": "", "cluster": "", "prompt": lang}) + "\n"
        )
    samples, _ = MArenaHard(RunOptions(data_dir=tmp_path)).load()
    assert sorted(s.language for s in samples) == ["de", "ko"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"prompt": "p"}, "field 'question_id'"),
        ({"question_id": "q"}, "needs a 'prompt' or a 'turns' column"),
        ({"question_id": "q", "prompt": "  "}, "field 'prompt'"),
        ({"question_id": "q", "turns": [{"content": "a"}, {"content": "b"}]}, "2 turns"),
    ],
)
def test_bad_rows_name_file_row_and_field(
    tmp_path: Path, row: dict[str, object], message: str
) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "test.jsonl").write_text(json.dumps(row) + "\n")
    with pytest.raises(DataError, match=message) as info:
        MArenaHard(RunOptions(data_dir=tmp_path, languages=["en"])).load()
    assert "test.jsonl: row 1" in str(info.value)


def test_duplicate_question_ids_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    row = json.dumps({"question_id": "q", "prompt": "p"})
    (tmp_path / "en" / "test.jsonl").write_text(row + "\n" + row + "\n")
    with pytest.raises(DataError, match="duplicate 'q'"):
        MArenaHard(RunOptions(data_dir=tmp_path)).load()


def test_unknown_language_is_an_error() -> None:
    with pytest.raises(DataError, match="unknown language"):
        MArenaHard(RunOptions(languages=["xx"])).load()


def test_shared_english_source_set() -> None:
    folder = SHARED / "arena_hard_v0.1"
    if not (folder / "question.jsonl").is_file():
        pytest.skip(f"shared arena-hard data not present at {folder}")
    samples, _ = MArenaHard(RunOptions(data_dir=folder)).load()
    assert len(samples) == 500 and {s.language for s in samples} == {"en"}
