"""Reading run folders: clear errors for bad input, every sample kept."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from globeval.analysis import RunError, load_run, load_runs
from globeval.analysis.runs import read_items
from tests.synthetic_runs import records, write_run


def test_a_folder_without_summary(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="not a run folder"):
        load_run(tmp_path)


def test_a_summary_missing_a_field_names_it(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text(
        json.dumps({"tasks": {"t": {"metric": "accuracy", "counts": {}, "languages": [{}]}}})
    )
    with pytest.raises(RunError, match=r"tasks\.t\.languages\[0\]: missing field 'language'"):
        load_run(tmp_path)


def test_invalid_json(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text("{not json")
    with pytest.raises(RunError, match=r"summary\.json: not valid JSON"):
        load_run(tmp_path)


def test_samples_missing_a_column_name_file_and_column(tmp_path: Path) -> None:
    run = load_run(write_run(tmp_path, "r", {"t": records("t", {"en": [1.0]})}))
    pq.write_table(pa.table({"sample_id": ["a"], "language": ["en"]}), run.samples_path("t"))
    with pytest.raises(RunError, match=r"t\.parquet: missing column\(s\) status, score"):
        read_items(run, "t")


def test_every_sample_is_kept_and_marked(tmp_path: Path) -> None:
    recs = records(
        "t",
        {"en": [1.0, 0.0, None, 0.0]},
        status=lambda lang, i: "format_error" if i == 3 else "ok",
    )
    run = load_run(write_run(tmp_path, "r", {"t": recs}))
    items = read_items(run, "t")
    assert len(items) == 4
    assert items["scored"].tolist() == [True, True, False, True]
    assert items["status"].tolist() == ["ok", "ok", "failed", "format_error"]


def test_duplicate_run_names_are_made_unique(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a", "same", {"t": records("t", {"en": [1.0]})})
    b = write_run(tmp_path / "b", "same", {"t": records("t", {"en": [0.0]})})
    assert [r.name for r in load_runs([a, b])] == ["same", "same (2)"]
