"""Tests for globeval.judging.bradley_terry: battles, the fit and the bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest

from globeval.judging import bradley_terry as bt

BASE, CAND = "base", "cand"


def battles(wins: int, ties: int, losses: int, cand: str = CAND) -> list[bt.Battle]:
    """Battles as arena-hard writes them: baseline in model_a, candidate in model_b."""
    return (
        [bt.Battle(BASE, cand, "model_b")] * wins
        + [bt.Battle(BASE, cand, "tie")] * ties
        + [bt.Battle(BASE, cand, "model_a")] * losses
    )


@pytest.mark.parametrize(
    ("label", "game", "winner", "copies"),
    [
        ("A>>B", 1, "model_a", 3),  # game 1: A is the baseline
        ("A>B", 1, "model_a", 1),
        ("A=B", 1, "tie", 1),
        ("B>A", 1, "model_b", 1),
        ("B>>A", 1, "model_b", 3),
        ("A>>B", 2, "model_b", 3),  # game 2: A is the candidate
        ("A>B", 2, "model_b", 1),
        ("A=B", 2, "tie", 1),
        ("B>A", 2, "model_a", 1),
        ("B>>A", 2, "model_a", 3),
    ],
)
def test_battles_from_game(label: str, game: int, winner: str, copies: int) -> None:
    out = bt.battles_from_game(label, game, BASE, CAND, "q1")
    assert len(out) == copies
    assert {(b.model_a, b.model_b, b.winner, b.question_id) for b in out} == {
        (BASE, CAND, winner, "q1")
    }


@pytest.mark.parametrize("label", [None, "A", "A>B>A", "C>A", ""])
def test_unparsed_or_unknown_labels_give_no_battle(label: str | None) -> None:
    assert bt.battles_from_game(label, 1, BASE, CAND) == []


def test_weight_is_configurable() -> None:
    assert len(bt.battles_from_game("B>>A", 1, BASE, CAND, weight=5)) == 5


def test_two_players_match_the_hand_computed_mle() -> None:
    # 3 wins, 2 ties, 1 loss: ties count half each way, so P(cand beats base) = 4/6 and the
    # rating gap is 400·log10(p / (1 - p)) = 400·log10(2) = 120.412 Elo points
    ratings = bt.fit_ratings(battles(3, 2, 1), BASE)
    assert ratings[BASE] == pytest.approx(1000.0, abs=1e-9)
    assert ratings[CAND] == pytest.approx(1000 + 400 * math.log10(2), abs=1e-3)
    assert bt.win_rate(ratings[CAND], ratings[BASE]) == pytest.approx(2 / 3, abs=1e-6)


def test_three_players_star_and_cycle() -> None:
    # candidates only meet the baseline: each one's rating depends on its own record alone
    star = battles(1, 0, 3, "weak") + battles(3, 0, 1, "strong")
    ratings = bt.fit_ratings(star, BASE)
    assert bt.win_rate(ratings["weak"], ratings[BASE]) == pytest.approx(0.25, abs=1e-6)
    assert bt.win_rate(ratings["strong"], ratings[BASE]) == pytest.approx(0.75, abs=1e-6)
    # a cycle a > b > c > a, once each: everyone is equal
    cycle = [
        bt.Battle("a", "b", "model_a"),
        bt.Battle("c", "b", "model_b"),
        bt.Battle("c", "a", "model_a"),
    ]
    assert bt.fit_ratings(cycle, "a") == pytest.approx({"a": 1000, "b": 1000, "c": 1000}, abs=1e-4)


@pytest.mark.parametrize(("wins", "losses", "expected"), [(4, 0, 1.0), (0, 4, 0.0)])
def test_one_side_winning_everything_is_capped_not_an_error(
    wins: int, losses: int, expected: float
) -> None:
    result = bt.bootstrap(battles(wins, 0, losses), BASE, rounds=5)
    assert result.score(CAND) == pytest.approx(expected, abs=1e-5)
    assert result.ratings[BASE] == 1000.0
    assert result.interval(CAND) == pytest.approx((expected, expected), abs=1e-5)


def test_all_ties_is_a_coin_flip() -> None:
    result = bt.bootstrap(battles(0, 5, 0), BASE, rounds=20)
    assert result.score(CAND) == pytest.approx(0.5, abs=1e-9)
    assert result.interval(CAND) == pytest.approx((0.5, 0.5), abs=1e-6)


def test_bootstrap_resamples_as_pandas_sample_with_seed_42() -> None:
    import pandas as pd

    # arena-hard resamples with DataFrame.sample(frac=1, replace=True) after np.random.seed(42)
    frame = pd.DataFrame({"i": range(37)})
    state = np.random.get_state()
    try:
        np.random.seed(42)
        first = frame.sample(frac=1.0, replace=True)["i"].tolist()
        second = frame.sample(frac=1.0, replace=True)["i"].tolist()
    finally:
        np.random.set_state(state)
    rng = np.random.RandomState(42)
    assert rng.choice(37, size=37, replace=True).tolist() == first
    assert rng.choice(37, size=37, replace=True).tolist() == second


def test_bootstrap_interval_and_determinism() -> None:
    data = battles(30, 10, 20)
    result = bt.bootstrap(data, BASE, rounds=50, seed=42)
    again = bt.bootstrap(data, BASE, rounds=50, seed=42)
    other = bt.bootstrap(data, BASE, rounds=50, seed=7)
    low, high = result.interval(CAND)
    assert low < result.score(CAND) < high
    assert result.interval(CAND) == again.interval(CAND)
    assert result.interval(CAND) != other.interval(CAND)
    # every resample is anchored at the baseline
    assert np.allclose(result.draws[BASE], 1000.0)
    # the CI is the percentiles of the ratings, turned into win rates
    lo_r, hi_r = np.percentile(result.draws[CAND], [2.5, 97.5])
    assert low == pytest.approx(bt.win_rate(lo_r, 1000.0))
    assert high == pytest.approx(bt.win_rate(hi_r, 1000.0))
    assert result.win_rate_draws(CAND).shape == (50,)


def test_no_battles_gives_nan() -> None:
    result = bt.bootstrap([], BASE)
    assert math.isnan(result.score(CAND))
    assert all(math.isnan(x) for x in result.interval(CAND))
