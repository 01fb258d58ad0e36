"""The generative judge's prompts (byte-equal to the references) and verdict parsing."""

from __future__ import annotations

import pytest

from globeval.requests import ChatMessage
from globeval.tasks.reward_judge import (
    SYSTEM_MULTI,
    SYSTEM_MULTI_MULTILINGUAL,
    SYSTEM_SINGLE,
    SYSTEM_SINGLE_MULTILINGUAL,
    chosen_goes_second,
    judge_messages,
    judge_prompts,
    parse_verdict,
)

# reward-bench rewardbench/generative.py `prompt_v2`, written out whole
REFERENCE_PROMPT_V2 = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two "
    "AI assistants to the user question displayed below. You should choose the assistant that "
    "follows the user's instructions and answers the user's question better. Your evaluation "
    "should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and "
    "level of detail of their responses. Begin your evaluation by comparing the two responses and "
    "provide a short explanation. Avoid any position biases and ensure that the order in which the "
    "responses were presented does not influence your decision. Do not allow the length of the "
    "responses to influence your evaluation. Do not favor certain names of the assistants. Be as "
    "objective as possible. After providing your explanation, output your final verdict by "
    'strictly following this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is '
    "better."
)
# M-RewardBench scripts/generative.py `m_prompt_v2`, formatted for Arabic
REFERENCE_M_PROMPT_V2_AR = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two "
    "AI assistants to the user question displayed below. The question provided is in Arabic. You "
    "should choose the assistant that follows the user's instructions and answers the user's "
    "question better. Your evaluation should consider factors such as the helpfulness, relevance, "
    "accuracy, depth, creativity, and level of detail of their responses. Also, make sure that the "
    "assistant responses are in English. Begin your evaluation by comparing the two responses and "
    "provide a short explanation. Avoid any position biases and ensure that the order in which the "
    "responses were presented does not influence your decision. Do not allow the length of the "
    "responses to influence your evaluation. Do not favor certain names of the assistants. Be as "
    "objective as possible. After providing your explanation, output your final verdict by "
    'strictly following this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is '
    "better."
)


def test_prompts_equal_the_references() -> None:
    assert SYSTEM_SINGLE == REFERENCE_PROMPT_V2
    system, user = judge_prompts(
        [ChatMessage("user", "Q?")], "first", "second", ("Arabic", "English")
    )
    assert system == REFERENCE_M_PROMPT_V2_AR
    assert user == (
        "[User Question]\nQ?\n\n[The Start of Assistant A's Answer]\nfirst\n"
        "[The End of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\nsecond\n"
        "[The End of Assistant B's Answer]"
    )
    # the multi-turn variants add the focus sentence; M-RewardBench's lacks a space
    assert "second user question. You should choose" in SYSTEM_MULTI
    assert "names of the assistants.Be as objective" in SYSTEM_MULTI_MULTILINGUAL
    assert "{src_lang}" in SYSTEM_SINGLE_MULTILINGUAL


def test_two_turn_conversations_use_the_multi_turn_template() -> None:
    prompt = [
        ChatMessage("user", "Hi"),
        ChatMessage("assistant", "Hello!"),
        ChatMessage("user", "Q2"),
    ]
    system, user = judge_prompts(prompt, "ans A", "ans B", None)
    assert system == SYSTEM_MULTI
    assert "### User:\nHi\n\n### Assistant A:\nHello!\n\n### User:\nQ2" in user
    assert "### Assistant A:\nans A" in user and "### Assistant B:\nans B" in user
    with pytest.raises(ValueError, match="1 or 3 prompt turns"):
        judge_prompts([ChatMessage("user", "x")] * 5, "a", "b", None)


def test_system_prompt_can_go_into_the_user_turn() -> None:
    assert [m.role for m in judge_messages("S", "U", True)] == ["system", "user"]
    (only,) = judge_messages("S", "U", False)
    assert only.role == "user" and only.content == "S\n\nU"


@pytest.mark.parametrize(
    ("text", "verdict", "contradictory"),
    [
        ("Assistant A is more helpful. [[A]]", "A", False),
        ("My final verdict: [[B]]", "B", False),
        ("Both are fine.", None, False),
        ("[A] is better", None, False),
        ("[[A]] ... on reflection [[B]]", "A", True),  # reward-bench: A is checked first
    ],
)
def test_reference_parsing(text: str, verdict: str | None, contradictory: bool) -> None:
    judgment = parse_verdict(text)
    assert judgment.verdict == verdict
    assert judgment.contradictory is contradictory


def test_strict_parsing_rejects_contradictions() -> None:
    assert parse_verdict("[[B]] no wait [[A]]", "strict").verdict is None
    assert parse_verdict("[[B]]", "strict").verdict == "B"


def test_order_is_seeded_per_item_and_balanced() -> None:
    keys = [f"fra_Latn/{i}" for i in range(2000)]
    draws = [chosen_goes_second(1234, k) for k in keys]
    assert draws == [chosen_goes_second(1234, k) for k in keys]
    assert 900 < sum(draws) < 1100
    assert draws != [chosen_goes_second(99, k) for k in keys]
