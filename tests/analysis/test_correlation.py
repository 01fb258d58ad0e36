"""Correlation between benchmarks across languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from globeval.analysis import RunSet
from tests.synthetic_runs import profile_run, records, write_run


def test_parallel_benchmarks_correlate_perfectly(tmp_path: Path) -> None:
    corr = RunSet.load([profile_run(tmp_path)]).correlations()
    row = corr.iloc[0]
    assert (row["task_x"], row["task_y"], row["n_languages"]) == ("bench_a", "bench_b", 5)
    assert row["pearson"] == pytest.approx(1.0)
    assert row["spearman"] == pytest.approx(1.0)
    assert row["pearson_low"] <= 1.0 <= row["pearson_high"] + 1e-9


def test_fewer_than_four_shared_languages_give_no_correlation(tmp_path: Path) -> None:
    scores = {"en": [1.0, 0.0], "fr": [1.0], "de": [0.0]}
    run = write_run(tmp_path, "r", {"x": records("x", scores), "y": records("y", scores)})
    assert RunSet.load([run]).correlations().empty
