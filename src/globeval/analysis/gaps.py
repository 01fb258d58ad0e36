"""Gaps and groupings: each language against a reference (English), languages grouped by script,
Latin vs non-Latin, resource class or family, and one subset of items against another (CS vs CA).

Differences are `value - reference` in the metric's own units (0-1 for accuracy); `relative` is
100 * (value - reference) / reference. Group values are macro averages over the group's
languages. CIs come from the per-language bootstrap draws (runset.py); languages are resampled
independently, which is conservative for parallel (translated) benchmarks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from globeval.analysis.bootstrap import interval, relative_change
from globeval.analysis.runset import language_meta
from globeval.languages import try_lookup

if TYPE_CHECKING:
    from globeval.analysis.runset import RunSet

GROUPINGS = ("script", "latin", "resource_class", "family")


def _summary_values(rs: RunSet, run_name: str, task: str) -> dict[str, float]:
    run = rs.run(run_name)
    metric = run.metric(task)
    out = {}
    for row in run.task(task)["languages"]:
        est = row.get(metric) or {}
        value = est.get("value")
        out[row["language"]] = float("nan") if value is None else float(value)
    return out


def reference_gap(rs: RunSet, reference: str = "en") -> pd.DataFrame:
    """Every language against the reference language, per run and task; a `macro` row per run and
    task averages the non-reference languages. Tasks without the reference are left out."""
    ref_lang = try_lookup(reference)
    ref_code = ref_lang.code if ref_lang else reference
    rows: list[dict[str, Any]] = []
    for run in rs.runs:
        for task in run.tasks:
            values = _summary_values(rs, run.name, task)
            ref_raw = next(
                (raw for raw in values if language_meta(raw)["language"] == ref_code), None
            )
            if ref_raw is None:
                continue
            ref_value = values[ref_raw]
            ref_draws = rs.draws(run, task, ref_raw)
            base = {"run": run.name, "model": run.model, "task": task, "metric": run.metric(task)}
            gaps = []
            for raw, value in values.items():
                if raw == ref_raw:
                    continue
                draws = rs.draws(run, task, raw) - ref_draws
                gaps.append((value, draws))
                low, high = interval(draws, rs.confidence)
                rel_low, rel_high = interval(
                    relative_change(ref_draws, rs.draws(run, task, raw)), rs.confidence
                )
                rows.append(
                    {
                        **base,
                        "level": "language",
                        "language_raw": raw,
                        **language_meta(raw),
                        "value": value,
                        "reference": ref_code,
                        "reference_value": ref_value,
                        "gap": value - ref_value,
                        "gap_low": low,
                        "gap_high": high,
                        "relative": float(relative_change(ref_value, value)),
                        "relative_low": rel_low,
                        "relative_high": rel_high,
                    }
                )
            if not gaps:
                continue
            mean_value = float(np.mean([v for v, _ in gaps]))
            mean_draws = np.mean([d for _, d in gaps], axis=0)
            low, high = interval(mean_draws, rs.confidence)
            rel_draws = relative_change(ref_draws, ref_draws + mean_draws)
            rel_low, rel_high = interval(rel_draws, rs.confidence)
            rows.append(
                {
                    **base,
                    "level": "macro",
                    "language": "(all but reference)",
                    "value": mean_value,
                    "reference": ref_code,
                    "reference_value": ref_value,
                    "gap": mean_value - ref_value,
                    "gap_low": low,
                    "gap_high": high,
                    "relative": float(relative_change(ref_value, mean_value)),
                    "relative_low": rel_low,
                    "relative_high": rel_high,
                }
            )
    return pd.DataFrame(rows)


def group_label(meta: dict[str, Any], by: str) -> str:
    if by == "latin":
        latin = meta["latin"]
        return "unknown" if latin is None else ("Latin" if latin else "non-Latin")
    if by == "resource_class":
        return str(meta["resource_label"])
    if by == "script":
        return (
            f"{meta['script_name']} ({meta['script']})"
            if meta["script"] != "unknown"
            else "unknown"
        )
    return str(meta[by])


def group_scores(rs: RunSet, by: str = "script") -> pd.DataFrame:
    """Macro average of the languages in each group, per run and task, with a bootstrap CI."""
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUPINGS)}")
    rows = []
    for run in rs.runs:
        for task in run.tasks:
            groups: dict[str, list[tuple[str, float]]] = {}
            for raw, value in _summary_values(rs, run.name, task).items():
                if np.isnan(value):
                    continue
                groups.setdefault(group_label(language_meta(raw), by), []).append((raw, value))
            for label, members in sorted(groups.items()):
                draws = np.mean([rs.draws(run, task, raw) for raw, _ in members], axis=0)
                low, high = interval(draws, rs.confidence)
                rows.append(
                    {
                        "run": run.name,
                        "model": run.model,
                        "task": task,
                        "metric": run.metric(task),
                        "by": by,
                        "group": label,
                        "value": float(np.mean([v for _, v in members])),
                        "ci_low": low,
                        "ci_high": high,
                        "n_languages": len(members),
                        "languages": " ".join(
                            sorted(language_meta(raw)["language"] for raw, _ in members)
                        ),
                    }
                )
    return pd.DataFrame(rows)


def subset_gap(rs: RunSet, field: str, a: str, b: str) -> pd.DataFrame:
    """Per language, the mean score on items with field == a against items with field == b (for
    Global-MMLU: cultural_sensitivity_label CS vs CA), with a `macro` row per run and task.
    Runs whose task has no such grouping column are left out."""
    rows: list[dict[str, Any]] = []
    for run in rs.runs:
        for task in run.tasks:
            if field not in run.group_fields(task) or not rs.has_items(run, task):
                continue
            items = rs.items(run, task)
            if field not in items.columns:
                continue
            scored = items[items["scored"]]
            base = {
                "run": run.name,
                "model": run.model,
                "task": task,
                "field": field,
                "a": a,
                "b": b,
            }
            per_lang = []
            for raw, group in scored.groupby("language", sort=True):
                labels = group[field]
                n_a, n_b = int((labels == a).sum()), int((labels == b).sum())
                if not n_a or not n_b:
                    continue
                da = rs.subset_draws(run, task, str(raw), field, a)
                db = rs.subset_draws(run, task, str(raw), field, b)
                value_a = float(group.loc[labels == a, "score"].mean())
                value_b = float(group.loc[labels == b, "score"].mean())
                per_lang.append((value_a, value_b, da, db))
                low, high = interval(da - db, rs.confidence)
                rows.append(
                    {
                        **base,
                        "level": "language",
                        "language_raw": raw,
                        **language_meta(str(raw)),
                        "value_a": value_a,
                        "value_b": value_b,
                        "n_a": n_a,
                        "n_b": n_b,
                        "diff": value_a - value_b,
                        "diff_low": low,
                        "diff_high": high,
                    }
                )
            if not per_lang:
                continue
            mean_a = float(np.mean([p[0] for p in per_lang]))
            mean_b = float(np.mean([p[1] for p in per_lang]))
            draws = np.mean([p[2] - p[3] for p in per_lang], axis=0)
            low, high = interval(draws, rs.confidence)
            rows.append(
                {
                    **base,
                    "level": "macro",
                    "language": "(all)",
                    "value_a": mean_a,
                    "value_b": mean_b,
                    "diff": mean_a - mean_b,
                    "diff_low": low,
                    "diff_high": high,
                }
            )
    return pd.DataFrame(rows)
