"""Preference pairs (prompt, chosen, rejected) scored by a reward model or a generative judge.

Reward formulation (`-f loglikelihood`, the default: the model scores each response): two
`reward` requests, one per response; the item scores 1 when the chosen response's reward is
strictly higher (a tie is wrong), as reward-bench. A sequence-classification RM (`--backend
hf-rm`) and an implicit DPO reward (`--backend dpo`) both serve `reward` requests.

Generative formulation: one judge call per item with the protocol of `reward_judge.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from globeval.data.errors import DataError, at
from globeval.data.files import Row
from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    Request,
    Result,
    RewardRequest,
    RewardResult,
)
from globeval.scoring.reward import (
    PRIOR_SETS,
    PRIOR_SETS_SECTION,
    SUBSET_CATEGORY,
    pair_outcome,
)
from globeval.tasks.base import Sample, Scored
from globeval.tasks.reward_judge import (
    MAX_JUDGED_TURNS,
    VerdictParsing,
    chosen_goes_second,
    judge_messages,
    judge_prompts,
    parse_verdict,
)

#: the judge's length limit when --max-gen-tokens is not given (reference: vLLM 1024)
JUDGE_MAX_TOKENS = 1024


@dataclass(frozen=True, slots=True)
class PreferencePair:
    item_id: str
    #: the conversation before the response; alternating turns, ending with the user's
    prompt: tuple[ChatMessage, ...]
    chosen: str
    rejected: str
    subset: str
    #: the RewardBench section ("Chat", ...), "Prior Sets", or "" when the subset has none
    category: str

    @property
    def turns(self) -> int:
        """Turns of the judged conversation: the prompt's and the response."""
        return len(self.prompt) + 1


def parse_prompt(value: Any, where: str) -> tuple[ChatMessage, ...]:
    """A prompt string, or a list of turns ({"content": ...}); roles alternate from the user's
    whatever the data says, and the last turn must be the user's (reward-bench's rule)."""
    if isinstance(value, str):
        return (ChatMessage("user", value),)
    if isinstance(value, list | tuple) and value:
        turns = []
        for i, turn in enumerate(value):
            content = turn.get("content") if isinstance(turn, dict) else None
            if not isinstance(content, str):
                raise DataError(f"{where}: turn {i} has no text 'content'")
            turns.append(ChatMessage("user" if i % 2 == 0 else "assistant", content))
        if len(turns) % 2 == 0:
            raise DataError(f"{where}: the conversation must end with a user turn")
        return tuple(turns)
    raise DataError(f"{where}: expected a string or a list of turns, got {type(value).__name__}")


def _text(row: Row, column: str) -> str:
    value = row.data.get(column)
    if not isinstance(value, str):
        if column not in row.data:
            raise DataError(f"{at(row.source, row.index)}: missing column {column!r}")
        raise DataError(f"{at(row.source, row.index, column)}: expected text, got {value!r:.40}")
    return value


def subset_of(row: Row, known: frozenset[str]) -> str:
    """The item's subset: M-RewardBench's newer schema holds it in `source` (with the section in
    `category`), RewardBench and older M-RewardBench revisions in `subset`."""
    values = [row.data.get(c) for c in ("source", "subset")]
    for value in values:
        if isinstance(value, str) and value in known:
            return value
    for value in reversed(values):
        if isinstance(value, str) and value.strip():
            return value.strip()
    raise DataError(f"{at(row.source, row.index)}: no subset (expected a 'source' or 'subset')")


def parse_pair(row: Row, known_subsets: frozenset[str]) -> PreferencePair:
    subset = subset_of(row, known_subsets)
    if "prompt" not in row.data:
        raise DataError(f"{at(row.source, row.index)}: missing column 'prompt'")
    category = SUBSET_CATEGORY.get(subset) or (PRIOR_SETS_SECTION if subset in PRIOR_SETS else "")
    item_id = row.data.get("id")
    return PreferencePair(
        item_id=str(item_id) if item_id is not None else f"row{row.index}",
        prompt=parse_prompt(row.data["prompt"], at(row.source, row.index, "prompt")),
        chosen=_text(row, "chosen"),
        rejected=_text(row, "rejected"),
        subset=subset,
        category=category,
    )


@dataclass(frozen=True)
class JudgeSettings:
    #: (question's language, responses' language) named in the prompt, or None for MT-Bench's
    languages: tuple[str, str] | None
    system_role: bool
    parsing: VerdictParsing
    seed: int
    max_tokens: int


def reward_requests(pair: PreferencePair) -> list[Request]:
    return [RewardRequest(pair.prompt, pair.chosen), RewardRequest(pair.prompt, pair.rejected)]


def judge_request(sample: Sample, pair: PreferencePair, judge: JudgeSettings) -> GenerateRequest:
    swapped = chosen_goes_second(judge.seed, sample.id)
    first, second = (pair.rejected, pair.chosen) if swapped else (pair.chosen, pair.rejected)
    system, user = judge_prompts(pair.prompt, first, second, judge.languages)
    return GenerateRequest(
        messages=judge_messages(system, user, judge.system_role),
        max_tokens=judge.max_tokens,
        temperature=0.0,
        seed=judge.seed,
    )


def judgeable(pair: PreferencePair) -> bool:
    return pair.turns <= MAX_JUDGED_TURNS


def score_rewards(pair: PreferencePair, results: Sequence[Result]) -> Scored:
    chosen, rejected = results
    assert isinstance(chosen, RewardResult) and isinstance(rejected, RewardResult)
    score = pair_outcome(chosen.reward, rejected.reward)
    preferred = "chosen" if score else "rejected"
    if chosen.reward == rejected.reward:
        preferred = "tie"
    return Scored(
        score=score,
        status="ok",
        prompt=pair.prompt[-1].content,
        response=f"reward(chosen)={chosen.reward:.6g} reward(rejected)={rejected.reward:.6g}",
        parsed=preferred,
        gold="chosen",
        extra={
            "item_id": pair.item_id,
            "reward_chosen": chosen.reward,
            "reward_rejected": rejected.reward,
            "margin": chosen.reward - rejected.reward,
            "tokens": [chosen.n_tokens, rejected.n_tokens],
            "truncated": int(chosen.truncated) + int(rejected.truncated),
        },
    )


def score_judgment(
    sample: Sample, pair: PreferencePair, request: Request, result: Result, judge: JudgeSettings
) -> Scored:
    assert isinstance(request, GenerateRequest) and isinstance(result, GenerateResult)
    swapped = chosen_goes_second(judge.seed, sample.id)
    gold = "B" if swapped else "A"
    judgment = parse_verdict(result.text, judge.parsing)
    extra: dict[str, Any] = {
        "item_id": pair.item_id,
        "chosen_position": gold,
        "contradictory": judgment.contradictory,
        "finish_reason": result.finish_reason,
    }
    prompt = "\n\n".join(m.content for m in request.messages or ())
    if judgment.verdict is None:
        # the reference's "effectively a tie": half a point, and counted as unparseable
        return Scored(0.5, "format_error", prompt, result.text, None, gold, extra=extra)
    return Scored(
        score=1.0 if judgment.verdict == gold else 0.0,
        status="ok",
        prompt=prompt,
        response=result.text,
        parsed=judgment.verdict,
        gold=gold,
        extra=extra,
    )


def skipped(pair: PreferencePair, reason: str) -> Scored:
    return Scored(
        None,
        "skipped",
        pair.prompt[-1].content,
        "",
        error=reason,
        extra={"item_id": pair.item_id},
    )
