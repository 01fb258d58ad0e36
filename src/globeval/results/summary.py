"""Per-language scores with bootstrap CIs, macro and micro averages, and every sample counted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from globeval.results.stats import DEFAULT_RESAMPLES, Estimate, bootstrap_macro, bootstrap_mean

SCORED_STATUSES = ("ok", "format_error")


def _estimate(est: Estimate) -> dict[str, Any]:
    return {"value": est.value, "ci_low": est.low, "ci_high": est.high, "n": est.n}


def _counts(records: Sequence[dict[str, Any]]) -> dict[str, int]:
    statuses = [r["status"] for r in records]
    return {
        "samples": len(records),
        "scored": sum(s in SCORED_STATUSES for s in statuses),
        "ok": statuses.count("ok"),
        "format_errors": statuses.count("format_error"),
        "failed": statuses.count("failed"),
    }


def language_rows(
    records: Sequence[dict[str, Any]], seed: int, n_resamples: int
) -> list[dict[str, Any]]:
    """One row per language: total accuracy (format errors wrong, failures excluded) with CI,
    answer accuracy (format errors excluded) and the counts behind them."""
    by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        by_language[rec["language"]].append(rec)
    rows = []
    for language in sorted(by_language):
        recs = by_language[language]
        scores = [float(r["score"]) for r in recs if r["status"] in SCORED_STATUSES]
        answered = [float(r["score"]) for r in recs if r["status"] == "ok"]
        est = bootstrap_mean(scores, n_resamples=n_resamples, seed=seed)
        rows.append(
            {
                "language": language,
                **_counts(recs),
                "accuracy": est.value,
                "ci_low": est.low,
                "ci_high": est.high,
                "answer_accuracy": (sum(answered) / len(answered)) if answered else float("nan"),
            }
        )
    return rows


def summarize_task(
    records: Sequence[dict[str, Any]],
    group_fields: Iterable[str],
    seed: int = 0,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> dict[str, Any]:
    languages = language_rows(records, seed, n_resamples)
    per_language_scores = [
        [float(r["score"]) for r in records if r["language"] == row["language"]
         and r["status"] in SCORED_STATUSES]
        for row in languages
    ]  # fmt: skip
    macro, micro = bootstrap_macro(per_language_scores, n_resamples=n_resamples, seed=seed)
    groups: dict[str, list[dict[str, Any]]] = {}
    for field in group_fields:
        cells: dict[tuple[str, str], list[float]] = defaultdict(list)
        for rec in records:
            if rec["status"] in SCORED_STATUSES:
                cells[(rec["language"], str(rec.get(field, "")))].append(float(rec["score"]))
        groups[field] = [
            {
                "language": lang,
                "group": value,
                **_estimate(bootstrap_mean(v, n_resamples, seed=seed)),
            }
            for (lang, value), v in sorted(cells.items())
        ]
    return {
        "counts": _counts(records),
        "languages": languages,
        "macro": _estimate(macro),
        "micro": _estimate(micro),
        "groups": groups,
    }
