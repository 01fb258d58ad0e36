"""Bootstrap draws: the multinomial shortcut against plain index resampling."""

from __future__ import annotations

import numpy as np
import pytest

from globeval.analysis import bootstrap
from globeval.analysis.bootstrap import interval, mean_draws, relative_change


def test_paired_columns_are_resampled_together() -> None:
    values = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0]] * 50)
    draws = mean_draws(values, 500, np.random.default_rng(0))
    diff = draws[:, 1] - draws[:, 0]
    assert (diff >= 0).all()  # other >= base on every item, so in every draw


@pytest.mark.parametrize("distinct", [2, 5000])
def test_both_paths_match_the_bootstrap_distribution(
    distinct: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, distinct, size=4000).astype(float) / max(distinct - 1, 1)
    draws = mean_draws(values, 3000, np.random.default_rng(4))
    se = values.std() / np.sqrt(len(values))
    assert draws.mean() == pytest.approx(values.mean(), abs=se / 5)
    assert draws.std() == pytest.approx(se, rel=0.1)
    monkeypatch.setattr(bootstrap, "MAX_DISTINCT", 0)  # force index resampling
    slow = mean_draws(values, 3000, np.random.default_rng(4))
    assert slow.std() == pytest.approx(se, rel=0.1)


def test_empty_input_gives_nan_draws() -> None:
    draws = mean_draws(np.array([]), 10, np.random.default_rng(0))
    assert draws.shape == (10,) and np.isnan(draws).all()
    assert all(np.isnan(x) for x in interval(draws, 0.95))


def test_relative_change_is_undefined_at_zero() -> None:
    out = relative_change(np.array([0.5, 0.0]), np.array([0.25, 0.1]))
    assert out[0] == pytest.approx(-50.0) and np.isnan(out[1])
