"""Confidence intervals by bootstrap over items, seeded so that the same run gives the same CIs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DEFAULT_RESAMPLES = 1000


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    n: int


def _resampled_means(
    values: NDArray[np.float64], n_resamples: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    n = len(values)
    if np.all((values == 0.0) | (values == 1.0)):
        # Resampling n Bernoulli outcomes with replacement is Binomial(n, k/n): draw that directly
        # instead of materialising n_resamples x n indices (14k items x 1000 resamples).
        k = int(values.sum())
        return rng.binomial(n, k / n, size=n_resamples).astype(np.float64) / n
    out = np.empty(n_resamples)
    chunk = max(1, 2_000_000 // max(n, 1))
    for start in range(0, n_resamples, chunk):
        stop = min(n_resamples, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = values[idx].mean(axis=1)
    return out


def bootstrap_mean(
    values: Sequence[float] | NDArray[np.float64],
    n_resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    seed: int = 0,
) -> Estimate:
    """Mean with a percentile bootstrap CI. Empty input gives NaN with n = 0."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    rng = np.random.default_rng(seed)
    means = _resampled_means(arr, n_resamples, rng)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return Estimate(float(arr.mean()), float(low), float(high), int(arr.size))


def bootstrap_macro(
    groups: Sequence[Sequence[float]],
    n_resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[Estimate, Estimate]:
    """Macro (mean of group means) and micro (pooled) means, each with a CI from a bootstrap
    stratified by group: every resample redraws each group's items within that group."""
    arrays = [np.asarray(g, dtype=np.float64) for g in groups if len(g)]
    if not arrays:
        nan = Estimate(float("nan"), float("nan"), float("nan"), 0)
        return nan, nan
    rng = np.random.default_rng(seed)
    per_group = np.stack([_resampled_means(a, n_resamples, rng) for a in arrays])
    sizes = np.array([a.size for a in arrays], dtype=np.float64)
    macro_draws = per_group.mean(axis=0)
    micro_draws = (per_group * sizes[:, None]).sum(axis=0) / sizes.sum()
    alpha = (1.0 - confidence) / 2.0
    total = int(sizes.sum())
    macro_value = float(np.mean([a.mean() for a in arrays]))
    micro_value = float(np.concatenate(arrays).mean())
    m_low, m_high = np.quantile(macro_draws, [alpha, 1.0 - alpha])
    u_low, u_high = np.quantile(micro_draws, [alpha, 1.0 - alpha])
    return (
        Estimate(macro_value, float(m_low), float(m_high), total),
        Estimate(micro_value, float(u_low), float(u_high), total),
    )


def resampled_means(
    values: Sequence[float] | NDArray[np.float64], n_resamples: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """`n_resamples` bootstrap means of `values` drawn with `rng`: the building block for CIs of
    statistics computed from several groups' means (stratified bootstraps)."""
    return _resampled_means(np.asarray(values, dtype=np.float64), n_resamples, rng)


def percentile_interval(
    draws: NDArray[np.float64], confidence: float = 0.95
) -> tuple[float, float]:
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [alpha, 1.0 - alpha])
    return float(low), float(high)
