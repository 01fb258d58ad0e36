"""Read tabular rows from parquet, JSON Lines, JSON or CSV, remembering where each row came from."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from globeval.data.errors import DataError

SUFFIXES = (".parquet", ".jsonl", ".json", ".csv")


def sha256_of(path: Path) -> str:
    """A file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Row:
    """One record and its origin: `source` is a file path or dataset id, `index` the row number
    a person would look for (1-based line for JSONL and CSV, 0-based index for parquet/Hub)."""

    data: dict[str, Any]
    source: str
    index: int


def read_rows(path: Path) -> list[Row]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:
            raise DataError(f"{path}: not a readable parquet file ({exc})") from exc
        return [Row(rec, str(path), i) for i, rec in enumerate(table.to_pylist())]
    if suffix == ".jsonl":
        return _read_json_lines(path)
    if suffix == ".json":
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":  # JSON Lines in a .json file, as the Hub's loader allows
                return _read_json_lines(path)
            raise DataError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
        if isinstance(payload, dict):
            # {"data": [...]}, or a single record (JSON Lines holding one line)
            payload = payload["data"] if isinstance(payload.get("data"), list) else [payload]
        if not isinstance(payload, list):
            raise DataError(f"{path}: expected a list of records (or {{'data': [...]}})")
        out = []
        for i, rec in enumerate(payload):
            if not isinstance(rec, dict):
                raise DataError(f"{path}: row {i}: expected a JSON object")
            out.append(Row(rec, str(path), i))
        return out
    if suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            # line 1 is the header, so the first record is line 2
            return [Row(dict(rec), str(path), i) for i, rec in enumerate(reader, start=2)]
    raise DataError(f"{path}: unsupported file type (use one of {', '.join(SUFFIXES)})")


def _read_json_lines(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}: line {lineno}: invalid JSON ({exc.msg})") from exc
            if not isinstance(rec, dict):
                raise DataError(f"{path}: line {lineno}: expected a JSON object")
            rows.append(Row(rec, str(path), lineno))
    return rows


def find_split_files(data_dir: Path, config: str, split: str) -> list[Path]:
    """Files of one config/split in a local copy laid out as on the Hub.

    Accepts DIR/CONFIG/SPLIT.{parquet,jsonl,json,csv} and the Hub's sharded
    DIR/CONFIG/SPLIT-00000-of-00001.parquet (what `huggingface-cli download` writes).
    """
    folder = data_dir / config
    exact = [folder / f"{split}{suffix}" for suffix in SUFFIXES]
    found = [p for p in exact if p.is_file()]
    if found:
        return found[:1]
    return sorted(p for p in folder.glob(f"{split}-*") if p.suffix.lower() in SUFFIXES)
