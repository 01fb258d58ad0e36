from __future__ import annotations

import math

import numpy as np

from globeval.results.stats import bootstrap_macro, bootstrap_mean


def test_binary_shortcut_matches_an_explicit_bootstrap() -> None:
    rng = np.random.default_rng(0)
    values = (rng.random(400) < 0.3).astype(float)
    fast = bootstrap_mean(values, n_resamples=4000, seed=1)
    idx = rng.integers(0, len(values), size=(4000, len(values)))
    slow = np.quantile(values[idx].mean(axis=1), [0.025, 0.975])
    assert abs(fast.low - slow[0]) < 0.015 and abs(fast.high - slow[1]) < 0.015
    assert fast.low < fast.value < fast.high


def test_non_binary_scores_use_the_general_path() -> None:
    est = bootstrap_mean([0.0, 0.5, 1.0, 0.5], n_resamples=500, seed=0)
    assert est.value == 0.5 and 0.0 <= est.low < 0.5 < est.high <= 1.0


def test_same_seed_same_interval_and_empty_is_nan() -> None:
    values = [1.0, 0.0, 1.0, 1.0, 0.0]
    assert bootstrap_mean(values, seed=3) == bootstrap_mean(values, seed=3)
    empty = bootstrap_mean([])
    assert empty.n == 0 and math.isnan(empty.value)


def test_macro_and_micro_weight_languages_differently() -> None:
    small_good = [1.0] * 10
    large_bad = [0.0] * 90
    macro, micro = bootstrap_macro([small_good, large_bad], seed=0)
    assert macro.value == 0.5 and micro.value == 0.1
    assert macro.n == micro.n == 100
