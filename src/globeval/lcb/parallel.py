"""Batch scoring spread over processes, a chunk of completions per task, while the batches are
still being read.

Workers are forked as soon as there is enough work to share (after the LID model is loaded:
they inherit it), and take chunks from a queue as this process reads the batches and cuts them,
so that reading one file overlaps scoring the last. Each process scores whole chunks
(normalization, tokenization, LID), so that nothing between the steps waits on another
process. This process keeps the chunks whose state loads slowly (Chinese: jieba's dictionary),
up to its share of the work, and loads that state only after the workers have started; then it
takes chunks from the queue like a worker, until the queue runs dry. Where fork is not available
(Windows) the work runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: what forked workers run: set before they start, inherited by fork
_STATE: dict[str, Any] = {}
#: below this many items a pool costs more than it saves
MIN_PARALLEL_ITEMS = 2000
#: the weight of a chunk (characters, Chinese ones counted four times): a few tenths of a
#: second of work, so that the processes finish close together
CHUNK_WEIGHT = 1_000_000


def default_workers() -> int:
    """The CPUs this process may use. Chunks are handed out as processes finish, so a CPU that
    another program keeps busy costs a share of the time, not a straggler: with one of two
    cores taken by another process, two workers still finished sooner than one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def plan_chunks(
    weights: Sequence[float], local_first: Sequence[bool], target: float
) -> list[list[int]]:
    """Indices cut into runs of about `target` weight, the `local_first` items after the others
    (each group keeps its order; a chunk holds one group only)."""
    chunks: list[list[int]] = []
    for group in (False, True):
        current: list[int] = []
        load = 0.0
        for i, flag in enumerate(local_first):
            if flag is not group:
                continue
            current.append(i)
            load += weights[i]
            if load >= target:
                chunks.append(current)
                current, load = [], 0.0
        if current:
            chunks.append(current)
    return chunks


def _work(tasks: Any, results: Any) -> None:
    """A worker: chunks from the queue until a None, each result sent back as soon as it is
    ready; then "done", or the exception that stopped it."""
    fn: Callable[[Sequence[Any]], list[Any]] = _STATE["fn"]
    try:
        while (task := tasks.get()) is not None:
            k, items = task
            results.put(("chunk", k, fn(items)))
    except BaseException as exc:  # reported to the parent, which raises it
        try:
            pickle.dumps(exc)
        except Exception:  # one that cannot travel goes as text
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        results.put(("error", -1, exc))
    else:
        results.put(("done", -1, None))


class _Pool(Generic[T, R]):
    """Forked workers and this process, sharing one queue of chunks."""

    def __init__(self, fn: Callable[[Sequence[T]], list[R]], workers: int) -> None:
        self.fn = fn
        context = multiprocessing.get_context("fork")
        self.tasks: Any = context.Queue()
        self.results: Any = context.Queue()
        _STATE["fn"] = fn
        self.procs = [
            context.Process(target=_work, args=(self.tasks, self.results), daemon=True)
            for _ in range(workers - 1)
        ]
        for proc in self.procs:
            proc.start()
        self.running = len(self.procs)
        self.chunks: list[list[int]] = []  # chunk -> the indices of its items
        self.found: list[list[R] | None] = []
        self.kept: list[tuple[int, list[T], float]] = []  # local-first chunks, with weights
        self.weight = 0.0

    def add(
        self, start: int, items: Sequence[T], weights: Sequence[float], local: Sequence[bool]
    ) -> None:
        """Cut items (numbered from `start`) into chunks: queue the others, keep the local."""
        for chunk in plan_chunks(weights, local, CHUNK_WEIGHT):
            k = len(self.chunks)
            self.chunks.append([start + i for i in chunk])
            self.found.append(None)
            part = [items[i] for i in chunk]
            weight = sum(weights[i] for i in chunk)
            self.weight += weight
            if local[chunk[0]]:
                self.kept.append((k, part, weight))
            else:
                self.tasks.put((k, part))

    def finish(self, n_items: int) -> list[R]:
        """This process's share of the local chunks (the rest are queued), then queued chunks
        until the queue runs dry; the workers' results; every result in the items' order."""
        share = self.weight / (len(self.procs) + 1)
        mine: list[tuple[int, list[T]]] = []
        for k, part, weight in self.kept:
            if share > 0 or not mine:
                mine.append((k, part))
                share -= weight
            else:
                self.tasks.put((k, part))
        for _ in range(len(self.procs) + 1):  # one stop for each process, this one included
            self.tasks.put(None)
        for k, part in mine:
            self._place(k, self.fn(part))
        while (task := self.tasks.get()) is not None:
            k, part = task
            self._place(k, self.fn(part))
            self._collect(wait=False)  # a worker's error stops the run now
        self._collect(wait=True)
        out: list[R] = [None] * n_items  # type: ignore[list-item]
        for k, indices in enumerate(self.chunks):
            found = self.found[k]
            if found is None:
                raise RuntimeError(f"chunk {k} of {len(self.chunks)} was not scored")
            for i, result in zip(indices, found, strict=True):
                out[i] = result
        return out

    def _place(self, k: int, found: list[R]) -> None:
        if len(found) != len(self.chunks[k]):
            raise RuntimeError(f"{len(found)} results for a chunk of {len(self.chunks[k])} items")
        self.found[k] = found

    def _collect(self, wait: bool) -> None:
        """The workers' results so far; with `wait`, until every worker is done."""
        while self.running:
            try:
                kind, k, payload = (
                    self.results.get(timeout=1.0) if wait else self.results.get_nowait()
                )
            except queue.Empty:
                dead = [p.exitcode for p in self.procs if p.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"a scoring worker died (exit code {dead[0]})") from None
                if not wait:
                    return
                continue
            if kind == "error":
                raise payload
            if kind == "done":
                self.running -= 1
            else:
                self._place(k, payload)

    def close(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
        for q in (self.tasks, self.results):
            q.close()
            q.cancel_join_thread()  # what is left in a queue after an error is not wanted
        _STATE.clear()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while scoring (and in the workers, which inherit
    it off): scoring makes millions of small tuples and lists, and no reference cycles, and the
    collector would go over all of them again and again (a tenth of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def map_batches(
    fn: Callable[[Sequence[T]], list[R]],
    batches: Iterable[Sequence[T]],
    workers: int,
    weight: Callable[[T], float],
    local_first: Callable[[T], bool],
) -> list[R]:
    """`fn` over every item of `batches`, computed chunk by chunk by this process and
    `workers - 1` forked ones; results in the items' order. Batches are taken one at a time
    (reading a file, say): workers start on the first ones while later ones are being read.
    `fn` must be a function of this process's state (a bound method of a loaded scorer);
    `local_first` marks the items this process should take (as many as its share)."""
    if workers <= 1 or not can_fork():
        return fn([item for batch in batches for item in batch])
    waiting: list[T] = []  # items read before there is enough to share
    pool: _Pool[T, R] | None = None
    n_items = 0
    try:
        for batch in batches:
            if pool is None:
                waiting += batch
                if len(waiting) < MIN_PARALLEL_ITEMS:
                    continue
                batch, waiting = waiting, []
                pool = _Pool(fn, workers)
            pool.add(n_items, batch, [weight(x) for x in batch], [local_first(x) for x in batch])
            n_items += len(batch)
        if pool is None:
            return fn(waiting)
        return pool.finish(n_items)
    finally:
        if pool is not None:
            pool.close()
