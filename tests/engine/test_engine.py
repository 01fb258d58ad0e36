from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from globeval.backends.base import Backend
from globeval.engine import Engine, RequestCache
from globeval.engine.engine import loglikelihood_batches
from globeval.requests import (
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    Request,
    RequestFailure,
    RequestKind,
    Result,
)


class Scripted(Backend):
    """Scores a continuation by its length; fails on requests whose context contains 'boom'."""

    name: ClassVar[str] = "scripted"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"loglikelihood", "generate"})

    def __init__(self, batch_size: int = 4) -> None:
        self.batch_size = batch_size
        self.seen: list[list[str]] = []

    def identity(self) -> dict[str, Any]:
        return {"model": "scripted"}

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        self.seen.append([r.context for r in requests])
        if any("boom" in r.context for r in requests):
            raise RuntimeError("backend exploded")
        return [LoglikelihoodResult(-float(len(r.continuation)), True, 1) for r in requests]

    def generate(self, requests: Sequence[GenerateRequest]) -> list[GenerateResult]:
        return [GenerateResult(text=(r.prompt or "").upper()) for r in requests]


def ll(context: str, cont: str = " A") -> LoglikelihoodRequest:
    return LoglikelihoodRequest(context, cont)


def test_results_align_with_requests_and_duplicates_run_once(tmp_path: Path) -> None:
    backend = Scripted()
    reqs: list[Request] = [
        ll("x", " A"),
        ll("x", " BB"),
        ll("x", " A"),
        GenerateRequest(prompt="hi"),
    ]
    results, stats = Engine(backend, None, progress=False).run(reqs)
    assert results[0] == results[2] == LoglikelihoodResult(-2.0, True, 1)
    assert results[1] == LoglikelihoodResult(-3.0, True, 1)
    assert results[3] == GenerateResult(text="HI")
    assert (stats.total, stats.unique, stats.computed) == (4, 3, 3)
    assert sum(len(b) for b in backend.seen) == 2


def test_a_second_run_reads_everything_from_the_cache(tmp_path: Path) -> None:
    cache = RequestCache(tmp_path / "c.sqlite")
    reqs: list[Request] = [ll(f"ctx {i}") for i in range(10)]
    first, s1 = Engine(Scripted(), cache, progress=False).run(reqs)
    backend = Scripted()
    second, s2 = Engine(backend, cache, progress=False).run(reqs)
    assert first == second
    assert (s1.computed, s2.computed, s2.from_cache) == (10, 0, 10)
    assert backend.seen == []


def test_a_failing_request_is_isolated_counted_and_not_cached(tmp_path: Path) -> None:
    cache = RequestCache(tmp_path / "c.sqlite")
    reqs: list[Request] = [ll("a"), ll("boom"), ll("c"), ll("d")]
    results, stats = Engine(Scripted(batch_size=4), cache, progress=False).run(reqs)
    assert isinstance(results[1], RequestFailure) and "backend exploded" in results[1].error
    assert all(isinstance(r, LoglikelihoodResult) for i, r in enumerate(results) if i != 1)
    assert (stats.computed, stats.failed) == (3, 1)
    assert cache.count() == 3  # the failure is retried by the next run, never served from cache


class Streaming(Scripted):
    """Yields half of a batch, then dies: what was yielded must already be stored."""

    def stream(
        self, kind: RequestKind, requests: Sequence[Request]
    ) -> Iterator[tuple[int, Result | RequestFailure]]:
        for i, req in enumerate(requests):
            if i == len(requests) // 2:
                raise KeyboardInterrupt
            assert isinstance(req, LoglikelihoodRequest)
            yield i, LoglikelihoodResult(-1.0, True, 1)


def test_results_streamed_before_a_crash_are_in_the_cache(tmp_path: Path) -> None:
    cache = RequestCache(tmp_path / "c.sqlite")
    reqs: list[Request] = [ll(f"ctx {i}") for i in range(8)]
    with pytest.raises(KeyboardInterrupt):
        Engine(Streaming(batch_size=8), cache, progress=False).run(reqs)
    assert cache.count() == 4
    _, stats = Engine(Scripted(batch_size=8), cache, progress=False).run(reqs)
    assert (stats.from_cache, stats.computed) == (4, 4)


def test_backend_may_report_a_single_failure_without_raising(tmp_path: Path) -> None:
    class Partial(Scripted):
        def stream(
            self, kind: RequestKind, requests: Sequence[Request]
        ) -> Iterator[tuple[int, Result | RequestFailure]]:
            yield 1, RequestFailure("HTTP 500 after 3 retries")
            yield 0, LoglikelihoodResult(-1.0, True, 1)

    results, stats = Engine(Partial(batch_size=2), None, progress=False).run([ll("a"), ll("b")])
    assert results[1] == RequestFailure("HTTP 500 after 3 retries")
    assert (stats.computed, stats.failed) == (1, 1)


def test_log_likelihood_batches_keep_shared_prefixes_together_longest_first() -> None:
    shots = "solved example\n\n"
    reqs = [ll(shots * 3 + "q1"), ll("x short"), ll(shots * 3 + "q2"), ll(shots * 3 + "q1", " B")]
    batches = loglikelihood_batches(reqs, contexts_per_batch=2)
    assert [[r.context for r in b] for b in batches] == [
        [shots * 3 + "q1", shots * 3 + "q1", shots * 3 + "q2"],
        ["x short"],
    ]


class HoldsPrefix(Scripted):
    """Records the order prompts arrive in, as a backend that keeps its KV cache would see it."""

    holds_prefix_cache: ClassVar[bool] = True

    def __init__(self, batch_size: int = 2) -> None:
        super().__init__(batch_size)
        self.prompts: list[str] = []

    def generate(self, requests: Sequence[GenerateRequest]) -> list[GenerateResult]:
        self.prompts += [r.prompt or "" for r in requests]
        return super().generate(requests)


def test_a_backend_holding_its_kv_cache_gets_shared_prefixes_in_a_row() -> None:
    """Longest-first would interleave the two few-shot blocks (and re-evaluate each block per
    batch); prompt order keeps each block's requests together, across batches."""
    fr, de = "exemple résolu\n\n" * 3, "gelöstes Beispiel\n\n" * 3
    prompts = [fr + "q1", de + "a much longer question 1", fr + "q2 longer", de + "q2", fr + "q3"]
    backend = HoldsPrefix(batch_size=2)
    Engine(backend, None, progress=False).run([GenerateRequest(prompt=p) for p in prompts])
    blocks = ["fr" if p.startswith(fr) else "de" for p in backend.prompts]
    assert blocks == ["fr", "fr", "fr", "de", "de"]

    contexts = [ll(fr + "q1"), ll(de + "a much longer question 1"), ll(fr + "q2"), ll(de + "q")]
    held = HoldsPrefix(batch_size=1)
    Engine(held, None, progress=False).run(list(contexts))
    assert ["fr" if c[0].startswith(fr) else "de" for c in held.seen] == ["fr", "fr", "de", "de"]
    plain = Scripted(batch_size=1)  # longest first: the long German context, then the rest
    Engine(plain, None, progress=False).run(list(contexts))
    assert plain.seen[0] == [de + "a much longer question 1"]
