"""Summaries of preference-pair runs (M-RewardBench, RewardBench): scores and the analyses the
M-RewardBench paper asks for, each with a bootstrap CI.

Layout: that of results/summary.py (headline metric `score`, M-RewardBench's language score;
`accuracy`, the plain item mean), plus
  sections       {language: {section: value}}      subsets: {language: {subset: accuracy}}
  rewardbench_v1 {language: {"Prior Sets", "score"}}  (only when prior sets were evaluated)
  english_gap    [{section, english, non_english, gap: estimate, languages}]
  agreement_with_english  [{language, items, agreement: estimate, kappa}]
  tables, notes  what the terminal report prints (report/terminal.py renders any task's)

CIs: a bootstrap stratified by subset — each resample redraws every subset's items within the
subset, recomputes the weighted sections and their mean — so a CI of a score reflects exactly
the scoring rule. Languages are resampled independently; a gap's CI comes from the difference
of the resampled scores.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from globeval.results.stats import (
    Estimate,
    bootstrap_macro,
    bootstrap_mean,
    percentile_interval,
    resampled_means,
)
from globeval.results.summary import by_language, counts, estimate_dict
from globeval.scoring.reward import (
    CATEGORIES,
    COUNTS,
    PRIOR_SETS,
    PRIOR_SETS_SECTION,
    SUBSET_CATEGORY,
    SUBSET_MAPPING,
    V1_WEIGHTS,
    SectionWeights,
    language_score,
    prior_sets_score,
    rewardbench_v1_score,
    section_scores,
    subset_accuracies,
)

SCORED = ("ok", "format_error")
ENGLISH = "en"
Record = dict[str, Any]
Draws = NDArray[np.float64]


@dataclass
class Cell:
    """One language's scored items, by subset, with point values and bootstrap draws."""

    values: dict[str, list[float]]
    subset_acc: dict[str, float] = field(default_factory=dict)
    sections: dict[str, float] = field(default_factory=dict)
    score: float = math.nan
    prior: float | None = None
    subset_draws: dict[str, Draws] = field(default_factory=dict)
    section_draws: dict[str, Draws] = field(default_factory=dict)
    score_draws: Draws | None = None
    prior_draws: Draws | None = None

    @property
    def n_sectioned(self) -> int:
        return sum(len(v) for s, v in self.values.items() if s in SUBSET_CATEGORY)


def _estimate(value: float | None, draws: Draws | None, n: int) -> dict[str, Any]:
    if value is None or draws is None or (isinstance(value, float) and math.isnan(value)):
        return estimate_dict(Estimate(math.nan, math.nan, math.nan, n))
    low, high = percentile_interval(draws)
    return estimate_dict(Estimate(float(value), low, high, n))


def build_cell(
    values: dict[str, list[float]],
    weights: SectionWeights,
    n_resamples: int,
    rng: np.random.Generator,
) -> Cell:
    cell = Cell(values)
    cell.subset_acc = subset_accuracies((s, v) for s, vals in values.items() for v in vals)
    cell.sections = section_scores(cell.subset_acc, weights)
    cell.score = language_score(cell.sections)
    cell.prior = prior_sets_score(cell.subset_acc)
    counts_of = COUNTS[weights]
    for subset in sorted(values):
        cell.subset_draws[subset] = resampled_means(values[subset], n_resamples, rng)
    for section, subsets in SUBSET_MAPPING.items():
        present = [s for s in subsets if s in cell.subset_draws]
        if present:
            w = np.array([counts_of[s] for s in present], dtype=np.float64)
            stacked = np.stack([cell.subset_draws[s] for s in present])
            cell.section_draws[section] = (stacked * w[:, None]).sum(axis=0) / w.sum()
    if cell.section_draws:
        cell.score_draws = np.mean(np.stack(list(cell.section_draws.values())), axis=0)
    prior = [cell.subset_draws[s] for s in PRIOR_SETS if s in cell.subset_draws]
    if prior:
        cell.prior_draws = np.mean(np.stack(prior), axis=0)
    return cell


def _v1_draws(cell: Cell) -> Draws | None:
    """Draws of the v1 leaderboard average (missing entries drop out with their weight)."""
    draws = [cell.section_draws.get(c) for c in CATEGORIES] + [cell.prior_draws]
    present = [(d, w) for d, w in zip(draws, V1_WEIGHTS, strict=True) if d is not None]
    if not present:
        return None
    total = sum(w for _, w in present)
    out: Draws = sum(d * w for d, w in present) / total  # type: ignore[assignment]
    return out


def _ordered(languages: dict[str, list[Record]]) -> list[str]:
    """English first (the reference the analyses compare with), then the others sorted."""
    return sorted(languages, key=lambda lang: (lang != ENGLISH, lang))


def english_gap(cells: dict[str, Cell]) -> list[dict[str, Any]]:
    """Per section (and for the score): the mean over non-English languages minus English."""
    if ENGLISH not in cells:
        return []
    en = cells[ENGLISH]
    others = [c for lang, c in cells.items() if lang != ENGLISH]
    rows = []
    for section in (*CATEGORIES, "score"):
        if section == "score":
            en_value, en_draws = en.score, en.score_draws
            pairs = [(c.score, c.score_draws) for c in others if c.score_draws is not None]
        else:
            en_value, en_draws = en.sections.get(section, math.nan), en.section_draws.get(section)
            pairs = [
                (c.sections[section], c.section_draws[section])
                for c in others
                if section in c.section_draws
            ]
        if en_draws is None or not pairs:
            continue
        non_en = float(np.mean([v for v, _ in pairs]))
        gap_draws = np.mean(np.stack([d for _, d in pairs]), axis=0) - en_draws
        rows.append(
            {
                "section": section,
                "english": en_value,
                "non_english": non_en,
                "gap": _estimate(non_en - en_value, gap_draws, len(pairs)),
                "languages": len(pairs),
            }
        )
    return rows


def agreement_with_english(
    languages: dict[str, list[Record]], seed: int, n_resamples: int
) -> list[dict[str, Any]]:
    """How often a language's outcome on an item equals English's on the same item (matched by
    item id), and Cohen's κ of the two outcome labels (1, 0, or 0.5 for a judge's non-verdict)."""
    from sklearn.metrics import cohen_kappa_score

    if ENGLISH not in languages:
        return []

    def outcomes(recs: Sequence[Record]) -> dict[str, float]:
        return {
            str((r.get("extra") or {}).get("item_id")): float(r["score"])
            for r in recs
            if r["status"] in SCORED and (r.get("extra") or {}).get("item_id") is not None
        }

    english = outcomes(languages[ENGLISH])
    rows = []
    for lang in _ordered(languages):
        if lang == ENGLISH:
            continue
        own = outcomes(languages[lang])
        items = sorted(set(english) & set(own))
        if not items:
            continue
        a = [english[i] for i in items]
        b = [own[i] for i in items]
        same = [float(x == y) for x, y in zip(a, b, strict=True)]
        kappa: float | None = None
        if len(set(a) | set(b)) > 1:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # κ is undefined when one side is constant
                value = float(cohen_kappa_score([str(x) for x in a], [str(x) for x in b]))
            kappa = None if math.isnan(value) else value
        rows.append(
            {
                "language": lang,
                "items": len(items),
                "agreement": estimate_dict(bootstrap_mean(same, n_resamples, seed=seed)),
                "kappa": kappa,
            }
        )
    return rows


def _extra_counts(records: Sequence[Record]) -> dict[str, int]:
    extras = [r.get("extra") or {} for r in records]
    return {
        "skipped": sum(r["status"] == "skipped" for r in records),
        "truncated_inputs": sum(int(e.get("truncated", 0) or 0) for e in extras),
        "contradictory_verdicts": sum(bool(e.get("contradictory")) for e in extras),
    }


def summarize_preferences(
    records: Sequence[Record],
    weights: SectionWeights = "rewardbench",
    generative: bool = False,
    seed: int = 0,
    n_resamples: int = 1000,
) -> dict[str, Any]:
    languages = by_language(records)
    order = _ordered(languages)
    rng = np.random.default_rng(seed)
    cells: dict[str, Cell] = {}
    rows: list[dict[str, Any]] = []
    for lang in order:
        recs = languages[lang]
        values: dict[str, list[float]] = {}
        for r in recs:
            if r["status"] in SCORED:
                values.setdefault(str(r.get("subset") or ""), []).append(float(r["score"]))
        cell = build_cell(values, weights, n_resamples, rng)
        cells[lang] = cell
        scored = [v for vals in values.values() for v in vals]
        rows.append(
            {
                "language": lang,
                **counts(recs),
                **_extra_counts(recs),
                "score": _estimate(cell.score, cell.score_draws, cell.n_sectioned),
                "accuracy": estimate_dict(bootstrap_mean(scored, n_resamples, seed=seed)),
                "sections": {
                    s: _estimate(v, cell.section_draws[s], _n(values, s))
                    for s, v in cell.sections.items()
                },
            }
        )
    macro_value = [c.score for c in cells.values() if c.score_draws is not None]
    macro_draws = [c.score_draws for c in cells.values() if c.score_draws is not None]
    pooled: dict[str, list[float]] = {}
    for cell in cells.values():
        for s, vals in cell.values.items():
            pooled.setdefault(s, []).extend(vals)
    pooled_cell = build_cell(pooled, weights, n_resamples, rng)
    acc_macro, acc_micro = bootstrap_macro(
        [[v for vals in c.values.values() for v in vals] for c in cells.values()],
        n_resamples,
        seed=seed,
    )
    overall = {
        "macro": {
            "score": _estimate(
                float(np.mean(macro_value)) if macro_value else None,
                np.mean(np.stack(macro_draws), axis=0) if macro_draws else None,
                sum(c.n_sectioned for c in cells.values()),
            ),
            "accuracy": estimate_dict(acc_macro),
        },
        "micro": {
            "score": _estimate(pooled_cell.score, pooled_cell.score_draws, pooled_cell.n_sectioned),
            "accuracy": estimate_dict(acc_micro),
        },
    }
    groups = {
        "category": [
            {"language": lang, "group": s, "score": row["sections"][s]}
            for lang, row in zip(order, rows, strict=True)
            for s in row["sections"]
        ],
        "subset": [
            {
                "language": lang,
                "group": s,
                "score": _estimate(cells[lang].subset_acc[s], d, len(cells[lang].values[s])),
            }
            for lang in order
            for s, d in sorted(cells[lang].subset_draws.items())
        ],
    }
    summary: dict[str, Any] = {
        "metric": "score",
        "metrics": ["score", "accuracy"],
        "formulation": "generative judge" if generative else "reward model",
        "num_fewshot": None,  # no few-shot setting: keep "0-shot" out of the report
        "weights": weights,
        "counts": {**counts(records), **_extra_counts(records)},
        "languages": rows,
        "overall": overall,
        "groups": groups,
        "sections": {lang: cells[lang].sections for lang in order},
        "subsets": {lang: cells[lang].subset_acc for lang in order},
        "english_gap": english_gap(cells),
        "agreement_with_english": agreement_with_english(languages, seed, n_resamples),
    }
    v1 = {
        lang: {
            PRIOR_SETS_SECTION: cell.prior,
            "score": _estimate(rewardbench_v1_score(cell.sections, cell.prior), _v1_draws(cell), 0),
        }
        for lang, cell in cells.items()
        if cell.prior is not None
    }
    if v1:
        summary["rewardbench_v1"] = v1
    summary["tables"] = _tables(summary, order)
    summary["notes"] = _notes(summary, weights)
    return summary


def _n(values: dict[str, list[float]], section: str) -> int:
    return sum(len(values.get(s, [])) for s in SUBSET_MAPPING[section])


def _tables(summary: dict[str, Any], order: list[str]) -> list[dict[str, Any]]:
    """Tables for the terminal: cells are text, numbers (shown as %) or estimates."""
    tables = []
    present = [c for c in CATEGORIES if any(c in s for s in summary["sections"].values())]
    if present:
        tables.append(
            {
                "title": "score by language × section (%, 95% CI; "
                f"sections weighted by {summary['weights']} counts)",
                "columns": ["language", *present, "score"],
                "rows": [
                    [row["language"], *(row["sections"].get(c) for c in present), row["score"]]
                    for row in summary["languages"]
                ],
            }
        )
    if summary["english_gap"]:
        tables.append(
            {
                "title": "English gap: mean of the other languages minus English (points)",
                "columns": ["section", "English", "others", "gap (95% CI)", "languages"],
                "rows": [
                    [g["section"], g["english"], g["non_english"], g["gap"], str(g["languages"])]
                    for g in summary["english_gap"]
                ],
            }
        )
    if summary["agreement_with_english"]:
        tables.append(
            {
                "title": "agreement with English: same outcome on the same item",
                "columns": ["language", "items", "agreement (95% CI)", "Cohen's κ"],
                "rows": [
                    [
                        a["language"],
                        str(a["items"]),
                        a["agreement"],
                        "-" if a["kappa"] is None else f"{a['kappa']:.2f}",
                    ]
                    for a in summary["agreement_with_english"]
                ],
            }
        )
    if "rewardbench_v1" in summary:
        tables.append(
            {
                "title": "RewardBench v1 leaderboard average (weights 2,2,2,2,1)",
                "columns": ["language", *CATEGORIES, PRIOR_SETS_SECTION, "average"],
                "rows": [
                    [
                        lang,
                        *(summary["sections"][lang].get(c) for c in CATEGORIES),
                        v[PRIOR_SETS_SECTION],
                        v["score"],
                    ]
                    for lang, v in summary["rewardbench_v1"].items()
                ],
            }
        )
    return tables


def _notes(summary: dict[str, Any], weights: SectionWeights) -> list[str]:
    c = summary["counts"]
    notes = []
    if c["truncated_inputs"]:
        notes.append(
            f"{c['truncated_inputs']} inputs were truncated to the model's length limit "
            "(extra.truncated in the samples file)"
        )
    if c["format_errors"]:
        notes.append(f"unparseable judgments score 0.5 ({c['format_errors']} here)")
    if c["contradictory_verdicts"]:
        notes.append(f"{c['contradictory_verdicts']} judgments held both [[A]] and [[B]]")
    if c["skipped"]:
        notes.append(f"{c['skipped']} items skipped by the protocol (see their 'error')")
    missing = [
        f"{lang}: {', '.join(s for s in CATEGORIES if s not in sections)}"
        for lang, sections in summary["sections"].items()
        if sections and len(sections) < len(CATEGORIES)
    ]
    if missing:
        notes.append(
            "sections with no items are left out of the score (reward-bench would count them "
            "as 0): " + "; ".join(missing)
        )
    if weights != "rewardbench":
        notes.append(f"sections weighted by the {weights} example counts")
    return notes
