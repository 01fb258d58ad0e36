"""Batch scoring spread over worker processes, a chunk of completions per task.

Each worker scores whole chunks (normalization, tokenization, LID), so that nothing between
the steps waits on one process. Workers are forked after the LID model and the tokenizers are
loaded, and they inherit the items too: a task is a list of indices, and only verdicts travel
back. Chunks of the costly kind (Chinese: jieba is pure Python) go first, so that the others
fill the workers' time at the end. Where fork is not available (Windows) the work runs in this
process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: what forked workers use: set before the pool starts, inherited by fork
_STATE: dict[str, Any] = {}
#: below this many items a pool costs more than it saves
MIN_PARALLEL_ITEMS = 2000
#: chunks per worker: enough to even out the load, few enough to keep per-chunk costs small
CHUNKS_PER_WORKER = 8


def default_workers() -> int:
    """The CPUs this process may use less the ones already busy (1-minute load average), as
    `make -l` does: on a machine others are loading, extra workers only add fork and copy
    costs."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    try:
        busy = round(os.getloadavg()[0])
    except OSError:  # no load average (Windows)
        busy = 0
    return max(1, cpus - busy)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def plan_chunks(weights: Sequence[float], first: Sequence[bool], n_chunks: int) -> list[list[int]]:
    """Indices cut into about `n_chunks` runs of similar total weight, the `first` items
    before the others (each group keeps its order)."""
    order = [i for i, f in enumerate(first) if f] + [i for i, f in enumerate(first) if not f]
    target = sum(weights) / max(1, n_chunks)
    chunks: list[list[int]] = []
    current: list[int] = []
    load = 0.0
    for i in order:
        current.append(i)
        load += weights[i]
        if load >= target:
            chunks.append(current)
            current, load = [], 0.0
    if current:
        chunks.append(current)
    return chunks


def _score_chunk(indices: list[int]) -> list[Any]:
    fn: Callable[[Sequence[Any]], list[Any]] = _STATE["fn"]
    items: Sequence[Any] = _STATE["items"]
    return fn([items[i] for i in indices])


def map_chunks(
    fn: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    workers: int,
    weights: Sequence[float],
    first: Sequence[bool],
) -> list[R]:
    """`fn(items)`, computed chunk by chunk over forked workers; results in the items' order.
    `fn` must be a function of this process's state (a bound method of a loaded scorer)."""
    if workers <= 1 or not can_fork() or len(items) < MIN_PARALLEL_ITEMS:
        return fn(items)
    chunks = plan_chunks(weights, first, workers * CHUNKS_PER_WORKER)
    _STATE.update(fn=fn, items=items)
    out: list[R | None] = [None] * len(items)
    try:
        # a pool per call: its workers must be forked after `fn`'s state exists
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for indices, results in zip(chunks, pool.map(_score_chunk, chunks), strict=True):
                for i, result in zip(indices, results, strict=True):
                    out[i] = result
    finally:
        _STATE.clear()
    done = [r for r in out if r is not None]
    if len(done) != len(items):
        raise RuntimeError(f"workers returned {len(done)} results for {len(items)} items")
    return done
