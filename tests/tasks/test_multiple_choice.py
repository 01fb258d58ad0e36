from __future__ import annotations

import math

from globeval.requests import (
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
)
from globeval.tasks.base import Sample
from globeval.tasks.multiple_choice import (
    Question,
    build_requests,
    fewshot_context,
    lm_eval_random_fewshot,
    question_text,
    score_choice,
)

Q = Question("  Capital of France? ", ("Lyon", "Paris", "Nice", "Metz"), 1)
SAMPLE = Sample(id="q", language="fr", config="fr", source="t", row=1, payload=None)


def test_question_text_and_include_quirk() -> None:
    assert question_text(Q) == "Capital of France?\nA. Lyon\nB. Paris\nC. Nice\nD. Metz\nAnswer:"
    assert "\n D. Metz" in question_text(Q, d_prefix=" ")


def test_fewshot_context_joins_as_lm_eval() -> None:
    ex = Question("1+1?", ("1", "2", "3", "4"), 1)
    assert fewshot_context(Q, [ex], description="Desc. ") == (
        "Desc. 1+1?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer: B\n\n" + question_text(Q)
    )


def test_loglikelihood_scoring_takes_the_argmax() -> None:
    reqs = build_requests("ctx", 4, "loglikelihood", False, "", None)
    assert [r.continuation for r in reqs if isinstance(r, LoglikelihoodRequest)] == [
        " A",
        " B",
        " C",
        " D",
    ]
    results = [LoglikelihoodResult(lp, False, 1) for lp in (-3.0, -0.5, -2.0, -4.0)]
    scored = score_choice(SAMPLE, Q, reqs, results)
    assert (scored.score, scored.parsed, scored.gold, scored.status) == (1.0, "B", "B", "ok")
    probs = [math.exp(lp) for lp in (-3.0, -0.5, -2.0, -4.0)]
    assert math.isclose(scored.extra["choice_prob"], probs[1] / sum(probs))


def test_generative_answers_in_other_scripts_and_format_errors() -> None:
    (req,) = build_requests("ctx", 4, "generative", True, "Pick ({letters}).", None)
    assert isinstance(req, GenerateRequest) and req.messages is not None
    assert req.messages[0].content == "Pick (A, B, C, D).\n\nctx"
    ok = score_choice(SAMPLE, Q, [req], [GenerateResult("La réponse est : B")])
    assert (ok.score, ok.parsed, ok.status) == (1.0, "B", "ok")
    bad = score_choice(SAMPLE, Q, [req], [GenerateResult("Je ne sais pas.")])
    assert (bad.score, bad.parsed, bad.status) == (0.0, None, "format_error")


def test_base_models_get_a_prompt_that_stops_at_the_line_end() -> None:
    (req,) = build_requests("ctx", 4, "generative", False, "Pick.", 8)
    assert isinstance(req, GenerateRequest)
    assert req.prompt == "Pick.\n\nctx" and req.stop == ("\n",) and req.max_tokens == 8


def test_random_fewshot_excludes_the_target_when_asked() -> None:
    pool = list(range(6))
    draws = lm_eval_random_fewshot(pool, pool, 3, seed=1, exclude_self=True)
    assert all(t not in d and len(d) == 3 for t, d in zip(pool, draws, strict=True))
