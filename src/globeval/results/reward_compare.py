"""Several reward models' runs side by side: does their ranking hold from language to language?

Reads run folders (never models). For each language, the models' scores are ranked and
compared with their English ranking (Spearman ρ and Kendall τ over the models evaluated in
both); across models, the English score is correlated with the mean of the other languages
(the M-RewardBench paper reports Pearson r = 0.92 between RewardBench and M-RewardBench).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from globeval.data.errors import DataError
from globeval.results.run_folder import SUMMARY, read_json

ENGLISH = "en"
REWARD_TASKS = ("m_rewardbench", "rewardbench")


@dataclass(frozen=True)
class ModelScores:
    label: str
    run_dir: Path
    #: language -> M-RewardBench language score (0-1)
    scores: dict[str, float]


def load_scores(run_dir: Path, task: str | None = None) -> ModelScores:
    path = run_dir / SUMMARY
    if not path.is_file():
        raise DataError(f"{run_dir}: not a run folder (no {SUMMARY})")
    summary = read_json(path)
    tasks = summary.get("tasks", {})
    names = [task] if task else [t for t in REWARD_TASKS if t in tasks]
    if not names or names[0] not in tasks:
        raise DataError(
            f"{run_dir}: no reward-model task ({task or ', '.join(REWARD_TASKS)}) in this run"
        )
    rows = tasks[names[0]].get("languages", [])
    scores = {
        str(row["language"]): float(row["score"]["value"])
        for row in rows
        if isinstance(row.get("score"), dict) and row["score"].get("value") is not None
    }
    return ModelScores(str(summary.get("model") or run_dir.name), run_dir, scores)


def _labels(models: Sequence[ModelScores]) -> list[str]:
    """Model labels, made unique with the run folder name where two runs share a model."""
    seen = [m.label for m in models]
    return [
        m.label if seen.count(m.label) == 1 else f"{m.label} ({m.run_dir.name})" for m in models
    ]


def _corr(kind: str, a: Sequence[float], b: Sequence[float]) -> float | None:
    from scipy import stats

    if len(a) < 3 or len(set(a)) < 2 or len(set(b)) < 2:
        return None  # undefined for fewer than 3 models or a constant ranking
    fn = {"spearman": stats.spearmanr, "kendall": stats.kendalltau, "pearson": stats.pearsonr}
    value = float(fn[kind](a, b)[0])
    return None if math.isnan(value) else value


def compare(models: Sequence[ModelScores]) -> dict[str, Any]:
    labels = _labels(models)
    languages = sorted({lang for m in models for lang in m.scores}, key=lambda x: (x != ENGLISH, x))
    per_language = []
    for lang in languages:
        if lang == ENGLISH:
            continue
        both = [m for m in models if ENGLISH in m.scores and lang in m.scores]
        en = [m.scores[ENGLISH] for m in both]
        own = [m.scores[lang] for m in both]
        per_language.append(
            {
                "language": lang,
                "models": len(both),
                "spearman": _corr("spearman", en, own),
                "kendall": _corr("kendall", en, own),
            }
        )
    averages = {}
    for label, m in zip(labels, models, strict=True):
        others = [v for lang, v in m.scores.items() if lang != ENGLISH]
        averages[label] = sum(others) / len(others) if others else None
    paired = [
        (m.scores[ENGLISH], averages[label])
        for label, m in zip(labels, models, strict=True)
        if ENGLISH in m.scores and averages[label] is not None
    ]
    en_scores = [a for a, _ in paired]
    other_scores = [b for _, b in paired if b is not None]
    return {
        "models": [
            {
                "model": label,
                "run": str(m.run_dir),
                "scores": m.scores,
                "non_english": averages[label],
            }
            for label, m in zip(labels, models, strict=True)
        ],
        "languages": languages,
        "rank_correlation_with_english": per_language,
        "english_vs_non_english": {
            "models": len(paired),
            "pearson": _corr("pearson", en_scores, other_scores),
            "spearman": _corr("spearman", en_scores, other_scores),
        },
    }
