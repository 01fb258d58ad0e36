"""compare_runs on two runs whose differences are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from globeval.analysis import compare_runs, load_runs
from tests.synthetic_runs import base_and_other


def test_per_language_changes_flags_and_counts(tmp_path: Path) -> None:
    base, other = load_runs(base_and_other(tmp_path))
    result = compare_runs(base, other, n_resamples=500)
    langs = result.languages.set_index("language")
    assert langs.loc["hi", "relative"] == pytest.approx(-50.0)
    assert langs.loc["hi", "flag"] == "regression"
    assert langs.loc["hi", "relative_high"] < 0
    assert langs.loc["sw", "relative"] == pytest.approx(100.0)
    assert langs.loc["sw", "flag"] == "improvement"
    # unchanged items: a zero-width paired CI, nothing flagged
    assert langs.loc["en", "change"] == 0 and langs.loc["en", "flag"] == ""
    assert (langs.loc["en", "change_low"], langs.loc["en", "change_high"]) == (0, 0)
    assert langs.loc["en", "n"] == 99 and langs.loc["fr", "n"] == 99
    counts = result.counts.iloc[0]
    assert counts["compared"] == 99 + 99 + 100 + 100
    assert counts["unscored_in_other"] == 1 and counts["only_in_base"] == 1
    assert any("num_fewshot differs" in note for note in result.notes)


def test_benchmark_and_group_rows(tmp_path: Path) -> None:
    base, other = load_runs(base_and_other(tmp_path))
    result = compare_runs(base, other, n_resamples=500)
    bench = result.benchmarks.iloc[0]
    en = 79 / 99  # item 0 left out of the pairs
    fr = 70 / 99
    assert bench["base"] == pytest.approx((en + fr + 0.4 + 0.3) / 4)
    assert bench["other"] == pytest.approx((en + fr + 0.2 + 0.6) / 4)
    groups = result.groups.set_index(["by", "group"])
    assert groups.loc[("script", "Devanagari (Deva)"), "flag"] == "regression"
    assert groups.loc[("latin", "Latin"), "relative"] == pytest.approx(
        100 * ((en + fr + 0.6) - (en + fr + 0.3)) / (en + fr + 0.3)
    )


def test_regressions_respect_the_threshold(tmp_path: Path) -> None:
    base, other = load_runs(base_and_other(tmp_path))
    result = compare_runs(base, other, n_resamples=500)
    assert set(result.regressions(10)["level"]) >= {"language", "group"}
    assert result.regressions(60).empty  # hi fell by 50%


def test_a_lower_is_better_metric_flips_the_flags(tmp_path: Path) -> None:
    paths = base_and_other(tmp_path)
    for path in paths:
        summary = json.loads((path / "summary.json").read_text())
        summary["tasks"]["t"]["higher_is_better"] = False
        (path / "summary.json").write_text(json.dumps(summary))
    base, other = load_runs(paths)
    langs = compare_runs(base, other, n_resamples=300).languages.set_index("language")
    assert langs.loc["hi", "flag"] == "improvement"
    assert langs.loc["sw", "flag"] == "regression"
    assert langs.loc["sw", "drop"] == pytest.approx(100.0)


def test_tasks_must_be_in_both_runs(tmp_path: Path) -> None:
    base, other = load_runs(base_and_other(tmp_path))
    with pytest.raises(ValueError, match="nope"):
        compare_runs(base, other, tasks=["nope"])


def test_a_task_without_samples_is_noted_not_compared(tmp_path: Path) -> None:
    paths = base_and_other(tmp_path)
    (paths[1] / "samples" / "t.parquet").unlink()
    base, other = load_runs(paths)
    result = compare_runs(base, other, n_resamples=100)
    assert result.languages.empty
    assert any("no samples file in other" in note for note in result.notes)
