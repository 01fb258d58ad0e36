"""Preference-run summaries against worked examples: scores, CIs, English gap, agreement."""

from __future__ import annotations

from typing import Any

import pytest

from globeval.results.reward_summary import summarize_preferences
from globeval.scoring.reward import language_score, section_scores, subset_accuracies

# item id -> (subset, English outcome, French outcome)
ITEMS = {
    "1": ("alpacaeval-easy", 1.0, 1.0),
    "2": ("alpacaeval-easy", 1.0, 0.0),
    "3": ("mt-bench-hard", 0.0, 0.0),
    "4": ("mt-bench-hard", 1.0, 1.0),
    "5": ("donotanswer", 1.0, 0.0),
    "6": ("donotanswer", 0.0, 1.0),
    "7": ("hep-go", 1.0, 1.0),
    "8": ("math-prm", 0.0, 0.0),
}


def record(lang: str, item: str, subset: str, score: float | None, **kw: Any) -> dict[str, Any]:
    return {
        "language": lang,
        "status": kw.pop("status", "ok"),
        "score": score,
        "subset": subset,
        "category": "",
        "extra": {"item_id": item, **kw},
    }


def records() -> list[dict[str, Any]]:
    out = []
    for item, (subset, en, fr) in ITEMS.items():
        out.append(record("en", item, subset, en))
        out.append(record("fr", item, subset, fr))
    return out


def expected_score(col: int) -> tuple[dict[str, float], float]:
    acc = subset_accuracies((v[0], v[col]) for v in ITEMS.values())
    sections = section_scores(acc)
    return sections, language_score(sections)


def test_scores_follow_the_reward_bench_rules() -> None:
    summary = summarize_preferences(records(), seed=1, n_resamples=200)
    en_sections, en_score = expected_score(1)
    fr_sections, fr_score = expected_score(2)
    assert summary["sections"]["en"] == pytest.approx(en_sections)
    assert summary["sections"]["fr"] == pytest.approx(fr_sections)
    # Reasoning: hep-go 1.0 (164) and math-prm 0.0 (984)
    assert en_sections["Reasoning"] == pytest.approx(164 / (164 + 984))
    rows = {r["language"]: r for r in summary["languages"]}
    assert [r["language"] for r in summary["languages"]] == ["en", "fr"]  # English first
    assert rows["en"]["score"]["value"] == pytest.approx(en_score)
    assert rows["fr"]["accuracy"]["value"] == pytest.approx(0.5)
    for row in rows.values():
        est = row["score"]
        assert est["ci_low"] <= est["value"] <= est["ci_high"]
        assert est["n"] == 8
    assert summary["overall"]["macro"]["score"]["value"] == pytest.approx((en_score + fr_score) / 2)


def test_english_gap_per_section() -> None:
    summary = summarize_preferences(records(), seed=1, n_resamples=200)
    en_sections, en_score = expected_score(1)
    fr_sections, fr_score = expected_score(2)
    gaps = {g["section"]: g for g in summary["english_gap"]}
    assert gaps["Chat"]["gap"]["value"] == pytest.approx(fr_sections["Chat"] - en_sections["Chat"])
    assert gaps["Chat"]["gap"]["value"] == pytest.approx(-0.5)
    assert gaps["score"]["gap"]["value"] == pytest.approx(fr_score - en_score)
    low, high = gaps["Chat"]["gap"]["ci_low"], gaps["Chat"]["gap"]["ci_high"]
    assert low <= -0.5 <= high and low < high


def test_agreement_with_english_and_kappa() -> None:
    summary = summarize_preferences(records(), seed=1, n_resamples=200)
    (fr,) = summary["agreement_with_english"]
    assert fr["language"] == "fr" and fr["items"] == 8
    # English 1,1,0,1,1,0,1,0 and French 1,0,0,1,0,1,1,0 agree on items 1, 3, 4, 7, 8
    assert fr["agreement"]["value"] == pytest.approx(5 / 8)
    # chance agreement: 5/8 * 4/8 + 3/8 * 4/8 = 1/2, so kappa = (5/8 - 1/2) / (1 - 1/2)
    assert fr["kappa"] == pytest.approx(0.25)
    low, high = fr["agreement"]["ci_low"], fr["agreement"]["ci_high"]
    assert low < 5 / 8 < high


def test_counts_notes_and_partial_sections() -> None:
    recs = [
        record("en", "1", "alpacaeval-easy", 0.5, status="format_error", contradictory=False),
        record("en", "2", "alpacaeval-easy", 1.0, contradictory=True),
        record("en", "3", "hep-go", None, status="skipped"),
        record("en", "4", "hep-go", 1.0, truncated=2),
        record("en", "5", "hep-go", None, status="failed"),
    ]
    summary = summarize_preferences(recs, generative=True, seed=0, n_resamples=100)
    counts = summary["counts"]
    assert counts["format_errors"] == 1 and counts["skipped"] == 1 and counts["failed"] == 1
    assert counts["contradictory_verdicts"] == 1 and counts["truncated_inputs"] == 2
    assert summary["sections"]["en"] == {"Chat": pytest.approx(0.75), "Reasoning": 1.0}
    notes = " ".join(summary["notes"])
    assert "left out of the score" in notes and "en: Chat Hard, Safety" in notes
    assert "both [[A]] and [[B]]" in notes and "truncated" in notes
    assert summary["formulation"] == "generative judge"
    assert "rewardbench_v1" not in summary and summary["agreement_with_english"] == []


def test_prior_sets_give_the_v1_average() -> None:
    recs = [record("en", str(i), "hep-go", 1.0) for i in range(3)]
    recs += [record("en", "p1", "shp", 0.0), record("en", "p2", "anthropic_hhh", 1.0)]
    summary = summarize_preferences(recs, seed=0, n_resamples=100)
    v1 = summary["rewardbench_v1"]["en"]
    assert v1["Prior Sets"] == pytest.approx(0.5)
    assert v1["score"]["value"] == pytest.approx((2 * 1.0 + 0.5) / 3)
    assert any(t["title"].startswith("RewardBench v1") for t in summary["tables"])
