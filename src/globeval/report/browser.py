"""The report's sample browser: which samples it carries, and how they are embedded safely.

A report cannot carry every sample of ten full runs (millions of prompts), so it carries up to
`per_language` samples per (run, task, language), chosen the same way in every run (by a stable
hash of the sample id, so the same items line up across runs), samples that failed or could not
be parsed first. The page says how many it shows out of how many.

The samples travel as JSON inside <script type="application/json">, with every character that
could end that element or open markup written as a \\u escape; the page renders them with
textContent only, so model output is shown as text and never interpreted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from globeval.analysis.runset import RunSet

TEXT_COLUMNS = ("prompt", "response", "gold", "parsed", "error")
MAX_TEXT = 6000  # characters of prompt or response kept per sample


@dataclass
class BrowserData:
    payload: str  # JSON, safe to place inside a <script type="application/json"> element
    shown: int
    total: int


def _stable_order(keys: pd.Series) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """A hash of each sample id that is the same in every run and every process."""
    hashed = pd.util.hash_pandas_object(keys.astype(str), index=False)
    return np.asarray(hashed.to_numpy(), dtype=np.uint64)


def _rank_in_group(
    flags: np.ndarray[Any, Any], starts: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """For sorted rows split into groups at `starts`: how many flagged rows precede each row
    within its group."""
    total = np.cumsum(flags) - flags
    out: np.ndarray[Any, Any] = total - total[starts]
    return out


def pick_rows(items: pd.DataFrame, per_language: int) -> list[int]:
    """Row positions to show: per language, unscored samples first (up to half the quota),
    then the rest in stable hash order."""
    if per_language <= 0 or items.empty:
        return []
    _, language = np.unique(items["language"].to_numpy(str), return_inverse=True)
    unscored = ~items["scored"].to_numpy(bool) | (items["status"].to_numpy(str) != "ok")
    order = np.lexsort((_stable_order(items["sample_id"]), language))
    lang, bad = language[order], unscored[order]
    first = np.r_[0, np.flatnonzero(np.diff(lang)) + 1]  # where each language starts
    starts = np.repeat(first, np.diff(np.r_[first, len(lang)]))
    bad_quota = max(1, per_language // 2)
    take_bad = bad & (_rank_in_group(bad, starts) < bad_quota)
    n_bad = np.bincount(lang, weights=take_bad, minlength=lang.max() + 1).astype(int)
    rest = ~take_bad
    take_rest = rest & (_rank_in_group(rest, starts) < (per_language - n_bad)[lang])
    return sorted(order[take_bad | take_rest].tolist())


def _clip(text: Any) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    value = str(text)
    if len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + f"\n… [{len(value) - MAX_TEXT} more characters in the run folder]"
    return value


def safe_json(data: Any) -> str:
    """JSON that cannot close or open markup where it is embedded."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def collect(rs: RunSet, per_language: int) -> BrowserData:
    import pyarrow.parquet as pq

    runs = [r.name for r in rs.runs]
    tasks = rs.tasks
    records: list[list[Any]] = []
    total = 0
    for ri, run in enumerate(rs.runs):
        for task in run.tasks:
            if not rs.has_items(run, task):
                continue
            items = rs.items(run, task)
            total += len(items)
            rows = pick_rows(items, per_language)
            if not rows:
                continue
            path = run.samples_path(task)
            names = set(pq.read_schema(path).names)
            group_fields = [g for g in run.group_fields(task) if g in items.columns]
            text_cols = [c for c in TEXT_COLUMNS if c in names]
            texts = pq.read_table(path, columns=text_cols).take(rows).to_pydict()
            picked = items.iloc[rows]
            ti = tasks.index(task)
            groups = {g: picked[g].to_numpy() for g in group_fields}
            scores = picked["score"].to_numpy(np.float64)
            for k, (lang, sample_id, status) in enumerate(
                zip(picked["language"], picked["sample_id"], picked["status"], strict=True)
            ):
                records.append(
                    [
                        ri,
                        ti,
                        lang,
                        sample_id,
                        status,
                        None if np.isnan(scores[k]) else float(scores[k]),
                        *(_clip(texts[c][k]) if c in texts else "" for c in TEXT_COLUMNS),
                        {g: str(values[k]) for g, values in groups.items()},
                    ]
                )
    payload = {
        "runs": runs,
        "tasks": tasks,
        "fields": ["run", "task", "language", "id", "status", "score", *TEXT_COLUMNS, "groups"],
        "rows": records,
        "per_language": per_language,
    }
    return BrowserData(safe_json(payload), len(records), total)
