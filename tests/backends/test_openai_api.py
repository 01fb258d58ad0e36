"""Tests for globeval.backends.openai_api against the mock server on loopback: faults, failover,
log-likelihood, unsupported servers, keys, and a CLI run killed with SIGKILL and resumed."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from globeval.backends.base import BackendError, UnsupportedRequest
from globeval.backends.openai_api import OpenAIBackend
from globeval.backends.registry import ModelSpec, create_backend, resolve_model
from globeval.engine import Engine, RequestCache
from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    RequestFailure,
)
from globeval.servers.mock import answer_letter, pseudo_logprob, pseudo_tokens
from tests.loopback import ALL_FAULTS, clean_env, mock_server, repo_root

KEY = "sk-live-abcdefghijklmnopqrstuvwxyz"
FAST_RETRIES = {"retry_wait": 0.01, "retry_wait_max": 0.05}


def chats(n: int, tag: str = "") -> list[GenerateRequest]:
    return [
        GenerateRequest(messages=(ChatMessage("user", f"Question {tag}{i} : quelle réponse ?"),))
        for i in range(n)
    ]


def test_a_thousand_faulty_requests_are_each_answered_or_counted_as_failed() -> None:
    requests = chats(1000)
    with mock_server(ALL_FAULTS, seed=7) as server:
        backend = OpenAIBackend(
            "mock", base_url=server.url, concurrency=32, timeout=1.0, max_retries=5, **FAST_RETRIES
        )
        try:
            results = list(backend.stream("generate", requests))
        finally:
            backend.close()
        stats = server.stats
    indices = [i for i, _ in results]
    assert sorted(indices) == list(range(1000))  # every request came back, once
    failed = [i for i, r in results if isinstance(r, RequestFailure)]
    for i, result in results:
        if isinstance(result, GenerateResult):
            content = requests[i].messages[0].content  # type: ignore[index]
            assert result.text == f"The answer is {answer_letter(content)}."
    usage = backend.usage
    assert usage.answered == 1000 - len(failed) and usage.failed == len(failed)
    # both sides counted the same attempts; a third of them failed and were retried
    assert usage.attempts == stats.attempts
    assert stats.attempts > 1300
    assert sum(stats.outcomes[k] for k in ("rate_limit", "server_error", "drop")) > 150
    assert usage.errors["rate_limited"] == stats.outcomes["rate_limit"]
    assert usage.errors["HTTP 500"] == stats.outcomes["server_error"]
    # every answer the client accepted is one the server gave exactly once
    assert sum(stats.ok_by_content.values()) == usage.answered
    for i in failed:
        message = results[indices.index(i)][1].error  # type: ignore[union-attr]
        assert "gave up after 6 attempt(s)" in message


def test_a_request_that_always_fails_is_given_up_and_counted() -> None:
    with mock_server("500=1") as server:
        backend = OpenAIBackend("mock", base_url=server.url, max_retries=2, **FAST_RETRIES)
        try:
            ((index, result),) = list(backend.stream("generate", chats(1)))
        finally:
            backend.close()
    assert index == 0 and isinstance(result, RequestFailure)
    assert result.error.startswith("HTTP 500") and "3 attempt(s)" in result.error
    assert server.stats.attempts == 3 and backend.usage.failed == 1


def test_the_engine_caches_answers_and_a_rerun_sends_nothing(tmp_path: Path) -> None:
    requests = chats(300)
    with mock_server("500=0.2,drop=0.1") as server:
        for attempt in range(2):
            backend = OpenAIBackend("mock", base_url=server.url, **FAST_RETRIES)
            cache = RequestCache(tmp_path / "cache.sqlite")
            try:
                _, stats = Engine(backend, cache, progress=False).run(requests)
            finally:
                backend.close()
                cache.close()
            if attempt == 0:
                first_attempts = server.stats.attempts
                assert stats.computed + stats.failed == 300
        assert server.stats.attempts == first_attempts  # the rerun sent nothing
    assert stats.from_cache == 300 - stats.failed == 300


def test_loglikelihood_reads_the_continuation_from_prompt_logprobs() -> None:
    context, continuation = "Question : 2 + 2 ?\nRéponse:", " 4"
    prompt = context + continuation
    tokens = pseudo_tokens(prompt + " " + answer_letter(prompt))
    offsets = [sum(len(t) for t in tokens[:i]) for i in range(len(tokens))]
    expected = sum(
        pseudo_logprob(prompt[:at], tok)
        for tok, at in zip(tokens, offsets, strict=True)
        if len(context) <= at < len(prompt)
    )
    with mock_server() as server:
        backend = OpenAIBackend("mock", base_url=server.url)
        try:
            (result,) = backend.loglikelihood([LoglikelihoodRequest(context, continuation)])
        finally:
            backend.close()
    assert result.n_tokens == 1 and result.logprob == pytest.approx(expected)


def test_a_server_without_prompt_logprobs_stops_the_run_with_a_pointer() -> None:
    with mock_server(no_logprobs=True) as server:
        backend = OpenAIBackend("mock", base_url=server.url)
        try:
            with pytest.raises(UnsupportedRequest, match="--formulation generative"):
                list(backend.stream("loglikelihood", [LoglikelihoodRequest("Q:", " A")]))
            # the engine lets it through instead of counting a failure per request
            with pytest.raises(UnsupportedRequest):
                Engine(backend, None, progress=False).run([LoglikelihoodRequest("Q:", " B")])
        finally:
            backend.close()


def test_plain_prompts_on_a_chat_only_server_point_to_the_chat_template() -> None:
    with mock_server(chat_only=True) as server:
        backend = OpenAIBackend("mock", base_url=server.url)
        try:
            with pytest.raises(UnsupportedRequest, match="--apply-chat-template"):
                backend.generate([GenerateRequest(prompt="Answer:")])
            assert backend.generate(chats(1))[0].text.startswith("The answer is")
        finally:
            backend.close()


def test_keys_come_from_the_environment_and_appear_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BackendError, match="environment only"):
        OpenAIBackend("mock", base_url="http://127.0.0.1:9/v1", api_key=KEY)
    with pytest.raises(BackendError, match="carries credentials") as refused:
        OpenAIBackend("mock", base_url=f"http://user:{KEY}@127.0.0.1:9/v1")
    assert KEY not in str(refused.value)
    monkeypatch.setenv("MY_PROVIDER_KEY", KEY)
    with mock_server("500=1", leak_auth=True) as server:
        backend = OpenAIBackend(
            "mock", base_url=server.url, api_key_env="MY_PROVIDER_KEY", max_retries=0
        )
        cache = RequestCache(tmp_path / "cache.sqlite")
        try:
            results, stats = Engine(backend, cache, progress=False).run(chats(3))
            described = json.dumps([backend.describe(), backend.identity(), stats.errors])
        finally:
            backend.close()
            cache.close()
    assert stats.failed == 3 and "you sent Bearer ***" in stats.errors[0]  # the server echoed it
    assert KEY not in described and "MY_PROVIDER_KEY" in described
    assert all(KEY not in r.error for r in results if isinstance(r, RequestFailure))
    assert KEY.encode() not in (tmp_path / "cache.sqlite").read_bytes()


def test_identity_names_the_model_not_the_servers() -> None:
    with mock_server() as one, mock_server() as two:
        a = OpenAIBackend("", base_url=one.url)  # no model: the server's first one
        b = OpenAIBackend("", base_urls=f"{one.url},{two.url}")
        try:
            assert a.identity() == b.identity() and a.identity()["model"] == "mock"
        finally:
            a.close()
            b.close()


def test_the_registry_passes_server_model_names_through() -> None:
    spec = resolve_model("smollm2-135m-instruct", "openai", {"base_url": "http://x/v1"})
    assert spec == ModelSpec("openai", "smollm2-135m-instruct", {"base_url": "http://x/v1"})
    with pytest.raises(BackendError, match="no server answers"):
        create_backend(ModelSpec("openai", "m", {"base_url": "http://127.0.0.1:9/v1"}))


def test_many_servers_share_the_load_and_a_dead_one_loses_nothing() -> None:
    requests = chats(600)
    with (
        mock_server(latency=0.01) as a,
        mock_server(latency=0.01) as b,
        mock_server(latency=0.01) as c,
    ):
        backend = OpenAIBackend(
            "mock", base_urls=[a.url, b.url, c.url], concurrency=8, health_interval=0.2
        )
        seen: list[int] = []
        try:
            for index, result in backend.stream("generate", requests):
                assert isinstance(result, GenerateResult)
                seen.append(index)
                if len(seen) == 150:
                    threading.Thread(target=b.stop).start()  # b dies mid-run
        finally:
            backend.close()
        answered = Counter({s.url: sum(s.stats.ok_by_content.values()) for s in (a, b, c)})
    assert sorted(seen) == list(range(600))
    assert all(n >= 30 for n in answered.values())  # each took a share before b died
    assert answered[a.url] + answered[c.url] > 400
    stats = backend.describe()["endpoint_stats"]
    assert stats[b.url].get("marked_down", 0) >= 1


def make_dataset(root: Path, n: int) -> Path:
    rows = [
        {
            "sample_id": f"synthetic/{i}",
            "subject": "arithmetic",
            "subject_category": "STEM",
            "question": f"Combien font {i} + {i} ?",
            "option_a": str(2 * i),
            "option_b": str(2 * i + 1),
            "option_c": str(2 * i - 1),
            "option_d": str(i),
            "answer": "A",
        }
        for i in range(n)
    ]
    (root / "fr").mkdir(parents=True)
    (root / "fr" / "test.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return root


def test_a_killed_cli_run_resumes_without_resending_finished_requests(tmp_path: Path) -> None:
    data = make_dataset(tmp_path / "data", 150)  # 600 log-likelihood requests
    cache = tmp_path / "cache.sqlite"
    with mock_server(latency=0.02) as server:
        command = [
            sys.executable,
            "-m",
            "globeval.cli.main",
            "run",
            "global_mmlu",
            "--data-dir",
            str(data),
            "-l",
            "fr",
            "-b",
            "openai",
            "-m",
            "mock",
            "-M",
            f"base_url={server.url}",
            "-M",
            "concurrency=4",
            "--cache",
            str(cache),
            "-o",
            str(tmp_path / "runs"),
            "--run-name",
            "resumed",
            "--no-progress",
        ]
        env = clean_env()
        first = subprocess.Popen(command, cwd=repo_root(), env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while sum(server.stats.ok_by_content.values()) < 250:
            assert first.poll() is None, first.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        time.sleep(0.5)  # the server finishes the requests that were in flight
        answered_before = sum(server.stats.ok_by_content.values())
        with sqlite3.connect(cache) as db:
            (cached,) = db.execute("SELECT COUNT(*) FROM results").fetchone()
        assert 0 < cached <= answered_before < 600

        second = subprocess.run(command, cwd=repo_root(), env=env, capture_output=True, timeout=300)
        assert second.returncode == 0, second.stderr.decode()
        answered_after = sum(server.stats.ok_by_content.values())
    manifest = json.loads((tmp_path / "runs" / "resumed" / "manifest.json").read_text())
    assert manifest["requests"]["from_cache"] == cached
    assert manifest["requests"]["computed"] == 600 - cached
    assert manifest["requests"]["failed"] == 0
    # the rerun sent exactly what the cache did not hold ...
    assert answered_after - answered_before == 600 - cached
    # ... and what was answered but not yet stored when the kill came is at most the engine's
    # flush window (64 results) plus the requests in flight
    assert answered_before - cached <= 64 + 4
