from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from globeval.data.errors import DataError
from globeval.data.files import find_split_files, read_rows

RECORDS = [{"question": "2 + 2?", "answer": "B"}, {"question": "3 + 3?", "answer": "C"}]


def write(path: Path, fmt: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(RECORDS), encoding="utf-8")
    elif fmt == "csv":
        path.write_text("question,answer\n2 + 2?,B\n3 + 3?,C\n", encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(RECORDS), path)
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "parquet"])
def test_every_format_reads_the_same_records(tmp_path: Path, fmt: str) -> None:
    rows = read_rows(write(tmp_path / f"test.{fmt}", fmt))
    assert [r.data["answer"] for r in rows] == ["B", "C"]
    assert all(r.source.endswith(f"test.{fmt}") for r in rows)


def test_row_numbers_are_the_ones_a_person_looks_for(tmp_path: Path) -> None:
    assert [r.index for r in read_rows(write(tmp_path / "t.jsonl", "jsonl"))] == [1, 2]
    # CSV: line 1 is the header
    assert [r.index for r in read_rows(write(tmp_path / "t.csv", "csv"))] == [2, 3]


def test_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "test.jsonl"
    path.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    with pytest.raises(DataError, match=r"test\.jsonl: line 2: invalid JSON"):
        read_rows(path)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "test.txt"
    path.write_text("x")
    with pytest.raises(DataError, match="unsupported file type"):
        read_rows(path)


def test_hub_layout_shards_are_found_in_order(tmp_path: Path) -> None:
    for i in (1, 0):
        write(tmp_path / "ar" / f"test-0000{i}-of-00002.parquet", "parquet")
    write(tmp_path / "ar" / "dev-00000-of-00001.parquet", "parquet")
    files = find_split_files(tmp_path, "ar", "test")
    assert [f.name for f in files] == ["test-00000-of-00002.parquet", "test-00001-of-00002.parquet"]


def test_plain_file_wins_over_shards(tmp_path: Path) -> None:
    write(tmp_path / "ar" / "test.jsonl", "jsonl")
    write(tmp_path / "ar" / "test-00000-of-00001.parquet", "parquet")
    assert [f.name for f in find_split_files(tmp_path, "ar", "test")] == ["test.jsonl"]
