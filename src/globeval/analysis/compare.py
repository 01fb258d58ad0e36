"""Compare two runs of the same tasks (full precision vs quantized, base vs merged).

Per language, per task and per group of languages (script, Latin vs non-Latin, resource class):
the relative change 100 * (other - base) / base of the mean per-sample score, on the items that
both runs scored, with a paired bootstrap CI (the same items are redrawn for both runs). A change
whose CI for (other - base) lies wholly on the worse side is a significant regression; on the
better side an improvement. Items scored in only one run are counted, never compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from globeval.analysis.bootstrap import Array, interval, mean_draws, relative_change, seed_for
from globeval.analysis.gaps import group_label
from globeval.analysis.runs import Run, read_items
from globeval.analysis.runset import language_meta

COMPARED_OPTIONS = ("num_fewshot", "formulation", "chat", "task_args", "languages", "limit")


@dataclass
class Comparison:
    base: Run
    other: Run
    languages: pd.DataFrame
    benchmarks: pd.DataFrame
    groups: pd.DataFrame
    counts: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def all_rows(self) -> pd.DataFrame:
        """Benchmark, group and language rows in one frame (column `level`)."""
        frames = [f for f in (self.benchmarks, self.groups, self.languages) if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def regressions(self, min_drop: float = 0.0) -> pd.DataFrame:
        """Significant regressions whose relative drop exceeds `min_drop` percent."""
        rows = self.all_rows()
        if rows.empty:
            return rows
        mask = (rows["flag"] == "regression") & (rows["drop"].fillna(np.inf) > min_drop)
        return rows[mask]


def _flag(low: float, high: float, higher_is_better: bool) -> str:
    if np.isnan(low) or np.isnan(high):
        return ""
    worse = high < 0 if higher_is_better else low > 0
    better = low > 0 if higher_is_better else high < 0
    return "regression" if worse else ("improvement" if better else "")


def _row(
    base_draws: Array,
    other_draws: Array,
    base_value: float,
    other_value: float,
    higher: bool,
    confidence: float,
) -> dict[str, Any]:
    change_low, change_high = interval(other_draws - base_draws, confidence)
    rel_low, rel_high = interval(relative_change(base_draws, other_draws), confidence)
    relative = float(relative_change(base_value, other_value))
    return {
        "base": base_value,
        "other": other_value,
        "change": other_value - base_value,
        "change_low": change_low,
        "change_high": change_high,
        "relative": relative,
        "relative_low": rel_low,
        "relative_high": rel_high,
        "drop": -relative if higher else relative,
        "flag": _flag(change_low, change_high, higher),
    }


def _macro(
    per_lang: dict[str, tuple[Array, Array, float, float]],
    members: list[str],
    higher: bool,
    confidence: float,
) -> dict[str, Any]:
    """The macro average over `members` (languages) of base and other, with its change."""
    parts = [per_lang[m] for m in members]
    return _row(
        np.mean([p[0] for p in parts], axis=0),
        np.mean([p[1] for p in parts], axis=0),
        float(np.mean([p[2] for p in parts])),
        float(np.mean([p[3] for p in parts])),
        higher,
        confidence,
    )


def _options(run: Run) -> dict[str, Any]:
    options = run.manifest.get("options") or {}
    return {k: options.get(k) for k in COMPARED_OPTIONS if k in options}


def compare_runs(
    base: Run,
    other: Run,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    tasks: list[str] | None = None,
) -> Comparison:
    shared_tasks = [t for t in base.tasks if t in other.tasks]
    if tasks:
        missing = [t for t in tasks if t not in shared_tasks]
        if missing:
            raise ValueError(
                f"task(s) {', '.join(missing)} not in both runs; shared: {', '.join(shared_tasks)}"
            )
        shared_tasks = list(tasks)
    notes = []
    only = sorted(set(base.tasks) ^ set(other.tasks))
    if only:
        notes.append(f"tasks in only one run (not compared): {', '.join(only)}")
    base_opts, other_opts = _options(base), _options(other)
    for key in sorted(set(base_opts) | set(other_opts)):
        if base_opts.get(key) != other_opts.get(key):
            notes.append(
                f"setting {key} differs: {base_opts.get(key)!r} (base) vs {other_opts.get(key)!r}"
            )
    lang_rows: list[dict[str, Any]] = []
    bench_rows: list[dict[str, Any]] = []
    group_rows: list[dict[str, Any]] = []
    count_rows: list[dict[str, Any]] = []
    for task in shared_tasks:
        missing_samples = [r.name for r in (base, other) if not r.samples_path(task).is_file()]
        if missing_samples:
            notes.append(f"{task}: not compared, no samples file in {', '.join(missing_samples)}")
            continue
        if base.metric(task) != other.metric(task):
            notes.append(f"{task}: metrics differ ({base.metric(task)} vs {other.metric(task)})")
        higher = base.higher_is_better(task)
        b_items = read_items(base, task)
        o_items = read_items(other, task)
        for name, items in (("base", b_items), ("other", o_items)):
            dups = int(items.duplicated(["language", "sample_id"]).sum())
            if dups:
                notes.append(f"{task}: {dups} duplicate sample ids in the {name} run (first kept)")
        merged = b_items.drop_duplicates(["language", "sample_id"]).merge(
            o_items.drop_duplicates(["language", "sample_id"]),
            on=["language", "sample_id"],
            how="outer",
            suffixes=("_base", "_other"),
            indicator=True,
        )
        both = merged["_merge"] == "both"
        scored_b = merged["scored_base"].astype("boolean").fillna(False).astype(bool)
        scored_o = merged["scored_other"].astype("boolean").fillna(False).astype(bool)
        paired = merged[both & scored_b & scored_o]
        count_rows.append(
            {
                "task": task,
                "base_samples": len(b_items),
                "other_samples": len(o_items),
                "compared": len(paired),
                "only_in_base": int((merged["_merge"] == "left_only").sum()),
                "only_in_other": int((merged["_merge"] == "right_only").sum()),
                "unscored_in_base": int((both & ~scored_b).sum()),
                "unscored_in_other": int((both & ~scored_o).sum()),
            }
        )
        metric = base.metric(task)
        per_lang: dict[str, tuple[Array, Array, float, float]] = {}
        for lang, group in paired.groupby("language", sort=True):
            pairs = group[["score_base", "score_other"]].to_numpy(np.float64)
            rng = np.random.default_rng(seed_for(seed, "compare", task, lang))
            draws = mean_draws(pairs, n_resamples, rng)
            b_value, o_value = (float(x) for x in pairs.mean(axis=0))
            per_lang[str(lang)] = (draws[:, 0], draws[:, 1], b_value, o_value)
            lang_rows.append(
                {
                    "level": "language",
                    "task": task,
                    "metric": metric,
                    "language_raw": lang,
                    **language_meta(str(lang)),
                    "n": len(pairs),
                    **_row(draws[:, 0], draws[:, 1], b_value, o_value, higher, confidence),
                }
            )
        if not per_lang:
            notes.append(f"{task}: no item was scored in both runs")
            continue

        bench_rows.append(
            {
                "level": "benchmark",
                "task": task,
                "metric": metric,
                "language": "(macro)",
                "n_languages": len(per_lang),
                "n": len(paired),
                **_macro(per_lang, list(per_lang), higher, confidence),
            }
        )
        for by in ("script", "latin", "resource_class"):
            groups: dict[str, list[str]] = {}
            for lang in per_lang:
                groups.setdefault(group_label(language_meta(lang), by), []).append(lang)
            for label, members in sorted(groups.items()):
                group_rows.append(
                    {
                        "level": "group",
                        "task": task,
                        "metric": metric,
                        "by": by,
                        "group": label,
                        "languages": " ".join(sorted(members)),
                        "n_languages": len(members),
                        **_macro(per_lang, members, higher, confidence),
                    }
                )
    return Comparison(
        base,
        other,
        pd.DataFrame(lang_rows),
        pd.DataFrame(bench_rows),
        pd.DataFrame(group_rows),
        pd.DataFrame(count_rows),
        notes,
    )
