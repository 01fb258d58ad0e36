"""Tests for globeval.tasks.aya_redteaming: the bundled sample, local copies, bad rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.requests import GenerateResult
from globeval.tasks.aya_redteaming import FILE_CODES, AyaRedTeaming
from globeval.tasks.base import RunOptions


def test_bundled_sample_covers_eight_languages_and_both_scopes() -> None:
    samples, provenance = AyaRedTeaming(RunOptions(sample=True)).load()
    assert {s.language for s in samples} == set(FILE_CODES)
    assert {s.groups["global_or_local"] for s in samples} == {"global", "local"}
    multi = [s for s in samples if len(s.payload.harm_categories) > 1]
    assert multi and " | " in multi[0].groups["harm_category"]
    assert provenance["bundled_sample"] and len(provenance["files"]) == 8


def test_languages_by_either_code() -> None:
    task = AyaRedTeaming(RunOptions(sample=True, languages=["tgl", "fr"], limit=1))
    samples, _ = task.load()
    assert [s.language for s in samples] == ["tl", "fr"]
    with pytest.raises(DataError, match="unknown language 'xx'"):
        AyaRedTeaming(RunOptions(sample=True, languages=["xx"])).load()


def test_record_extra_keeps_categories() -> None:
    task = AyaRedTeaming(RunOptions(sample=True, languages=["hi"], limit=2))
    samples, _ = task.load()
    scored = task.score(samples[1], task.requests(samples[1]), [GenerateResult("नहीं")])
    assert scored.extra["harm_categories"] == ["Profanity", "Bullying & Harassment"]
    assert scored.extra["language_name"] == "Hindi"
    assert task.requests(samples[1])[0].max_tokens == 512  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"harm_category": "['Profanity']", "global_or_local": "global"}, "field 'prompt'"),
        ({"prompt": "p", "harm_category": "[]", "global_or_local": "global"}, "no harm category"),
        (
            {"prompt": "p", "harm_category": "Profanity", "global_or_local": "global"},
            "list literal",
        ),
        (
            {"prompt": "p", "harm_category": "['x']", "global_or_local": "both"},
            "'global' or 'local'",
        ),
    ],
)
def test_bad_rows_name_the_field(tmp_path: Path, row: dict[str, str], message: str) -> None:
    (tmp_path / "aya_eng.jsonl").write_text(json.dumps(row) + "\n")
    with pytest.raises(DataError, match=message) as info:
        AyaRedTeaming(RunOptions(data_dir=tmp_path, languages=["en"])).load()
    assert "aya_eng.jsonl: row 1" in str(info.value)


def test_missing_local_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no aya_fra\.jsonl"):
        AyaRedTeaming(RunOptions(data_dir=tmp_path, languages=["fr"])).load()
