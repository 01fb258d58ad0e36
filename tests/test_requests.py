"""Tests for globeval.requests: cache keys and stored results are exactly what the
`dataclasses.asdict` encoding gave, so caches written before stay valid."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from hypothesis import given
from hypothesis import strategies as st

from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    Request,
    request_key,
    result_from_json,
    result_to_json,
)

text = st.text(max_size=40)
messages = st.lists(st.builds(ChatMessage, role=text, content=text), min_size=1, max_size=3)
requests = st.one_of(
    st.builds(LoglikelihoodRequest, context=text, continuation=text, templated=st.booleans()),
    st.builds(
        GenerateRequest,
        prompt=text,
        max_tokens=st.integers(1, 4096),
        temperature=st.floats(0, 2),
        stop=st.lists(text, max_size=3).map(tuple),
        seed=st.integers(0, 2**31),
    ),
    messages.map(lambda m: GenerateRequest(messages=tuple(m))),
)


@given(requests)
def test_request_key_is_the_asdict_encoding(request: Request) -> None:
    payload = json.dumps(asdict(request), sort_keys=True, ensure_ascii=False)
    assert request_key(request) == hashlib.sha256(payload.encode("utf-8")).hexdigest()


@given(text, st.integers(0, 10**6), st.floats(-1e3, 0), st.booleans())
def test_results_round_trip_and_match_the_asdict_encoding(
    answer: str, tokens: int, logprob: float, greedy: bool
) -> None:
    for result in (
        GenerateResult(answer, "stop", tokens, tokens),
        LoglikelihoodResult(logprob, greedy, tokens),
    ):
        encoded = result_to_json(result)
        assert encoded == json.dumps(asdict(result), ensure_ascii=False)
        kind = "generate" if isinstance(result, GenerateResult) else "loglikelihood"
        assert result_from_json(kind, encoded) == result
