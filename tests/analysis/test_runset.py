"""Per-language profile, gaps, groupings and subsets on synthetic runs with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from globeval.analysis import RunSet
from tests.synthetic_runs import BENCH_A, profile_run, records, write_run


@pytest.fixture
def rs(tmp_path: Path) -> RunSet:
    return RunSet.load([profile_run(tmp_path)], n_resamples=400)


def test_languages_reads_values_cis_counts_and_metadata(rs: RunSet) -> None:
    table = rs.languages()
    a = table[table["task"] == "bench_a"].set_index("language")
    assert a["value"].to_dict() == pytest.approx({k: v / 100 for k, v in BENCH_A.items()})
    assert (a["ci_low"] < a["value"]).all() and (a["value"] < a["ci_high"]).all()
    assert a.loc["sw", "language_name"] == "Swahili"
    assert a.loc["hi", "script"] == "Deva" and not a.loc["hi", "latin"]
    assert a.loc["sw", "resource_class"] == 2 and a.loc["en", "resource_class"] == 5
    assert (a["scored"] == 100).all() and (a["failed"] == 0).all()
    assert set(table["task"]) == {"bench_a", "bench_b"}


def test_english_gap(rs: RunSet) -> None:
    gap = rs.english_gap()
    a = gap[(gap["task"] == "bench_a") & (gap["level"] == "language")].set_index("language")
    assert "en" not in a.index
    assert a.loc["fr", "gap"] == pytest.approx(-0.1)
    assert a.loc["sw", "gap"] == pytest.approx(-0.5)
    assert a.loc["sw", "relative"] == pytest.approx(-62.5)
    assert a.loc["sw", "gap_high"] < 0  # 30% vs 80% on 100 items each: clearly worse
    assert a.loc["fr", "gap_low"] < -0.1 < a.loc["fr", "gap_high"]
    macro = gap[(gap["task"] == "bench_a") & (gap["level"] == "macro")].iloc[0]
    assert macro["gap"] == pytest.approx((0.7 + 0.5 + 0.4 + 0.3) / 4 - 0.8)
    assert macro["gap_low"] < macro["gap"] < macro["gap_high"]


def test_gap_leaves_out_tasks_without_the_reference(tmp_path: Path) -> None:
    run = write_run(tmp_path, "no-en", {"t": records("t", {"fr": [1.0, 0.0], "de": [1.0]})})
    assert RunSet.load([run]).english_gap().empty


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("latin", {"Latin": (0.8 + 0.7 + 0.3) / 3, "non-Latin": (0.5 + 0.4) / 2}),
        ("script", {"Latin (Latn)": 0.6, "Arabic (Arab)": 0.5, "Devanagari (Deva)": 0.4}),
        (
            "resource_class",
            {"5 The Winners": (0.8 + 0.7 + 0.5) / 3, "4 The Underdogs": 0.4, "2 The Hopefuls": 0.3},
        ),
        (
            "family",
            {"Indo-European": (0.8 + 0.7 + 0.4) / 3, "Afro-Asiatic": 0.5, "Atlantic-Congo": 0.3},
        ),
    ],
)
def test_group_scores_are_macro_averages(rs: RunSet, by: str, expected: dict[str, float]) -> None:
    groups = rs.by_group(by)
    a = groups[groups["task"] == "bench_a"].set_index("group")
    assert a["value"].to_dict() == pytest.approx(expected)
    assert (a["ci_low"] <= a["value"]).all() and (a["value"] <= a["ci_high"]).all()


def test_group_by_unknown_grouping_is_refused(rs: RunSet) -> None:
    with pytest.raises(ValueError, match="cannot group by 'colour'"):
        rs.by_group("colour")


def test_cs_vs_ca(rs: RunSet) -> None:
    sub = rs.subsets("cultural_sensitivity_label", "CS", "CA")
    assert set(sub["task"]) == {"bench_a"}  # bench_b has no such column
    lang = sub[sub["level"] == "language"].set_index("language")
    # ones(100, k): items 0..k-1 correct; CS = items 0-49
    for code, k in BENCH_A.items():
        cs, ca = min(k, 50) / 50, max(k - 50, 0) / 50
        assert lang.loc[code, "value_a"] == pytest.approx(cs)
        assert lang.loc[code, "value_b"] == pytest.approx(ca)
        assert lang.loc[code, "n_a"] == 50 and lang.loc[code, "n_b"] == 50
    assert lang.loc["sw", "diff_low"] > 0  # 60% vs 0%
    macro = sub[sub["level"] == "macro"].iloc[0]
    assert macro["diff"] == pytest.approx(lang["diff"].mean())


def test_a_metric_that_is_not_a_sample_mean_uses_the_summary(tmp_path: Path) -> None:
    run = profile_run(tmp_path)
    path = run / "summary.json"
    summary = json.loads(path.read_text())
    for row in summary["tasks"]["bench_a"]["languages"]:
        row["accuracy"] = {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 100}
    path.write_text(json.dumps(summary))
    rs = RunSet.load([run], n_resamples=2000)
    assert not rs.is_sample_mean(rs.runs[0], "bench_a")
    assert rs.is_sample_mean(rs.runs[0], "bench_b")
    latin = rs.by_group("latin")
    row = latin[(latin["task"] == "bench_a") & (latin["group"] == "Latin")].iloc[0]
    assert row["value"] == pytest.approx(0.5)
    # three languages, each with se 0.1/1.96: the mean's CI is about +-0.1/sqrt(3)
    assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * 0.1 / 3**0.5, rel=0.15)
