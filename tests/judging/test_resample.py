"""Tests for globeval.judging.resample: cluster bootstrap of pooled rates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from globeval.judging.resample import mean_of_draws, ratio_estimate


def test_ratio_point_value_and_interval() -> None:
    # four prompts, two games each: outcomes summed per prompt
    est, draws = ratio_estimate([2, 1, 1.5, 0], [2, 2, 2, 2], 500, np.random.default_rng(0))
    assert est.value == pytest.approx(4.5 / 8)
    assert est.n == 8
    assert est.low <= est.value <= est.high
    assert draws.shape == (500,)
    assert np.all((draws >= 0) & (draws <= 1))


def test_ratio_of_nothing_is_nan() -> None:
    est, draws = ratio_estimate([], [], 10, np.random.default_rng(0))
    assert math.isnan(est.value) and est.n == 0
    assert np.all(np.isnan(draws))


def test_resamples_without_denominator_are_ignored() -> None:
    # one prompt had no judged game: resamples of only that prompt give no rate
    est, draws = ratio_estimate([1, 0], [1, 0], 200, np.random.default_rng(1))
    assert est.value == 1.0
    assert np.isnan(draws).any() and est.low == est.high == 1.0


def test_mean_of_draws_skips_nan_groups() -> None:
    draws = [np.full(10, 0.2), np.full(10, 0.6), np.full(10, np.nan)]
    est = mean_of_draws([0.2, 0.6, float("nan")], draws, n=30)
    assert est.value == pytest.approx(0.4)
    assert (est.low, est.high) == pytest.approx((0.4, 0.4))
    assert est.n == 30
