"""A run is a folder: manifest.json, samples/<task>.parquet and summary.json.

Any run can be re-summarised or re-reported from these files without calling a model again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
SAMPLES_DIR = "samples"


def _clean(value: Any) -> Any:
    """JSON has no NaN: write null instead, so every reader can parse our files."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(
        json.dumps(_clean(payload), indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )
    tmp.replace(path)


def write_samples(run_dir: Path, task: str, records: Sequence[dict[str, Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = run_dir / SAMPLES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {**rec, "extra": json.dumps(rec.get("extra") or {}, ensure_ascii=False, default=str)}
        for rec in records
    ]
    path = folder / f"{task}.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def read_samples(run_dir: Path, task: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(
        run_dir / SAMPLES_DIR / f"{task}.parquet"
    ).to_pylist()
    for row in rows:
        row["extra"] = json.loads(row["extra"]) if row.get("extra") else {}
    return rows


def read_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
