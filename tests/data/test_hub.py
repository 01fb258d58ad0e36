from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from globeval.data.errors import DataError
from globeval.data.hub import DatasetRef, load_split

REF = DatasetRef(
    "CohereForAI/Global-MMLU", "sw", "test", "827d2a34d41c8951a76321e63bb0c3be703f51aa"
)


def test_local_copy_records_file_hashes(tmp_path: Path) -> None:
    (tmp_path / "sw").mkdir()
    (tmp_path / "sw" / "test.jsonl").write_text(json.dumps({"q": 1}) + "\n")
    split = load_split(REF, tmp_path)
    assert [r.data for r in split.rows] == [{"q": 1}]
    (entry,) = split.origin["files"]
    assert len(entry["sha256"]) == 64


def test_missing_local_split_says_what_was_expected(tmp_path: Path) -> None:
    (tmp_path / "sw").mkdir()
    with pytest.raises(DataError, match=r"no 'test' split found for config 'sw'"):
        load_split(REF, tmp_path)
    assert load_split(REF, tmp_path, required=False).rows == []


def test_offline_hub_error_says_how_to_get_a_local_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    def offline(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Couldn't reach 'CohereForAI/Global-MMLU' on the Hub")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(DataError) as err:
        load_split(REF, None)
    message = str(err.value)
    assert "Couldn't reach" in message
    assert "huggingface-cli download CohereForAI/Global-MMLU --repo-type dataset" in message
    assert "--revision 827d2a34d41c8951a76321e63bb0c3be703f51aa" in message
    assert "--data-dir" in message and "--sample" in message
