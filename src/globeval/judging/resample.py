"""Bootstrap over prompts for rates counted over games.

Both games of a prompt judge the same two answers, so they are not independent draws: the
bootstrap resamples prompts (clusters) and recomputes the pooled rate sum(numerators) /
sum(denominators), whose point value is the plain (W + ½T) / N over games.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from globeval.results.stats import Estimate

NAN_ESTIMATE = Estimate(float("nan"), float("nan"), float("nan"), 0)


def ratio_draws(
    numerators: NDArray[np.float64],
    denominators: NDArray[np.float64],
    n_resamples: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """The pooled rate in each of `n_resamples` resamples of the clusters (NaN where a resample
    has no denominator)."""
    k = len(numerators)
    out = np.empty(n_resamples)
    chunk = max(1, 2_000_000 // max(k, 1))
    for start in range(0, n_resamples, chunk):
        stop = min(n_resamples, start + chunk)
        idx = rng.integers(0, k, size=(stop - start, k))
        num = numerators[idx].sum(axis=1)
        den = denominators[idx].sum(axis=1)
        out[start:stop] = np.divide(num, den, out=np.full(stop - start, np.nan), where=den > 0)
    return out


def interval(draws: NDArray[np.float64], confidence: float = 0.95) -> tuple[float, float]:
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return float("nan"), float("nan")
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return float(low), float(high)


def ratio_estimate(
    numerators: Sequence[float],
    denominators: Sequence[float],
    n_resamples: int,
    rng: np.random.Generator,
) -> tuple[Estimate, NDArray[np.float64]]:
    """sum(numerators) / sum(denominators) with a cluster-bootstrap CI, and its draws."""
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    total = float(den.sum())
    if total <= 0:
        return NAN_ESTIMATE, np.full(n_resamples, np.nan)
    draws = ratio_draws(num, den, n_resamples, rng)
    low, high = interval(draws)
    return Estimate(float(num.sum()) / total, low, high, int(total)), draws


def mean_of_draws(
    values: Sequence[float], draws: Sequence[NDArray[np.float64]], n: int
) -> Estimate:
    """A macro average (mean over groups, NaN groups left out) whose CI comes from averaging the
    groups' draws round by round (groups resampled independently: a stratified bootstrap)."""
    kept = [(v, d) for v, d in zip(values, draws, strict=True) if np.isfinite(v)]
    if not kept:
        return NAN_ESTIMATE
    value = float(np.mean([v for v, _ in kept]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a round where every group is NaN
        averaged = np.nanmean(np.vstack([d for _, d in kept]), axis=0)
    low, high = interval(averaged)
    return Estimate(value, low, high, n)
