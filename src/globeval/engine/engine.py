"""Run requests through a backend: dedupe, reuse cached results, order, batch, show progress.

Ordering. Log-likelihood contexts are sorted as strings, so that contexts sharing a prefix (a
few-shot block) sit side by side and a backend can compute that prefix once per batch or keep
it in its KV cache; batches then run longest first, so memory limits show up at once and the
ETA errs on the safe side. Other requests run longest prompt first. A backend that keeps its KV
cache from one batch to the next (llama.cpp) gets every kind in prompt order instead, batches
included, so that a few-shot block is evaluated once per block, not once per batch.

Persistence. Results are stored in the cache as the backend yields them (committed at least
every `flush_every` results or `flush_seconds`), so a killed run loses almost nothing and a rerun
sends no finished request again.

Failures. A batch that raises is retried one request at a time; a request that still fails is
returned as a RequestFailure (never cached, so a rerun tries it again) and counted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from globeval.backends.base import Backend, UnsupportedRequest
from globeval.engine.cache import RequestCache, namespace_of
from globeval.requests import (
    LoglikelihoodRequest,
    Request,
    RequestFailure,
    Result,
    RewardRequest,
    request_key,
    result_from_json,
    result_to_json,
)


@dataclass
class EngineStats:
    total: int = 0
    unique: int = 0
    from_cache: int = 0
    computed: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def request_length(req: Request) -> int:
    if isinstance(req, LoglikelihoodRequest):
        return len(req.context) + len(req.continuation)
    if isinstance(req, RewardRequest):
        return sum(len(m.content) for m in req.prompt) + len(req.response)
    if req.prompt is not None:
        return len(req.prompt)
    return sum(len(m.content) for m in req.messages or ())


def prompt_text(req: Request) -> str:
    """What a request's model input starts with, for ordering: requests with equal leading
    text (a shared few-shot block) sort side by side."""
    if isinstance(req, LoglikelihoodRequest):
        return req.context
    if isinstance(req, RewardRequest):
        return "\x00".join(m.content for m in req.prompt)
    if req.prompt is not None:
        return req.prompt
    return "\x00".join(m.content for m in req.messages or ())


def loglikelihood_batches(
    requests: Sequence[LoglikelihoodRequest], contexts_per_batch: int, longest_first: bool = True
) -> list[list[LoglikelihoodRequest]]:
    """Group by context, sort contexts as strings (shared prefixes adjacent), chunk, and put
    the batch with the longest context first (unless `longest_first` is False)."""
    by_context: dict[str, list[LoglikelihoodRequest]] = {}
    for req in requests:
        by_context.setdefault(req.context, []).append(req)
    contexts = sorted(by_context)
    size = max(1, contexts_per_batch)
    batches = [
        [req for ctx in contexts[i : i + size] for req in by_context[ctx]]
        for i in range(0, len(contexts), size)
    ]
    if longest_first:
        batches.sort(key=lambda b: -max(request_length(r) for r in b))
    return batches


def longest_first_batches(requests: Sequence[Request], per_batch: int) -> list[list[Request]]:
    ordered = sorted(requests, key=lambda r: -request_length(r))
    size = max(1, per_batch)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def prompt_order_batches(requests: Sequence[Request], per_batch: int) -> list[list[Request]]:
    """Requests sorted by their prompt text, chunked: neighbours share their leading text."""
    ordered = sorted(requests, key=prompt_text)
    size = max(1, per_batch)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


class _Sink:
    """Collects results, writes them to the cache in small transactions, advances progress."""

    def __init__(
        self,
        cache: RequestCache | None,
        namespace: str,
        progress: Progress,
        task_id: TaskID,
        flush_every: int,
        flush_seconds: float,
    ) -> None:
        self.cache = cache
        self.namespace = namespace
        self.progress = progress
        self.task_id = task_id
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        self.pending: list[tuple[str, str, str]] = []
        self.last_flush = time.monotonic()

    def add(self, key: str, req: Request, result: Result) -> None:
        self.pending.append((key, req.kind, result_to_json(result)))
        self.progress.advance(self.task_id, 1)
        if (
            len(self.pending) >= self.flush_every
            or time.monotonic() - self.last_flush >= self.flush_seconds
        ):
            self.flush()

    def flush(self) -> None:
        if self.cache is not None and self.pending:
            self.cache.put_many(self.namespace, self.pending)
        self.pending = []
        self.last_flush = time.monotonic()


class Engine:
    def __init__(
        self,
        backend: Backend,
        cache: RequestCache | None = None,
        progress: bool = True,
        console: Console | None = None,
        flush_every: int = 64,
        flush_seconds: float = 1.0,
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.namespace = namespace_of({"backend": backend.name, **backend.identity()})
        self.show_progress = progress
        self.console = console or Console(stderr=True)
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds

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

        pending = {k: r for k, r in unique.items() if k not in done}
        by_kind: dict[str, list[Request]] = {}
        for req in pending.values():
            by_kind.setdefault(req.kind, []).append(req)
        key_of = {id(r): k for k, r in pending.items()}

        with self._progress(len(pending)) as progress:
            task_id = progress.add_task("requests", total=len(pending))
            sink = _Sink(
                self.cache, self.namespace, progress, task_id, self.flush_every, self.flush_seconds
            )
            try:
                held = self.backend.holds_prefix_cache
                for kind, reqs in by_kind.items():
                    if kind == "loglikelihood":
                        lls = [r for r in reqs if isinstance(r, LoglikelihoodRequest)]
                        batches: list[list[Request]] = [
                            list(b)
                            for b in loglikelihood_batches(
                                lls, self.backend.batch_size, longest_first=not held
                            )
                        ]
                    elif held:
                        batches = prompt_order_batches(reqs, self.backend.batch_size)
                    else:
                        batches = longest_first_batches(reqs, self.backend.batch_size)
                    for batch in batches:
                        self._run_batch(batch, key_of, done, stats, sink)
            finally:
                sink.flush()

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
        batch: list[Request],
        key_of: dict[int, str],
        done: dict[str, Result | RequestFailure],
        stats: EngineStats,
        sink: _Sink,
    ) -> None:
        served: set[int] = set()
        try:
            for index, result in self.backend.stream(batch[0].kind, batch):
                req = batch[index]
                served.add(index)
                if isinstance(result, RequestFailure):
                    self._fail(req, result.error, key_of, done, stats)
                    sink.progress.advance(sink.task_id, 1)
                    continue
                done[key_of[id(req)]] = result
                stats.computed += 1
                sink.add(key_of[id(req)], req, result)
            missing = [i for i in range(len(batch)) if i not in served]
            if missing:
                raise RuntimeError(f"backend returned no result for {len(missing)} requests")
        except UnsupportedRequest:
            raise
        except Exception as exc:
            rest = [req for i, req in enumerate(batch) if i not in served]
            if len(rest) == 1 or len(batch) == 1:
                for req in rest:
                    self._fail(req, f"{type(exc).__name__}: {exc}", key_of, done, stats)
                    sink.progress.advance(sink.task_id, 1)
                return
            for req in rest:  # isolate the request at fault; keep the others' results
                self._run_batch([req], key_of, done, stats, sink)

    @staticmethod
    def _fail(
        req: Request,
        message: str,
        key_of: dict[int, str],
        done: dict[str, Result | RequestFailure],
        stats: EngineStats,
    ) -> None:
        done[key_of[id(req)]] = RequestFailure(message)
        stats.failed += 1
        if len(stats.errors) < 20:
            stats.errors.append(message)
