"""Bootstrap draws of means over items, jointly for several columns (paired runs, subsets).

Resampling n items with replacement only matters through how many times each distinct row is
drawn: with few distinct rows (0/1 scores of two runs have at most 4) that is one multinomial
draw per resample, instead of n random indices. 14,042 items x 1,000 resamples then costs
microseconds, which is what lets a report bootstrap every language of every run.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

#: above this many distinct rows, resample indices instead (the multinomial gains nothing)
MAX_DISTINCT = 2048
Array = NDArray[np.float64]


def seed_for(*parts: object) -> int:
    """A seed that depends on what is resampled, not on the order of the analysis."""
    return zlib.crc32("\x1f".join(str(p) for p in parts).encode("utf-8"))


def mean_draws(values: Array, n_resamples: int, rng: np.random.Generator) -> Array:
    """Bootstrap means of each column of `values` (n items x k columns), resampling rows
    together: returns n_resamples x k. A 1-d input gives a 1-d output."""
    arr = np.asarray(values, dtype=np.float64)
    flat = arr.ndim == 1
    if flat:
        arr = arr[:, None]
    n = arr.shape[0]
    if n == 0:
        out = np.full((n_resamples, arr.shape[1]), np.nan)
        return out[:, 0] if flat else out
    distinct = [np.unique(arr[:, j], return_inverse=True) for j in range(arr.shape[1])]
    sizes = [len(values) for values, _ in distinct]
    if int(np.prod(sizes, dtype=np.float64)) <= MAX_DISTINCT:
        # each row as one integer: its position in the grid of distinct column values
        codes = np.ravel_multi_index([inverse.ravel() for _, inverse in distinct], sizes)
        counts = np.bincount(codes, minlength=int(np.prod(sizes)))
        present = np.flatnonzero(counts)
        cells = np.unravel_index(present, sizes)
        rows = np.stack([distinct[j][0][cells[j]] for j in range(len(sizes))], axis=1)
        picks = rng.multinomial(n, counts[present] / n, size=n_resamples).astype(np.float64)
        out = picks @ rows / n
    else:
        out = np.empty((n_resamples, arr.shape[1]))
        chunk = max(1, 4_000_000 // (n * arr.shape[1]))
        for start in range(0, n_resamples, chunk):
            stop = min(n_resamples, start + chunk)
            idx = rng.integers(0, n, size=(stop - start, n))
            out[start:stop] = arr[idx].mean(axis=1)
    return out[:, 0] if flat else out


def normal_draws(
    value: float, low: float, high: float, n_resamples: int, rng: np.random.Generator, conf: float
) -> Array:
    """Draws for an estimate known only by its value and CI (a metric that is not a mean of
    per-sample scores): a normal with the standard error the CI implies."""
    if any(np.isnan(x) for x in (value, low, high)):
        return np.full(n_resamples, value)
    se = (high - low) / (2 * float(norm.ppf(0.5 + conf / 2)))
    return value + se * rng.standard_normal(n_resamples)


def interval(draws: Array, confidence: float) -> tuple[float, float]:
    """Percentile interval of bootstrap draws, ignoring draws that are undefined."""
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - confidence) / 2
    low, high = np.quantile(finite, [alpha, 1 - alpha])
    return float(low), float(high)


def relative_change(base: Array | float, other: Array | float) -> Array:
    """100 * (other - base) / base, NaN where the base is 0."""
    b = np.asarray(base, dtype=np.float64)
    o = np.asarray(other, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b != 0, 100.0 * (o - b) / np.where(b != 0, b, 1.0), np.nan)
    return np.asarray(out, dtype=np.float64)
