"""Do benchmarks agree? Correlation of per-language scores between two tasks of the same run.

Languages are matched by their normalised code (INCLUDE's `ar` and M-RewardBench's `arb_Arab`
are the same language). Pearson's r with its Fisher-z CI and Spearman's rho, over the languages
both tasks share (at least three).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr

if TYPE_CHECKING:
    from globeval.analysis.runset import RunSet

MIN_LANGUAGES = 4  # Fisher-z CIs need n > 3


def benchmark_correlations(rs: RunSet) -> pd.DataFrame:
    table = rs.languages()
    rows: list[dict[str, Any]] = []
    if table.empty:
        return pd.DataFrame(rows)
    for run_name, frame in table.groupby("run", sort=False):
        values = frame.pivot_table(index="language", columns="task", values="value", aggfunc="mean")
        for x, y in itertools.combinations(list(dict.fromkeys(frame["task"])), 2):
            pair = values[[x, y]].dropna()
            if len(pair) < MIN_LANGUAGES:
                continue
            xs, ys = pair[x].to_numpy(np.float64), pair[y].to_numpy(np.float64)
            row: dict[str, Any] = {
                "run": run_name,
                "task_x": x,
                "task_y": y,
                "n_languages": len(pair),
                "languages": " ".join(pair.index),
            }
            if np.ptp(xs) == 0 or np.ptp(ys) == 0:  # a constant column has no correlation
                row.update(pearson=np.nan, pearson_low=np.nan, pearson_high=np.nan)
                row.update(spearman=np.nan, spearman_p=np.nan)
            else:
                pr = pearsonr(xs, ys)
                ci = pr.confidence_interval(confidence_level=rs.confidence)
                sr = spearmanr(xs, ys)
                row.update(
                    pearson=float(pr.statistic),
                    pearson_low=float(ci.low),
                    pearson_high=float(ci.high),
                    spearman=float(sr.statistic),
                    spearman_p=float(sr.pvalue),
                )
            rows.append(row)
    return pd.DataFrame(rows)
