"""A set of runs and the per-language estimates that every analysis starts from.

`RunSet.languages()` reads the summaries (values and CIs as the runs computed them). Analyses that
combine languages (gaps, groups, rankings) work on bootstrap draws per (run, task, language):
item-level draws when the headline metric is the mean of per-sample scores (accuracy and the
like), else normal draws matching the summary's CI (a metric computed per cell, such as LCB's
pass rates). Draws are seeded per (run, task, language), so figures do not depend on the order
in which runs are given.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from globeval.analysis.bootstrap import Array, mean_draws, normal_draws, seed_for
from globeval.analysis.runs import Run, RunError, load_runs, read_items
from globeval.languages import try_lookup

META_COLUMNS = (
    "language_name",
    "script",
    "script_name",
    "latin",
    "family",
    "resource_class",
    "resource_label",
    "iso639_3",
    "flores200",
)


def language_meta(raw: str) -> dict[str, Any]:
    """The normalised code and metadata columns for a dataset's language code."""
    lang = try_lookup(raw)
    if lang is None:
        return {
            "language": raw,
            "language_name": raw,
            "script": "unknown",
            "script_name": "unknown",
            "latin": None,
            "family": "unknown",
            "resource_class": None,
            "resource_label": "unknown",
            "iso639_3": None,
            "flores200": None,
        }
    return {
        "language": lang.code,
        "language_name": lang.name,
        "script": lang.script,
        "script_name": lang.script_name,
        "latin": lang.latin,
        "family": lang.family or "unknown",
        "resource_class": lang.resource_class,
        "resource_label": lang.resource_label,
        "iso639_3": lang.iso639_3,
        "flores200": lang.flores200,
    }


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


class RunSet:
    """Runs analysed together. Every method returns a pandas DataFrame in long form."""

    def __init__(
        self,
        runs: Sequence[Run],
        n_resamples: int = 1000,
        confidence: float = 0.95,
        seed: int = 0,
    ) -> None:
        if not runs:
            raise RunError("no runs given")
        self.runs = list(runs)
        self.n_resamples = n_resamples
        self.confidence = confidence
        self.seed = seed
        self._items: dict[tuple[str, str], pd.DataFrame] = {}
        self._draws: dict[tuple[str, str, str], Array] = {}
        self._sample_mean: dict[tuple[str, str], bool] = {}
        self._scored: dict[tuple[str, str], dict[str, pd.DataFrame]] = {}

    @classmethod
    def load(cls, paths: Iterable[Path | str], **kwargs: Any) -> RunSet:
        return cls(load_runs(paths), **kwargs)

    @property
    def tasks(self) -> list[str]:
        """Every task of any run, in first-seen order."""
        return list(dict.fromkeys(t for run in self.runs for t in run.tasks))

    def run(self, name: str) -> Run:
        for run in self.runs:
            if run.name == name:
                return run
        raise RunError(f"no run named {name!r}; runs: {', '.join(r.name for r in self.runs)}")

    def runs_with(self, task: str) -> list[Run]:
        return [run for run in self.runs if task in run.tasks]

    # ---- items and draws -------------------------------------------------------------------

    def items(self, run: Run, task: str) -> pd.DataFrame:
        """Per-sample scores of one run's task, with its grouping columns (cached)."""
        key = (run.name, task)
        if key not in self._items:
            self._items[key] = read_items(run, task, run.group_fields(task))
        return self._items[key]

    def scored(self, run: Run, task: str, language: str) -> pd.DataFrame:
        """The scored samples of one language (cached: split once per run and task)."""
        key = (run.name, task)
        if key not in self._scored:
            items = self.items(run, task)
            self._scored[key] = {
                str(lang): frame for lang, frame in items[items["scored"]].groupby("language")
            }
        empty = self.items(run, task).iloc[:0]
        return self._scored[key].get(language, empty)

    def has_items(self, run: Run, task: str) -> bool:
        return run.samples_path(task).is_file()

    def is_sample_mean(self, run: Run, task: str) -> bool:
        """Whether the headline metric is the mean of per-sample scores in every language."""
        key = (run.name, task)
        if key not in self._sample_mean:
            self._sample_mean[key] = self._check_sample_mean(run, task)
        return self._sample_mean[key]

    def _check_sample_mean(self, run: Run, task: str) -> bool:
        if not self.has_items(run, task):
            return False
        items = self.items(run, task)
        means = items[items["scored"]].groupby("language")["score"].mean()
        metric = run.metric(task)
        for row in run.task(task)["languages"]:
            est = row.get(metric) or {}
            value = est.get("value")
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            got = means.get(row["language"])
            if got is None or not math.isclose(float(got), float(value), abs_tol=1e-9):
                return False
        return True

    def draws(self, run: Run, task: str, language: str) -> Array:
        """Bootstrap draws of the headline metric for one language (the run's own code)."""
        key = (run.name, task, language)
        if key in self._draws:
            return self._draws[key]
        rng = np.random.default_rng(seed_for(self.seed, run.name, task, language))
        if self.is_sample_mean(run, task):
            values = self.scored(run, task, language)["score"]
            out = mean_draws(values.to_numpy(np.float64), self.n_resamples, rng)
        else:
            row = next(r for r in run.task(task)["languages"] if r["language"] == language)
            est = row.get(run.metric(task)) or {}
            out = normal_draws(
                _num(est.get("value")),
                _num(est.get("ci_low")),
                _num(est.get("ci_high")),
                self.n_resamples,
                rng,
                self.confidence,
            )
        self._draws[key] = out
        return out

    def subset_draws(self, run: Run, task: str, language: str, field: str, value: str) -> Array:
        """Draws of the mean per-sample score of one language's items with field == value."""
        key = (run.name, task, f"{language}\x1f{field}={value}")
        if key not in self._draws:
            rows = self.scored(run, task, language)
            values = rows["score"].to_numpy(np.float64)[rows[field].to_numpy() == value]
            rng = np.random.default_rng(seed_for(self.seed, *key))
            self._draws[key] = mean_draws(values, self.n_resamples, rng)
        return self._draws[key]

    # ---- per-language profile -----------------------------------------------------------------

    def languages(self, metric: str | None = None) -> pd.DataFrame:
        """Per-language scores with CIs for every run and task, from the summaries, with each
        language's metadata. `metric` picks another reported metric than the headline (tasks
        without it are left out)."""
        rows = []
        for run in self.runs:
            for task in run.tasks:
                info = run.task(task)
                name = metric or info["metric"]
                if name not in (info.get("metrics") or [info["metric"]]):
                    continue
                for row in info["languages"]:
                    est = row.get(name) or {}
                    counts = {
                        k: v
                        for k, v in row.items()
                        if isinstance(v, int) and not isinstance(v, bool) and k != "language"
                    }
                    rows.append(
                        {
                            "run": run.name,
                            "model": run.model,
                            "task": task,
                            "metric": name,
                            "higher_is_better": run.higher_is_better(task),
                            "language_raw": row["language"],
                            **language_meta(row["language"]),
                            "value": _num(est.get("value")),
                            "ci_low": _num(est.get("ci_low")),
                            "ci_high": _num(est.get("ci_high")),
                            "n": est.get("n"),
                            **counts,
                        }
                    )
        return pd.DataFrame(rows)

    def overall(self) -> pd.DataFrame:
        """Macro and micro averages per run and task, as the summaries give them."""
        rows = []
        for run in self.runs:
            for task in run.tasks:
                info = run.task(task)
                metric = info["metric"]
                for level in ("macro", "micro"):
                    est = (info.get("overall") or {}).get(level, {}).get(metric) or {}
                    rows.append(
                        {
                            "run": run.name,
                            "model": run.model,
                            "task": task,
                            "metric": metric,
                            "level": level,
                            "value": _num(est.get("value")),
                            "ci_low": _num(est.get("ci_low")),
                            "ci_high": _num(est.get("ci_high")),
                            "n": est.get("n"),
                            **info["counts"],
                        }
                    )
        return pd.DataFrame(rows)

    # ---- analyses (implemented in their own modules) -------------------------------------------

    def english_gap(self, reference: str = "en") -> pd.DataFrame:
        from globeval.analysis.gaps import reference_gap

        return reference_gap(self, reference)

    def by_group(self, by: str = "script") -> pd.DataFrame:
        from globeval.analysis.gaps import group_scores

        return group_scores(self, by)

    def subsets(self, field: str, a: str, b: str) -> pd.DataFrame:
        from globeval.analysis.gaps import subset_gap

        return subset_gap(self, field, a, b)

    def rank_changes(
        self, field: str | None = None, a: str | None = None, b: str | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        from globeval.analysis.ranking import rank_changes

        return rank_changes(self, field, a, b)

    def rank_by_language(self, reference: str = "en") -> pd.DataFrame:
        from globeval.analysis.ranking import rank_by_language

        return rank_by_language(self, reference)

    def correlations(self) -> pd.DataFrame:
        from globeval.analysis.correlation import benchmark_correlations

        return benchmark_correlations(self)
