"""Tests for globeval.api.protocol: request bodies and parsing answers, log-likelihood included."""

from __future__ import annotations

import math

import pytest

from globeval.api.errors import MalformedResponse
from globeval.api.protocol import (
    LogprobsError,
    chat_body,
    completion_body,
    continuation_tokens,
    loglikelihood_body,
    parse_generation,
    parse_loglikelihood,
)
from globeval.requests import ChatMessage, GenerateRequest, LoglikelihoodRequest


def echo_answer(
    tokens: list[str],
    logprobs: list[float | None],
    tops: list[dict[str, float] | None] | None = None,
    offsets: bool = True,
) -> dict[str, object]:
    positions, at = [], 0
    for token in tokens:
        positions.append(at)
        at += len(token)
    lp: dict[str, object] = {"tokens": tokens, "token_logprobs": logprobs}
    if offsets:
        lp["text_offset"] = positions
    if tops is not None:
        lp["top_logprobs"] = tops
    return {"choices": [{"text": "".join(tokens), "logprobs": lp, "finish_reason": "length"}]}


def test_chat_body_sends_sampling_exactly_and_extra_fields() -> None:
    req = GenerateRequest(
        messages=(ChatMessage("system", "Be brief."), ChatMessage("user", "Bonjour ?")),
        max_tokens=7,
        temperature=0.0,
        stop=("\n",),
        seed=3,
    )
    body = chat_body("m", req, {"repeat_penalty": 1.0}, max_tokens_field="max_completion_tokens")
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Bonjour ?"},
    ]
    assert body["max_completion_tokens"] == 7 and "max_tokens" not in body
    assert body["stop"] == ["\n"] and body["seed"] == 3 and body["repeat_penalty"] == 1.0


def test_completion_body_omits_empty_stop_and_seed_when_asked() -> None:
    body = completion_body("m", GenerateRequest(prompt="Q:"), {}, send_seed=False)
    assert body["prompt"] == "Q:" and "stop" not in body and "seed" not in body


def test_loglikelihood_body_asks_for_prompt_logprobs() -> None:
    body = loglikelihood_body("m", "Answer:", " A", {})
    assert body["prompt"] == "Answer: A"
    assert body["echo"] is True and body["logprobs"] == 1 and body["max_tokens"] == 1


def test_parse_generation_chat_and_completion() -> None:
    chat = {
        "choices": [{"message": {"content": "Réponse : B"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 4},
    }
    result = parse_generation(chat, chat=True)
    assert (result.text, result.prompt_tokens, result.completion_tokens) == ("Réponse : B", 11, 4)
    plain = {"choices": [{"text": " B", "finish_reason": "length"}]}
    assert parse_generation(plain, chat=False).finish_reason == "length"


def test_parse_generation_refusal_without_content_is_an_empty_answer() -> None:
    data = {"choices": [{"message": {"content": None, "refusal": "no"}, "finish_reason": "stop"}]}
    assert parse_generation(data, chat=True).text == ""


@pytest.mark.parametrize(
    "data",
    [
        {"choices": []},
        {"choices": None},
        [],
        {"choices": [{"finish_reason": "stop"}]},
        {"choices": [{"message": {"content": 3}}]},
    ],
)
def test_parse_generation_rejects_malformed_answers(data: object) -> None:
    with pytest.raises(MalformedResponse):
        parse_generation(data, chat=True)


def test_loglikelihood_sums_the_continuation_tokens_and_skips_the_generated_one() -> None:
    req = LoglikelihoodRequest("Capital: Par", "is!")
    data = echo_answer(
        ["Capital", ":", " Par", "is", "!", " x"],
        [None, -1.0, -2.0, -0.5, -0.25, -9.0],
        [None, {":": -1.0}, {" Par": -2.0}, {"is": -0.5}, {"!": -0.25, "?": -0.1}, {" x": -9.0}],
    )
    result = parse_loglikelihood(data, req, req.context)
    assert math.isclose(result.logprob, -0.75)
    assert result.n_tokens == 2
    assert result.is_greedy is False  # "?" beats "!"


def test_loglikelihood_greedy_when_every_token_is_the_top_choice() -> None:
    req = LoglikelihoodRequest("Answer:", " A")
    data = echo_answer(
        ["Answer", ":", " A", "\n"],
        [None, -1.0, -0.1, -3.0],
        [None, {":": -1}, {" A": -0.1, " B": -2.0}, {}],
    )
    result = parse_loglikelihood(data, req, req.context)
    assert result.is_greedy and result.n_tokens == 1 and math.isclose(result.logprob, -0.1)


def test_a_token_straddling_the_boundary_counts_for_the_continuation() -> None:
    # "Answer" + "s" tokenized as "Answers": that token carries continuation text
    assert continuation_tokens(["Q", " Answers", "!"], [0, 1, 9], boundary=7, end=10) == [1, 2]


def test_an_empty_partial_utf8_token_belongs_where_it_starts() -> None:
    # llama.cpp shows the first half of a split multibyte character as ""
    tokens = ["日本", "の", "", "首", "都"]
    offsets = [0, 2, 3, 3, 4]
    assert continuation_tokens(tokens, offsets, boundary=3, end=5) == [2, 3, 4]
    assert continuation_tokens(tokens, offsets, boundary=2, end=5) == [1, 2, 3, 4]


def test_offsets_are_rebuilt_from_token_strings_when_missing() -> None:
    req = LoglikelihoodRequest("Hi", " there")
    data = echo_answer(["Hi", " there", "."], [None, -2.0, -1.0], offsets=False)
    assert parse_loglikelihood(data, req, req.context).logprob == -2.0


def test_tokens_that_do_not_spell_the_prompt_are_refused() -> None:
    req = LoglikelihoodRequest("Hi", " there")
    data = echo_answer(["Ĥi", "Ġthere"], [None, -2.0], offsets=False)
    with pytest.raises(LogprobsError, match="do not spell"):
        parse_loglikelihood(data, req, req.context)


def test_no_prompt_logprobs_means_the_server_cannot_do_it() -> None:
    req = LoglikelihoodRequest("Hi", " there")
    with pytest.raises(LogprobsError) as info:
        parse_loglikelihood({"choices": [{"text": "Hi there", "logprobs": None}]}, req, "Hi")
    assert info.value.unsupported


def test_a_continuation_starting_at_the_first_token_is_an_error_not_a_zero() -> None:
    req = LoglikelihoodRequest("", "Hello")
    data = echo_answer(["Hello", "!"], [None, -1.0])
    with pytest.raises(LogprobsError, match="first token"):
        parse_loglikelihood(data, req, "")
