"""Multiple-choice prompting shared by Global-MMLU and INCLUDE, byte-equal to lm-eval's templates.

Log-likelihood formulation (lm-eval `output_type: multiple_choice`): the context is
    description + Σ(example_text + " " + example_letter + "\n\n") + question_text
and each choice is scored as the continuation " A", " B", ...; the prediction is the argmax.

Generative formulation (chat and API models without prompt log-probabilities): the same text
behind an instruction, the model answers freely, and the letter is extracted in any script;
a response with no recognisable letter is a format error, counted, never guessed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    Request,
    Result,
    RewardRequest,
)
from globeval.scoring.extraction import extract_choice
from globeval.tasks.base import Formulation, Sample, Scored

LETTERS = "ABCDEFGHIJ"

DEFAULT_INSTRUCTION = (
    "Answer the following multiple-choice question. "
    "Reply with only the letter ({letters}) of the correct answer."
)


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    choices: tuple[str, ...]
    answer: int


def question_text(item: Question, d_prefix: str = "") -> str:
    """lm-eval's doc_to_text: "{q.strip()}\\nA. {a}\\n...\\nAnswer:".

    `d_prefix` reproduces a template quirk: INCLUDE's YAML folds a line break into a space
    before "D.", so its prompts read "\\n D. ..."; published numbers used that text.
    """
    lines = [item.question.strip()]
    for i, choice in enumerate(item.choices):
        prefix = d_prefix if LETTERS[i] == "D" else ""
        lines.append(f"{prefix}{LETTERS[i]}. {choice}")
    return "\n".join(lines) + "\nAnswer:"


def fewshot_block(examples: Sequence[Question], description: str = "", d_prefix: str = "") -> str:
    """description + the solved examples, as lm-eval joins them: what every question of a
    subject (or domain) shares, and what backends may evaluate once."""
    shots = "".join(
        question_text(ex, d_prefix) + " " + LETTERS[ex.answer] + "\n\n" for ex in examples
    )
    return description + shots


def fewshot_context(
    target: Question, examples: Sequence[Question], description: str = "", d_prefix: str = ""
) -> str:
    """description + the solved examples + the target question."""
    return fewshot_block(examples, description, d_prefix) + question_text(target, d_prefix)


def lm_eval_random_fewshot(
    targets: Sequence[Any],
    pool: Sequence[Any],
    k: int,
    seed: int = 1234,
    exclude_self: bool = False,
) -> list[list[Any]]:
    """Few-shot examples as lm-eval's default sampler draws them, one list per target in order.

    lm-eval seeds one `random.Random(1234)` per task and calls `sample(pool, k)` once per
    document in evaluation order; when the pool is the evaluated split itself it draws k + 1
    and drops the document being evaluated. Reproducing the draw sequence reproduces the prompts.
    """
    rnd = random.Random(seed)
    out: list[list[Any]] = []
    if k == 0:
        return [[] for _ in targets]
    for target in targets:
        if not exclude_self:
            out.append(rnd.sample(list(pool), k))
            continue
        drawn = [x for x in rnd.sample(list(pool), k + 1) if x != target][:k]
        if len(drawn) < k:  # duplicates of the target were drawn: redraw without any copy
            drawn = rnd.sample([x for x in pool if x != target], k)
        out.append(drawn)
    return out


def build_requests(
    context: str,
    n_choices: int,
    formulation: Formulation,
    chat: bool,
    instruction: str,
    max_gen_tokens: int | None,
    shared: int = 0,
) -> list[Request]:
    """The requests for one question; `shared` is the length of the context's few-shot block."""
    if formulation == "loglikelihood":
        return [
            LoglikelihoodRequest(context, " " + LETTERS[i], prefix=shared) for i in range(n_choices)
        ]
    head = instruction.format(letters=", ".join(LETTERS[:n_choices])) + "\n\n"
    text = head + context
    if chat:
        return [
            GenerateRequest(
                messages=(ChatMessage("user", text),),
                max_tokens=max_gen_tokens or 256,
                temperature=0.0,
            )
        ]
    # a base model continues the "Answer:" line; one line is all the answer needs
    return [
        GenerateRequest(
            prompt=text,
            max_tokens=max_gen_tokens or 16,
            temperature=0.0,
            stop=("\n",),
            prefix=len(head) + shared if shared else 0,
        )
    ]


def prompt_of(request: Request) -> str:
    """The text a request sent, for the per-sample record."""
    if isinstance(request, LoglikelihoodRequest):
        return request.context
    if isinstance(request, RewardRequest):
        return "\n\n".join(f"[{m.role}] {m.content}" for m in request.prompt) + (
            f"\n\n[assistant] {request.response}"
        )
    if request.prompt is not None:
        return request.prompt
    return "\n\n".join(f"[{m.role}] {m.content}" for m in request.messages or ())


def score_choice(
    sample: Sample, item: Question, requests: Sequence[Request], results: Sequence[Result]
) -> Scored:
    gold = LETTERS[item.answer]
    context = prompt_of(requests[0])
    first = results[0]
    if isinstance(first, LoglikelihoodResult):
        logprobs = [r.logprob for r in results if isinstance(r, LoglikelihoodResult)]
        best = max(range(len(logprobs)), key=lambda i: logprobs[i])
        # a softmax over the choices: how sure the model was, for calibration plots
        top = max(logprobs)
        norm = math.log(sum(math.exp(lp - top) for lp in logprobs)) + top
        return Scored(
            score=float(best == item.answer),
            status="ok",
            prompt=context,
            response=LETTERS[best],
            parsed=LETTERS[best],
            gold=gold,
            extra={
                "logprobs": logprobs,
                "choice_prob": math.exp(logprobs[best] - norm),
                "is_greedy": [r.is_greedy for r in results if isinstance(r, LoglikelihoodResult)],
            },
        )
    assert isinstance(first, GenerateResult)
    letter = extract_choice(first.text, sample.language, len(item.choices))
    if letter is None:
        return Scored(
            score=0.0,
            status="format_error",
            prompt=context,
            response=first.text,
            parsed=None,
            gold=gold,
        )
    return Scored(
        score=float(letter == gold),
        status="ok",
        prompt=context,
        response=first.text,
        parsed=letter,
        gold=gold,
    )
