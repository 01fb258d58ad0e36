"""Run folders as the analysis reads them: summary, manifest and per-sample scores."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from globeval.results.run_folder import MANIFEST, SAMPLES_DIR, SUMMARY
from globeval.results.summary import SCORED_STATUSES

#: metrics where a smaller value is better, when a summary does not say (`higher_is_better`)
LOWER_IS_BETTER = frozenset(
    {"harmful_rate", "harm_rate", "attack_success_rate", "error_rate", "format_error_rate"}
)
ITEM_COLUMNS = ("sample_id", "language", "status", "score")


class RunError(ValueError):
    """A run folder that cannot be read; the message names the file and the field."""


@dataclass
class Run:
    path: Path
    name: str
    model: str
    summary: dict[str, Any]
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def tasks(self) -> list[str]:
        return list(self.summary["tasks"])

    def task(self, name: str) -> dict[str, Any]:
        task: dict[str, Any] = self.summary["tasks"][name]
        return task

    def metric(self, task: str) -> str:
        return str(self.task(task)["metric"])

    def higher_is_better(self, task: str) -> bool:
        declared = self.task(task).get("higher_is_better")
        if declared is not None:
            return bool(declared)
        return self.metric(task) not in LOWER_IS_BETTER

    def group_fields(self, task: str) -> list[str]:
        return list(self.task(task).get("groups") or {})

    def samples_path(self, task: str) -> Path:
        return self.path / SAMPLES_DIR / f"{task}.parquet"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RunError(f"{path}: expected a JSON object")
    return data


def _check_summary(path: Path, summary: dict[str, Any]) -> None:
    tasks = summary.get("tasks")
    if not isinstance(tasks, dict) or not tasks:
        raise RunError(f"{path}: field 'tasks' is missing or empty")
    for name, task in tasks.items():
        for key in ("metric", "languages", "counts"):
            if key not in task:
                raise RunError(f"{path}: tasks.{name}: missing field {key!r}")
        metric = task["metric"]
        for i, row in enumerate(task["languages"]):
            if "language" not in row:
                raise RunError(f"{path}: tasks.{name}.languages[{i}]: missing field 'language'")
            if metric not in row:
                raise RunError(f"{path}: tasks.{name}.languages[{i}]: missing metric {metric!r}")


def load_run(path: Path | str) -> Run:
    folder = Path(path)
    summary_path = folder / SUMMARY
    if not summary_path.is_file():
        raise RunError(f"{folder}: not a run folder (no {SUMMARY})")
    summary = _read_json(summary_path)
    _check_summary(summary_path, summary)
    manifest_path = folder / MANIFEST
    manifest = _read_json(manifest_path) if manifest_path.is_file() else {}
    name = str(summary.get("run") or folder.name)
    return Run(folder, name, str(summary.get("model") or "?"), summary, manifest)


def load_runs(paths: Iterable[Path | str]) -> list[Run]:
    """Runs in the given order; names made unique (a suffix) where two folders share one."""
    runs = [load_run(p) for p in paths]
    seen: dict[str, int] = {}
    for run in runs:
        count = seen.get(run.name, 0)
        seen[run.name] = count + 1
        if count:
            run.name = f"{run.name} ({count + 1})"
    return runs


def read_items(run: Run, task: str, extra: Sequence[str] = ()) -> pd.DataFrame:
    """One row per sample: sample_id, language, status, score and the asked-for columns that the
    file has. `scored` marks the rows that count in a mean (status ok or format_error, with a
    score); every other row is still there, to be counted."""
    import pyarrow.parquet as pq

    path = run.samples_path(task)
    if not path.is_file():
        raise RunError(f"{run.path}: no samples file for task {task!r} ({path})")
    try:
        available = set(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise RunError(f"{path}: not a readable parquet file ({exc})") from None
    missing = [c for c in ITEM_COLUMNS if c not in available]
    if missing:
        raise RunError(f"{path}: missing column(s) {', '.join(missing)}")
    columns = list(ITEM_COLUMNS) + [c for c in dict.fromkeys(extra) if c in available]
    frame = pq.read_table(path, columns=columns).to_pandas()
    frame["sample_id"] = frame["sample_id"].astype(str)
    frame["language"] = frame["language"].astype(str)
    for column in columns[len(ITEM_COLUMNS) :]:  # grouping columns compare as text
        frame[column] = frame[column].fillna("").astype(str)
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    frame["scored"] = frame["status"].isin(SCORED_STATUSES) & frame["score"].notna()
    return frame
