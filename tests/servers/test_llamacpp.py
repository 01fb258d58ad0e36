"""Tests against llama-cpp-python's OpenAI-compatible server with the embedded models, started
on loopback by globeval.servers.llamacpp: log-likelihood through echo + logprobs agrees with the
in-process llama.cpp backend, and three servers with one killed mid-run lose nothing."""

from __future__ import annotations

import pytest

from globeval.backends.llamacpp import LlamaCppBackend
from globeval.backends.openai_api import OpenAIBackend
from globeval.requests import ChatMessage, GenerateRequest, GenerateResult, LoglikelihoodRequest
from globeval.servers.llamacpp import LlamaCppServer
from tests.loopback import embedded_path

#: llama-cpp-python's server defaults to repeat_penalty 1.1; globeval asks for plain greedy
GREEDY = '{"repeat_penalty": 1.0}'


def test_loglikelihood_over_the_server_matches_the_in_process_backend() -> None:
    # Gemma 3 adds a BOS token: llama-cpp-python aligns its prompt logprobs correctly then
    path = embedded_path("gemma-3-270m")
    # short: the server sorts the 262k-token vocabulary in Python for every prompt token
    requests = [LoglikelihoodRequest("Paris est en", " France")]
    with LlamaCppServer(path, "gemma", n_ctx=64) as server:
        backend = OpenAIBackend("gemma", base_url=server.url, concurrency=1, extra_body=GREEDY)
        try:
            remote = backend.loglikelihood(requests)
        finally:
            backend.close()
    local_backend = LlamaCppBackend(str(path), n_ctx=64, n_threads=1)
    try:
        local = local_backend.loglikelihood(requests)
    finally:
        local_backend.close()
    for r, lo in zip(remote, local, strict=True):
        assert r.logprob == pytest.approx(lo.logprob, abs=2e-3)
        assert (r.n_tokens, r.is_greedy) == (lo.n_tokens, lo.is_greedy)


def test_three_servers_with_one_killed_mid_run_answer_every_request() -> None:
    path = embedded_path("smollm2-135m-instruct")
    servers = [LlamaCppServer(path, "smollm2", n_ctx=256) for _ in range(3)]
    requests = [
        GenerateRequest(prompt=f"Colours ({i}): red, green,", max_tokens=3) for i in range(9)
    ]
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        backend = OpenAIBackend(
            "smollm2",
            base_urls=[s.url for s in servers],
            concurrency=1,
            extra_body=GREEDY,
            health_interval=0.5,
            retry_wait=0.05,
        )
        answers: dict[int, GenerateResult] = {}
        try:
            for index, result in backend.stream("generate", requests):
                assert isinstance(result, GenerateResult), result
                answers[index] = result
                if len(answers) == 2:
                    servers[1].kill()  # SIGKILL, with a request in flight on it
            # and the chat endpoint, on whichever server is left
            (chat,) = backend.generate(
                [GenerateRequest(messages=(ChatMessage("user", "Name a colour."),), max_tokens=4)]
            )
            stats = backend.describe()["endpoint_stats"]
        finally:
            backend.close()
    finally:
        for server in servers:
            server.cleanup()
    assert sorted(answers) == list(range(9))
    assert all(a.text and a.completion_tokens > 0 for a in answers.values())
    assert chat.text.strip() and chat.prompt_tokens > 5  # the template wrapped the message
    assert stats[servers[1].url]["marked_down"] >= 1
    assert stats[servers[0].url]["ok"] + stats[servers[2].url]["ok"] >= 7
