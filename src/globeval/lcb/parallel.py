"""Batch scoring's two costly steps, jieba on Chinese lines and fastText on kept lines, spread
over worker processes.

Workers are forked after the tokenizer and the LID model are loaded, so each starts with them
in memory instead of loading its own (jieba alone takes about a second). Where fork is not
available (Windows) the work runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: what forked workers use: set before the pool starts, inherited by fork
_STATE: dict[str, Any] = {}
#: below this many items a pool costs more than it saves
MIN_PARALLEL_ITEMS = 2000


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


def _call(chunk: Sequence[Any]) -> list[Any]:
    fn: Callable[[Any], Any] = _STATE["fn"]
    return [fn(item) for item in chunk]


class WorkerPool:
    """`map(fn, items)` over forked workers; `fn` must be a function of this process's state
    (a bound method of a loaded model), which the workers inherit."""

    def __init__(self, workers: int) -> None:
        self.workers = workers if "fork" in multiprocessing.get_all_start_methods() else 1

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _STATE.clear()

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if self.workers <= 1 or len(items) < MIN_PARALLEL_ITEMS:
            return [fn(item) for item in items]
        _STATE["fn"] = fn
        size = -(-len(items) // (self.workers * 4))  # a few chunks per worker evens out the load
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        # a pool per call: its workers must be forked after `fn`'s state exists
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            return [result for part in pool.map(_call, chunks) for result in part]
