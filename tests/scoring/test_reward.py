"""RewardBench scoring against worked examples."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from globeval.scoring.reward import (
    MREWARDBENCH_COUNTS,
    REWARDBENCH_COUNTS,
    SUBSET_MAPPING,
    language_score,
    pair_outcome,
    prior_sets_score,
    rewardbench_v1_score,
    section_scores,
    subset_accuracies,
)


def test_a_tie_is_wrong() -> None:
    assert pair_outcome(1.0, 0.5) == 1.0
    assert pair_outcome(0.5, 1.0) == 0.0
    assert pair_outcome(0.7, 0.7) == 0.0


def test_subset_accuracy_is_the_mean_per_subset() -> None:
    acc = subset_accuracies(
        [("hep-go", 1.0), ("hep-go", 0.0), ("hep-go", 1.0), ("math-prm", 0.5), ("math-prm", 1.0)]
    )
    assert acc == {"hep-go": pytest.approx(2 / 3), "math-prm": pytest.approx(0.75)}


def test_sections_are_count_weighted_as_reward_bench() -> None:
    acc = {
        "alpacaeval-easy": 1.0,  # 100
        "alpacaeval-length": 0.5,  # 95
        "mt-bench-easy": 0.0,  # 28
        "math-prm": 0.5,  # 984
        "hep-python": 1.0,  # 164
    }
    sections = section_scores(acc)
    assert sections["Chat"] == pytest.approx((100 * 1.0 + 95 * 0.5 + 28 * 0.0) / (100 + 95 + 28))
    assert sections["Reasoning"] == pytest.approx((984 * 0.5 + 164 * 1.0) / (984 + 164))
    # reward-bench reports 0 for sections without items; globeval leaves them out
    assert set(sections) == {"Chat", "Reasoning"}
    assert language_score(sections) == pytest.approx((sections["Chat"] + sections["Reasoning"]) / 2)


def test_m_rewardbench_weights_use_its_own_counts() -> None:
    acc = {"hep-python": 0.0, "hep-go": 1.0}
    rb = section_scores(acc, "rewardbench")["Reasoning"]
    mrb = section_scores(acc, "m-rewardbench")["Reasoning"]
    assert rb == pytest.approx(0.5)  # 164 and 164
    assert mrb == pytest.approx(164 / (163 + 164))
    assert MREWARDBENCH_COUNTS["hep-python"] == 163 and REWARDBENCH_COUNTS["hep-python"] == 164


def test_language_score_is_the_unweighted_mean_of_four_sections() -> None:
    sections = {"Chat": 0.9, "Chat Hard": 0.5, "Safety": 0.8, "Reasoning": 0.7}
    assert language_score(sections) == pytest.approx(0.725)
    assert math.isnan(language_score({}))


def test_v1_average_weights_prior_sets_half() -> None:
    sections = {"Chat": 0.9, "Chat Hard": 0.5, "Safety": 0.8, "Reasoning": 0.7}
    prior = prior_sets_score({"anthropic_helpful": 0.5, "shp": 0.7, "hep-go": 0.0})
    assert prior == pytest.approx(0.6)  # the mean of the prior sets present only
    assert rewardbench_v1_score(sections, prior) == pytest.approx((2 * 2.9 + 0.6) / 9)
    # without prior sets the average falls back to the four sections, equally weighted
    assert rewardbench_v1_score(sections, None) == pytest.approx(0.725)
    assert prior_sets_score({"hep-go": 1.0}) is None


@given(
    st.dictionaries(
        st.sampled_from([s for subs in SUBSET_MAPPING.values() for s in subs]),
        st.floats(0.0, 1.0),
        min_size=1,
    )
)
def test_a_section_lies_between_its_subsets(acc: dict[str, float]) -> None:
    for section, value in section_scores(acc).items():
        present = [acc[s] for s in SUBSET_MAPPING[section] if s in acc]
        assert min(present) - 1e-12 <= value <= max(present) + 1e-12
