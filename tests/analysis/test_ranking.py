"""Kendall's tau between rankings, on runs whose rankings are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau

from globeval.analysis import RunSet
from globeval.analysis.ranking import kendall_tau_b
from tests.synthetic_runs import cs_first, ones, records, subset_scores, write_run


def test_vectorised_tau_matches_scipy_with_ties() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 4, size=(50, 7)).astype(float)
    b = rng.integers(0, 4, size=(50, 7)).astype(float)
    ours = kendall_tau_b(a, b)
    for i in range(50):
        expected = kendalltau(a[i], b[i]).statistic
        assert ours[i] == pytest.approx(expected, nan_ok=True)


def _three_runs(root: Path) -> RunSet:
    """A is best on CS and worst on CA, C the reverse; in English A > B > C, in French the
    same, in Arabic reversed."""
    plan = {"A": (90, 10, 90, 90, 10), "B": (50, 50, 60, 60, 50), "C": (10, 90, 30, 30, 90)}
    paths = []
    for name, (cs, ca, en, fr, ar) in plan.items():
        gm = records("gm", {"en": subset_scores(cs, ca)}, groups=cs_first())
        lang = records(
            "multi", {"en": ones(200, en * 2), "fr": ones(200, fr * 2), "ar": ones(200, ar * 2)}
        )
        paths.append(
            write_run(
                root,
                name,
                {"gm": gm, "multi": lang},
                model=f"model-{name}",
                group_fields=["cultural_sensitivity_label"],
            )
        )
    return RunSet.load(paths, n_resamples=300)


def test_rankings_reverse_between_subsets(tmp_path: Path) -> None:
    rs = _three_runs(tmp_path)
    taus, ranks = rs.rank_changes("cultural_sensitivity_label", "CS", "CA")
    assert list(taus["task"]) == ["gm"]  # `multi` has no such column
    row = taus.iloc[0]
    assert row["tau"] == pytest.approx(-1.0)
    assert row["tau_high"] < 0
    by_run = ranks.set_index("run")
    assert by_run.loc["A", "rank_a"] == 1 and by_run.loc["A", "rank_b"] == 3
    assert by_run.loc["C", "rank_change"] == 2  # third on CS, first on CA


def test_all_items_vs_a_subset(tmp_path: Path) -> None:
    rs = _three_runs(tmp_path)
    taus, ranks = rs.rank_changes("cultural_sensitivity_label", None, "CS")
    assert taus.iloc[0]["a"] == "all"
    # on all items A, B and C tie (50%): the ranking on all items is one tie
    assert set(ranks["value_a"].round(6)) == {0.5}


def test_rank_agreement_between_languages(tmp_path: Path) -> None:
    rs = _three_runs(tmp_path)
    by_lang = rs.rank_by_language("en")
    multi = by_lang[by_lang["task"] == "multi"].set_index("language")
    assert multi.loc["fr", "tau"] == pytest.approx(1.0)
    assert multi.loc["ar", "tau"] == pytest.approx(-1.0)
    assert multi.loc["ar", "tau_high"] < 0 < multi.loc["fr", "tau_low"]
    assert "en" not in multi.index
