"""Per-language scores with bootstrap CIs, macro and micro averages, and every sample counted.

Summary layout (one entry per task in summary.json), the contract that reports read:
  metric      the headline metric's name;  metrics: every metric reported, headline first
  counts      samples, scored, ok, format_errors, failed, skipped
  languages   [{language, <counts>, <metric>: {value, ci_low, ci_high, n}, ...}]
  overall     {macro: {<metric>: estimate}, micro: {<metric>: estimate}}
  groups      {field: [{language, group, <headline metric>: estimate}]}
  tables      optional: [{title, columns, rows}] more tables for reports; a cell is text, a
              proportion (shown as %) or an estimate
  notes       optional: [text] printed under the task's tables
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from globeval.results.stats import DEFAULT_RESAMPLES, Estimate, bootstrap_macro, bootstrap_mean

SCORED_STATUSES = ("ok", "format_error")

Record = dict[str, Any]
#: a metric: the per-sample values it averages (records it does not apply to are left out)
MetricValues = Callable[[Sequence[Record]], list[float]]


def estimate_dict(est: Estimate) -> dict[str, Any]:
    return {"value": est.value, "ci_low": est.low, "ci_high": est.high, "n": est.n}


def counts(records: Sequence[Record]) -> dict[str, int]:
    statuses = [r["status"] for r in records]
    return {
        "samples": len(records),
        "scored": sum(s in SCORED_STATUSES for s in statuses),
        "ok": statuses.count("ok"),
        "format_errors": statuses.count("format_error"),
        "failed": statuses.count("failed"),
        "skipped": statuses.count("skipped"),
    }


def total_accuracy(records: Sequence[Record]) -> list[float]:
    """Format errors count as wrong; failed samples are left out (and counted separately)."""
    return [float(r["score"]) for r in records if r["status"] in SCORED_STATUSES]


def answer_accuracy(records: Sequence[Record]) -> list[float]:
    """Only samples whose answer could be read."""
    return [float(r["score"]) for r in records if r["status"] == "ok"]


MULTIPLE_CHOICE_METRICS: dict[str, MetricValues] = {
    "accuracy": total_accuracy,
    "answer_accuracy": answer_accuracy,
}


def by_language(records: Iterable[Record]) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        out[rec["language"]].append(rec)
    return dict(sorted(out.items()))


def summarize_records(
    records: Sequence[Record],
    metrics: dict[str, MetricValues],
    group_fields: Iterable[str] = (),
    seed: int = 0,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> dict[str, Any]:
    headline = next(iter(metrics))
    languages = by_language(records)
    rows = []
    for language, recs in languages.items():
        row: dict[str, Any] = {"language": language, **counts(recs)}
        for name, values in metrics.items():
            row[name] = estimate_dict(bootstrap_mean(values(recs), n_resamples, seed=seed))
        rows.append(row)
    overall: dict[str, dict[str, Any]] = {"macro": {}, "micro": {}}
    for name, values in metrics.items():
        macro, micro = bootstrap_macro(
            [values(recs) for recs in languages.values()], n_resamples, seed=seed
        )
        overall["macro"][name] = estimate_dict(macro)
        overall["micro"][name] = estimate_dict(micro)
    groups: dict[str, list[dict[str, Any]]] = {}
    for field in group_fields:
        cells: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for rec in records:
            cells[(rec["language"], str(rec.get(field) or ""))].append(rec)
        groups[field] = [
            {
                "language": lang,
                "group": value,
                headline: estimate_dict(
                    bootstrap_mean(metrics[headline](recs), n_resamples, seed=seed)
                ),
            }
            for (lang, value), recs in sorted(cells.items())
        ]
    return {
        "metric": headline,
        "metrics": list(metrics),
        "counts": counts(records),
        "languages": rows,
        "overall": overall,
        "groups": groups,
    }
