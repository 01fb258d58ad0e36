"""Tests for globeval.backends.litellm_api, through LiteLLM's OpenAI provider to the mock
server on loopback. LiteLLM is not in the `test` extra (its pins on the openai SDK and
huggingface-hub clash with the embedded and hf extras): where it is not installed, a stand-in
module with LiteLLM's call and exception shapes (tests/backends/fake_litellm.py) takes its place;
with `pip install -e ".[api,litellm]"` the same tests run against the real package."""

from __future__ import annotations

import json

import pytest

from globeval.backends.base import BackendError, UnsupportedRequest
from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    RequestFailure,
)
from globeval.servers.mock import answer_letter
from tests.loopback import ALL_FAULTS, mock_server

try:
    import litellm  # noqa: F401
except ImportError:
    from tests.backends import fake_litellm

    fake_litellm.install()

from globeval.backends.litellm_api import LiteLLMBackend

KEY = "sk-litellm-test-0123456789"


def chats(n: int) -> list[GenerateRequest]:
    return [GenerateRequest(messages=(ChatMessage("user", f"Frage {i}?"),)) for i in range(n)]


def test_faulty_requests_through_litellm_are_answered_or_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    requests = chats(200)
    with mock_server(ALL_FAULTS, seed=3) as server:
        backend = LiteLLMBackend(
            "openai/mock",
            api_base=server.url,
            concurrency=16,
            timeout=2.0,
            retry_wait=0.01,
            retry_wait_max=0.05,
        )
        try:
            results = list(backend.stream("generate", requests))
            described = json.dumps(backend.describe())
        finally:
            backend.close()
    assert sorted(i for i, _ in results) == list(range(200))
    answered = [(i, r) for i, r in results if isinstance(r, GenerateResult)]
    failed = [r for _, r in results if isinstance(r, RequestFailure)]
    assert len(answered) + len(failed) == 200 and len(answered) > 180
    for i, result in answered:
        assert result.text == f"The answer is {answer_letter(f'Frage {i}?')}."
    assert backend.usage.answered == len(answered) and server.stats.attempts > 220
    assert KEY not in described and backend.identity()["engine"] == "litellm"


def test_litellm_refuses_log_likelihood_and_needs_a_provider() -> None:
    with pytest.raises(BackendError, match="provider/name"):
        LiteLLMBackend("gpt-4o")
    with mock_server() as server:
        backend = LiteLLMBackend("openai/mock", api_base=server.url)
        try:
            with pytest.raises(UnsupportedRequest, match="--formulation generative"):
                backend.loglikelihood([LoglikelihoodRequest("Q:", " A")])
        finally:
            backend.close()
