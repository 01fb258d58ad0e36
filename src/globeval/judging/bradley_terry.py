"""Bradley–Terry ratings from judged battles, as arena-hard-auto v0.1 computes them.

Battles. Each prompt gives two games with the answers' positions swapped; in both, the battle is
written baseline (model_a) vs candidate (model_b). A>B / B>A is one win, A>>B / B>>A `weight`
wins (3), A=B a tie; any other label gives no battle (show_result.py `get_battles_from_row`).

Fit (utils_math.py `compute_mle_elo`). Every battle appears twice; a win counts twice for its
winner and a tie once for each side. Logistic regression without intercept and without penalty
(scikit-learn, lbfgs, tol 1e-8) on ±ln 10 indicators gives ratings 400·β + 1000, shifted so that
the baseline is 1000. Score: the win rate against the baseline, 1 / (1 + 10^((R_base − R)/400)).

Confidence interval. 100 bootstrap resamples of the battles, drawn as pandas' `sample(frac=1,
replace=True)` draws them from numpy's legacy generator seeded 42 (arena-hard seeds the global
generator once at import); each resample is refitted, the 2.5th and 97.5th percentiles of each
model's ratings are taken and turned into win rates against the baseline's percentiles.
When one side won every battle (a tiny set, or an unlucky resample) the likelihood has no
finite maximum and arena-hard-auto's code stops with an error; here the gap is capped at 2400
Elo points (a win rate of 1 − 10⁻⁶), so such a language still gets a score.
Every resample is anchored at the baseline: arena-hard-auto does so only when the baseline is
named gpt-4-0314 (its bootstrap drops the baseline argument), so for other names its intervals
differ from these; with gpt-4-0314 they are equal (benchmarks/arena_vs_reference.py).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Winner = Literal["model_a", "model_b", "tie"]

SCALE = 400.0
BASE = 10.0
INIT_RATING = 1000.0
DEFAULT_WEIGHT = 3
DEFAULT_ROUNDS = 100
DEFAULT_SEED = 42
#: the rating gap used when one side won every battle (the MLE is infinite there): a win
#: rate of 1 - 1e-6; arena-hard-auto's code stops with an error on such data instead
SEPARATED_GAP = SCALE * 6.0

#: game 1 puts the baseline in position A; game 2 puts the candidate there
_GAME1: dict[str, tuple[Winner, bool]] = {
    "A=B": ("tie", False),
    "A>B": ("model_a", False),
    "A>>B": ("model_a", True),
    "B>A": ("model_b", False),
    "B>>A": ("model_b", True),
}
_GAME2: dict[str, tuple[Winner, bool]] = {
    "A=B": ("tie", False),
    "A>B": ("model_b", False),
    "A>>B": ("model_b", True),
    "B>A": ("model_a", False),
    "B>>A": ("model_a", True),
}
VALID_LABELS = tuple(_GAME1)


@dataclass(frozen=True, slots=True)
class Battle:
    model_a: str
    model_b: str
    winner: Winner
    question_id: str = ""


def battles_from_game(
    label: str | None,
    game: int,
    baseline: str,
    candidate: str,
    question_id: str = "",
    weight: int = DEFAULT_WEIGHT,
) -> list[Battle]:
    """The battles one judged game adds (none for an unparsed or unknown label)."""
    table = _GAME1 if game == 1 else _GAME2
    if label not in table:
        return []
    winner, strong = table[label]
    return [Battle(baseline, candidate, winner, question_id)] * (weight if strong else 1)


def _design(
    battles: Sequence[Battle], names: dict[str, int]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    n = len(battles)
    ia = np.array([names[b.model_a] for b in battles], dtype=np.intp)
    ib = np.array([names[b.model_b] for b in battles], dtype=np.intp)
    winner = np.array([b.winner for b in battles])
    rows = np.arange(2 * n)
    x = np.zeros((2 * n, len(names)))
    x[rows, np.concatenate([ia, ia])] = +math.log(BASE)
    x[rows, np.concatenate([ib, ib])] = -math.log(BASE)
    y = np.zeros(2 * n)
    y[np.concatenate([winner == "model_a", winner == "model_a"])] = 1.0
    # a tie is one win for each side: the first copy is A's win, the second B's
    y[np.concatenate([winner == "tie", np.zeros(n, dtype=bool)])] = 1.0
    return x, y


def fit_ratings(battles: Sequence[Battle], baseline: str) -> dict[str, float]:
    """Elo-scale ratings, baseline = 1000 when it took part."""
    from sklearn.linear_model import LogisticRegression

    # models in order of first appearance, model_a column first (as pandas' unique() lists them)
    order = list(dict.fromkeys([b.model_a for b in battles] + [b.model_b for b in battles]))
    names = {m: i for i, m in enumerate(order)}
    x, y = _design(battles, names)
    if np.all(y == y[0]):
        return _separated(battles, baseline, names)
    # C=inf is "no penalty" (penalty=None before scikit-learn 1.8)
    model = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-8)
    with warnings.catch_warnings():
        # a resample where one side won every battle has no finite optimum; lbfgs stops at its
        # iteration limit, exactly as in the reference
        warnings.simplefilter("ignore")
        model.fit(x, y)
    ratings = SCALE * model.coef_[0] + INIT_RATING
    if baseline in names:
        ratings = ratings + (INIT_RATING - ratings[names[baseline]])
    return {m: float(ratings[i]) for m, i in names.items()}


def _separated(battles: Sequence[Battle], baseline: str, names: dict[str, int]) -> dict[str, float]:
    """Ratings when the same side won every battle: winners above, losers below, capped."""
    winners = {b.model_a if b.winner == "model_a" else b.model_b for b in battles}
    losers = {b.model_b if b.winner == "model_a" else b.model_a for b in battles}
    ratings = {m: INIT_RATING + SEPARATED_GAP * ((m in winners) - (m in losers)) / 2 for m in names}
    if baseline in ratings:
        shift = INIT_RATING - ratings[baseline]
        ratings = {m: r + shift for m, r in ratings.items()}
    return ratings


def win_rate(rating: float, baseline_rating: float) -> float:
    return float(1.0 / (1.0 + BASE ** ((baseline_rating - rating) / SCALE)))


@dataclass
class BTResult:
    baseline: str
    ratings: dict[str, float]
    #: one row per bootstrap round: model -> rating (NaN where the model drew no battle)
    draws: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    def score(self, model: str) -> float:
        if model not in self.ratings or self.baseline not in self.ratings:
            return float("nan")
        return win_rate(self.ratings[model], self.ratings[self.baseline])

    def interval(self, model: str) -> tuple[float, float]:
        """(2.5%, 97.5%) win rates: percentiles of ratings, then converted (as the reference)."""
        if model not in self.draws or self.baseline not in self.draws:
            return float("nan"), float("nan")
        lo_m, hi_m = np.percentile(self.draws[model], [2.5, 97.5])
        lo_b, hi_b = np.percentile(self.draws[self.baseline], [2.5, 97.5])
        return win_rate(float(lo_m), float(lo_b)), win_rate(float(hi_m), float(hi_b))

    def win_rate_draws(self, model: str) -> NDArray[np.float64]:
        """Per-round win rates against the baseline (for averages over languages)."""
        if model not in self.draws or self.baseline not in self.draws:
            return np.full(1, np.nan)
        diff = self.draws[self.baseline] - self.draws[model]
        out: NDArray[np.float64] = 1.0 / (1.0 + BASE ** (diff / SCALE))
        return out


def bootstrap(
    battles: Sequence[Battle],
    baseline: str,
    rounds: int = DEFAULT_ROUNDS,
    seed: int = DEFAULT_SEED,
) -> BTResult:
    """Ratings and their bootstrap draws, resampled exactly as arena-hard-auto resamples."""
    if not battles:
        return BTResult(baseline, {})
    ratings = fit_ratings(battles, baseline)
    rng = np.random.RandomState(seed)
    n = len(battles)
    rows: list[dict[str, float]] = []
    for _ in range(rounds):
        idx = rng.choice(n, size=n, replace=True)
        rows.append(fit_ratings([battles[i] for i in idx], baseline))
    draws = {m: np.array([row.get(m, np.nan) for row in rows]) for m in ratings}
    return BTResult(baseline, ratings, draws)
