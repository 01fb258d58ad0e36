"""Run requests through a backend: dedupe, reuse cached results, order, batch, show progress.

Ordering. Log-likelihood contexts are sorted as strings, so that contexts sharing a prefix (a
few-shot block) sit side by side and a backend can compute that prefix once per batch or keep
it in its KV cache; batches then run longest first, so memory limits show up at once and the
ETA errs on the safe side. Generation prompts run longest first.

Failures. A batch that raises is retried one request at a time; a request that still fails is
returned as a RequestFailure (never cached, so a rerun tries it again) and counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from globeval.backends.base import Backend, UnsupportedRequest
from globeval.engine.cache import RequestCache, namespace_of
from globeval.requests import (
    GenerateRequest,
    LoglikelihoodRequest,
    Request,
    Result,
    request_key,
    result_from_json,
    result_to_json,
)


@dataclass(frozen=True)
class RequestFailure:
    error: str


@dataclass
class EngineStats:
    total: int = 0
    unique: int = 0
    from_cache: int = 0
    computed: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


R = TypeVar("R", LoglikelihoodRequest, GenerateRequest)


def loglikelihood_batches(
    requests: Sequence[LoglikelihoodRequest], contexts_per_batch: int
) -> list[list[LoglikelihoodRequest]]:
    """Group by context, sort contexts as strings (shared prefixes adjacent), chunk, and put
    the batch with the longest context first."""
    by_context: dict[str, list[LoglikelihoodRequest]] = {}
    for req in requests:
        by_context.setdefault(req.context, []).append(req)
    contexts = sorted(by_context)
    size = max(1, contexts_per_batch)
    batches = [
        [req for ctx in contexts[i : i + size] for req in by_context[ctx]]
        for i in range(0, len(contexts), size)
    ]
    batches.sort(key=lambda b: -max(len(r.context) + len(r.continuation) for r in b))
    return batches


def generate_batches(
    requests: Sequence[GenerateRequest], prompts_per_batch: int
) -> list[list[GenerateRequest]]:
    def length(req: GenerateRequest) -> int:
        if req.prompt is not None:
            return len(req.prompt)
        return sum(len(m.content) for m in req.messages or ())

    ordered = sorted(requests, key=lambda r: -length(r))
    size = max(1, prompts_per_batch)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


class Engine:
    def __init__(
        self,
        backend: Backend,
        cache: RequestCache | None = None,
        progress: bool = True,
        console: Console | None = None,
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.namespace = namespace_of({"backend": backend.name, **backend.identity()})
        self.show_progress = progress
        self.console = console or Console(stderr=True)

    def run(self, requests: Sequence[Request]) -> tuple[list[Result | RequestFailure], EngineStats]:
        started = time.perf_counter()
        stats = EngineStats(total=len(requests))
        keys = [request_key(r) for r in requests]
        unique: dict[str, Request] = {}
        for key, req in zip(keys, requests, strict=True):
            unique.setdefault(key, req)
        stats.unique = len(unique)

        done: dict[str, Result | RequestFailure] = {}
        if self.cache is not None:
            for key, (kind, text) in self.cache.get_many(self.namespace, list(unique)).items():
                if kind == unique[key].kind:
                    done[key] = result_from_json(unique[key].kind, text)
        stats.from_cache = len(done)

        pending = [(k, r) for k, r in unique.items() if k not in done]
        loglik = [r for _, r in pending if isinstance(r, LoglikelihoodRequest)]
        gen = [r for _, r in pending if isinstance(r, GenerateRequest)]
        key_of = {id(r): k for k, r in pending}

        with self._progress(len(pending)) as progress:
            task_id = progress.add_task("requests", total=len(pending))
            advance: Callable[[int], None] = lambda n: progress.advance(task_id, n)  # noqa: E731
            for ll_batch in loglikelihood_batches(loglik, self.backend.batch_size):
                self._run_batch(ll_batch, self.backend.loglikelihood, key_of, done, stats, advance)
            for gen_batch in generate_batches(gen, self.backend.batch_size):
                self._run_batch(gen_batch, self.backend.generate, key_of, done, stats, advance)

        stats.seconds = time.perf_counter() - started
        return [done[k] for k in keys], stats

    def _progress(self, total: int) -> Progress:
        return Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            disable=not self.show_progress or total == 0,
            transient=False,
        )

    def _run_batch(
        self,
        batch: list[R],
        call: Callable[[list[R]], Sequence[Result]],
        key_of: dict[int, str],
        done: dict[str, Result | RequestFailure],
        stats: EngineStats,
        advance: Callable[[int], None],
    ) -> None:
        try:
            results = list(call(batch))
            if len(results) != len(batch):
                raise RuntimeError(f"backend returned {len(results)} results for {len(batch)}")
        except UnsupportedRequest:
            raise
        except Exception as exc:
            if len(batch) == 1:
                self._fail(batch[0], exc, key_of, done, stats)
                advance(1)
                return
            for req in batch:  # isolate the request at fault; keep the others' results
                self._run_batch([req], call, key_of, done, stats, advance)
            return
        stored = []
        for req, res in zip(batch, results, strict=True):
            key = key_of[id(req)]
            done[key] = res
            stored.append((key, req.kind, result_to_json(res)))
        if self.cache is not None:
            self.cache.put_many(self.namespace, stored)
        stats.computed += len(batch)
        advance(len(batch))

    @staticmethod
    def _fail(
        req: Request,
        exc: Exception,
        key_of: dict[int, str],
        done: dict[str, Result | RequestFailure],
        stats: EngineStats,
    ) -> None:
        message = f"{type(exc).__name__}: {exc}"
        done[key_of[id(req)]] = RequestFailure(message)
        stats.failed += 1
        if len(stats.errors) < 20:
            stats.errors.append(message)
