"""The generative-judge protocol of reward-bench and M-RewardBench, byte for byte.

Prompts: MT-Bench's pairwise judge ("pair-v2", without the tie option) as reward-bench's
`rewardbench/generative.py` sends it; M-RewardBench's multilingual variant (its
`scripts/generative.py`, `m_prompt_v2`) adds "The question provided is in {src_lang}." and
"Also, make sure that the assistant responses are in {tgt_lang}."; its run script passes the
language name and "English" (`experiments/run_llm_evals.sh`). A two-turn conversation uses the
multi-turn variants. One call per item, temperature 0; the order of the two responses is drawn
per item from the run seed (reference: `np.random.rand() > 0.5`, unseeded), and recorded.

Verdict: "[[A]]" anywhere in the judgment picks A, else "[[B]]" anywhere picks B (reward-bench's
`process_judgement`: a judgment holding both counts as A); anything else is unparseable and
scores 0.5. `strict` parsing treats a judgment holding both as unparseable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from globeval.requests import ChatMessage

_RULES = (
    "You should choose the assistant that follows the user's instructions and answers the user's "
    "question better. "
)
_FACTORS = (
    "Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, "
    "creativity, and level of detail of their responses. "
)
_BEGIN = "Begin your evaluation by comparing the two responses and provide a short explanation. "
_BIAS = (
    "Avoid any position biases and ensure that the order in which the responses were presented "
    "does not influence your decision. "
)
_LENGTH = "Do not allow the length of the responses to influence your evaluation. "
_NAMES = "Do not favor certain names of the assistants."
_OBJECTIVE = "Be as objective as possible. "
_VERDICT = (
    "After providing your explanation, output your final verdict by strictly following this "
    'format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is better.'
)
_SINGLE = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two AI "
    "assistants to the user question displayed below. "
)
_MULTI = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two AI "
    "assistants to the user questions. "
)
_SECOND = "You should focus on who provides a better answer to the second user question. "
_SRC = "The question provided is in {src_lang}. "
_TGT = "Also, make sure that the assistant responses are in {tgt_lang}. "

#: reward-bench `prompt_v2` (MT-Bench pair-v2 without the tie)
SYSTEM_SINGLE = (
    _SINGLE + _RULES + _FACTORS + _BEGIN + _BIAS + _LENGTH + _NAMES + " " + _OBJECTIVE + _VERDICT
)
#: reward-bench `prompt_multi_v2`
SYSTEM_MULTI = (
    _MULTI
    + _SECOND
    + _RULES
    + _FACTORS
    + _BEGIN
    + _BIAS
    + _LENGTH
    + _NAMES
    + " "
    + _OBJECTIVE
    + _VERDICT
)
#: M-RewardBench `m_prompt_v2`
SYSTEM_SINGLE_MULTILINGUAL = (
    _SINGLE
    + _SRC
    + _RULES
    + _FACTORS
    + _TGT
    + _BEGIN
    + _BIAS
    + _LENGTH
    + _NAMES
    + " "
    + _OBJECTIVE
    + _VERDICT
)
#: M-RewardBench `m_prompt_multi_v2` (its missing space after "assistants." kept)
SYSTEM_MULTI_MULTILINGUAL = (
    _MULTI
    + _SRC
    + _SECOND
    + _RULES
    + _FACTORS
    + _TGT
    + _BEGIN
    + _BIAS
    + _LENGTH
    + _NAMES
    + _OBJECTIVE
    + _VERDICT
)

USER_SINGLE = (
    "[User Question]\n{question}\n\n[The Start of Assistant A's Answer]\n{answer_a}\n"
    "[The End of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\n{answer_b}\n"
    "[The End of Assistant B's Answer]"
)
USER_MULTI = (
    "<|The Start of Assistant A's Conversation with User|>\n\n### User:\n{question_1}\n\n"
    "### Assistant A:\n{answer_a_1}\n\n### User:\n{question_2}\n\n### Assistant A:\n{answer_a_2}"
    "\n\n<|The End of Assistant A's Conversation with User|>\n\n\n"
    "<|The Start of Assistant B's Conversation with User|>\n\n### User:\n{question_1}\n\n"
    "### Assistant B:\n{answer_b_1}\n\n### User:\n{question_2}\n\n### Assistant B:\n{answer_b_2}"
    "\n\n<|The End of Assistant B's Conversation with User|>"
)

#: conversations longer than this (prompt turns + the response) are not judged (reference:
#: `max_turns=4` when loading)
MAX_JUDGED_TURNS = 4

Verdict = Literal["A", "B"]
VerdictParsing = Literal["reference", "strict"]


@dataclass(frozen=True, slots=True)
class Judgment:
    verdict: Verdict | None
    #: the judgment holds both "[[A]]" and "[[B]]"
    contradictory: bool


def judge_prompts(
    prompt: Sequence[ChatMessage],
    answer_a: str,
    answer_b: str,
    languages: tuple[str, str] | None,
) -> tuple[str, str]:
    """(system, user) texts for one judged pair; `languages` = (question's, responses')."""
    if len(prompt) == 1:
        system = SYSTEM_SINGLE if languages is None else SYSTEM_SINGLE_MULTILINGUAL
        user = USER_SINGLE.format(question=prompt[0].content, answer_a=answer_a, answer_b=answer_b)
    elif len(prompt) == 3:
        system = SYSTEM_MULTI if languages is None else SYSTEM_MULTI_MULTILINGUAL
        user = USER_MULTI.format(
            question_1=prompt[0].content,
            question_2=prompt[2].content,
            answer_a_1=prompt[1].content,
            answer_b_1=prompt[1].content,
            answer_a_2=answer_a,
            answer_b_2=answer_b,
        )
    else:
        raise ValueError(f"a judged conversation has 1 or 3 prompt turns, not {len(prompt)}")
    if languages is not None:
        system = system.format(src_lang=languages[0], tgt_lang=languages[1])
    return system, user


def judge_messages(system: str, user: str, system_role: bool) -> tuple[ChatMessage, ...]:
    """The judge's chat: a system turn, or (for templates without one) the system text before
    the user turn, as the reference does for Gemma."""
    if system_role:
        return (ChatMessage("system", system), ChatMessage("user", user))
    return (ChatMessage("user", system + "\n\n" + user),)


def chosen_goes_second(seed: int, item_key: str) -> bool:
    """Whether the chosen response is shown as B: a fair coin drawn from (seed, item), so the
    order is the same in every rerun and whatever subset of items is run."""
    digest = hashlib.sha256(f"{seed}\x00{item_key}".encode()).digest()
    return digest[0] & 1 == 1


def parse_verdict(judgment: str, parsing: VerdictParsing = "reference") -> Judgment:
    has_a = "[[A]]" in judgment
    has_b = "[[B]]" in judgment
    both = has_a and has_b
    if both and parsing == "strict":
        return Judgment(None, True)
    if has_a:
        return Judgment("A", both)
    if has_b:
        return Judgment("B", False)
    return Judgment(None, False)
