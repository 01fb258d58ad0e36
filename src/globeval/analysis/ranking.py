"""Do rankings of runs (models) change between subsets of items or between languages?

Kendall's tau-b between two rankings of the same runs, with a bootstrap CI: each draw resamples
every run's items (per language), recomputes the scores and the tau. A run's score on a subset
is the macro average over the languages that all compared runs share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import kendalltau, rankdata

from globeval.analysis.bootstrap import Array, interval
from globeval.analysis.runset import language_meta
from globeval.languages import try_lookup

if TYPE_CHECKING:
    from globeval.analysis.runs import Run
    from globeval.analysis.runset import RunSet


def kendall_tau_b(a: NDArray[np.float64], b: NDArray[np.float64]) -> Array:
    """Kendall's tau-b of each row of `a` against the same row of `b` (draws x items)."""
    a = np.atleast_2d(a)
    b = np.atleast_2d(b)
    i, j = np.triu_indices(a.shape[1], k=1)
    sa = np.sign(a[:, i] - a[:, j])
    sb = np.sign(b[:, i] - b[:, j])
    concordance = (sa * sb).sum(axis=1)
    untied_a = (sa != 0).sum(axis=1)
    untied_b = (sb != 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = concordance / np.sqrt(untied_a * untied_b)
    return np.asarray(out, dtype=np.float64)


def _shared_languages(rs: RunSet, runs: list[Run], task: str) -> list[str]:
    sets = [{row["language"] for row in run.task(task)["languages"]} for run in runs]
    return sorted(set.intersection(*sets)) if sets else []


def _subset_score(
    rs: RunSet, run: Run, task: str, languages: list[str], field: str | None, value: str | None
) -> tuple[float, Array]:
    """A run's macro score over `languages` on the items with field == value (all items when
    value is None), and its draws."""
    values, draws = [], []
    for lang in languages:
        rows = rs.scored(run, task, lang)
        if value is None or field is None:
            values.append(float(rows["score"].mean()) if len(rows) else float("nan"))
            draws.append(rs.draws(run, task, lang))
            continue
        sel = rows.loc[rows[field] == value, "score"]
        values.append(float(sel.mean()) if len(sel) else float("nan"))
        draws.append(rs.subset_draws(run, task, lang, field, value))
    return float(np.nanmean(values)), np.nanmean(np.stack(draws), axis=0)


def _ranks(values: list[float], higher_is_better: bool) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    return np.asarray(rankdata(-arr if higher_is_better else arr, method="min"), dtype=np.float64)


def rank_changes(
    rs: RunSet, field: str | None, a: str | None, b: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rankings of the runs on items with field == a against field == b (None: all items), per
    task with at least two runs. Returns (tau per task, rank per run and task)."""
    taus: list[dict[str, Any]] = []
    ranks: list[dict[str, Any]] = []
    label_a = a if a is not None else "all"
    label_b = b if b is not None else "all"
    for task in rs.tasks:
        runs = [
            r
            for r in rs.runs_with(task)
            if rs.has_items(r, task) and (field is None or field in rs.items(r, task).columns)
        ]
        if len(runs) < 2:
            continue
        languages = _shared_languages(rs, runs, task)
        if not languages:
            continue
        scored_a = [_subset_score(rs, r, task, languages, field, a) for r in runs]
        scored_b = [_subset_score(rs, r, task, languages, field, b) for r in runs]
        higher = runs[0].higher_is_better(task)
        sign = 1.0 if higher else -1.0
        va = [s for s, _ in scored_a]
        vb = [s for s, _ in scored_b]
        draws = kendall_tau_b(
            sign * np.stack([d for _, d in scored_a], axis=1),
            sign * np.stack([d for _, d in scored_b], axis=1),
        )
        tau, p_value = (
            kendalltau(va, vb)
            if len(runs) > 2
            else (kendall_tau_b(np.array([va]), np.array([vb]))[0], float("nan"))
        )
        low, high = interval(draws, rs.confidence)
        taus.append(
            {
                "task": task,
                "field": field or "",
                "a": label_a,
                "b": label_b,
                "tau": float(tau),
                "tau_low": low,
                "tau_high": high,
                "p_value": float(p_value),
                "n_runs": len(runs),
                "n_languages": len(languages),
            }
        )
        rank_a, rank_b = _ranks(va, higher), _ranks(vb, higher)
        for run, x, y, ra, rb in zip(runs, va, vb, rank_a, rank_b, strict=True):
            ranks.append(
                {
                    "task": task,
                    "run": run.name,
                    "model": run.model,
                    "a": label_a,
                    "b": label_b,
                    "value_a": x,
                    "value_b": y,
                    "rank_a": int(ra),
                    "rank_b": int(rb),
                    "rank_change": int(ra - rb),  # > 0: ranks higher on b than on a
                }
            )
    return pd.DataFrame(taus), pd.DataFrame(ranks)


def rank_by_language(rs: RunSet, reference: str = "en") -> pd.DataFrame:
    """Per task and language: Kendall's tau between the runs' ranking on that language and on the
    reference language (English), with a bootstrap CI. Needs at least three runs."""
    ref = try_lookup(reference)
    ref_code = ref.code if ref else reference
    rows: list[dict[str, Any]] = []
    for task in rs.tasks:
        runs = rs.runs_with(task)
        if len(runs) < 3:
            continue
        languages = _shared_languages(rs, runs, task)
        ref_raw = next((x for x in languages if language_meta(x)["language"] == ref_code), None)
        if ref_raw is None:
            continue
        higher = runs[0].higher_is_better(task)
        sign = 1.0 if higher else -1.0

        def values(raw: str, runs: list[Run] = runs, task: str = task) -> list[float]:
            out = []
            for run in runs:
                row = next(r for r in run.task(task)["languages"] if r["language"] == raw)
                est = row.get(run.metric(task)) or {}
                out.append(float("nan") if est.get("value") is None else float(est["value"]))
            return out

        ref_values = values(ref_raw)
        ref_draws = sign * np.stack([rs.draws(r, task, ref_raw) for r in runs], axis=1)
        for raw in languages:
            if raw == ref_raw:
                continue
            lang_values = values(raw)
            draws = kendall_tau_b(
                ref_draws, sign * np.stack([rs.draws(r, task, raw) for r in runs], axis=1)
            )
            tau, p_value = kendalltau(ref_values, lang_values)
            low, high = interval(draws, rs.confidence)
            rows.append(
                {
                    "task": task,
                    "reference": ref_code,
                    "language_raw": raw,
                    **language_meta(raw),
                    "tau": float(tau),
                    "tau_low": low,
                    "tau_high": high,
                    "p_value": float(p_value),
                    "n_runs": len(runs),
                }
            )
    return pd.DataFrame(rows)
