"""Worker processes give exactly the results of one process; this process works from the back
of the queue, workers from the front; a worker's failure reaches the caller."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.lcb import parallel
from globeval.lcb.data import read_completions
from globeval.lcb.metrics import LanguageConfusionScorer, load_english_words
from globeval.lcb.parallel import map_batches, plan_chunks
from globeval.scoring.langid import FastTextLID, resolve_lid_model

PARENT = os.getpid()


def _slow_tagged(items: list[int]) -> list[tuple[int, int]]:
    time.sleep(0.05)  # long enough for the worker to start and take its share
    return [(i, os.getpid()) for i in items]


def _fails_in_a_worker(items: list[int]) -> list[int]:
    if os.getpid() != PARENT:
        raise DataError(f"bad item {items[0]}")
    time.sleep(0.05)
    return items


def _dies_in_a_worker(items: list[int]) -> list[int]:
    if os.getpid() != PARENT:
        os._exit(3)
    time.sleep(0.05)
    return items


def _one(_: int) -> float:
    return 1.0


def test_workers_and_this_process_share_the_work_and_results_come_back_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 1)
    monkeypatch.setattr(parallel, "CHUNK_WEIGHT", 2)
    items = list(range(60))
    out = map_batches(_slow_tagged, [items], 2, _one, lambda i: i >= 54)
    assert [i for i, _ in out] == items
    assert {pid for _, pid in out} == {PARENT, out[0][1]} and out[0][1] != PARENT
    # this process kept the marked items (well within its share): no worker had them
    assert {pid for i, pid in out if i >= 54} == {PARENT}
    # when every item is marked, this process keeps its share only
    out = map_batches(_slow_tagged, [items], 2, _one, lambda i: True)
    assert [i for i, _ in out] == items and len({pid for _, pid in out}) == 2
    # one worker: this process, all at once
    assert {pid for _, pid in map_batches(_pids_of, [items], 1, _one, lambda i: True)} == {PARENT}


def test_workers_start_on_the_first_batches_while_later_ones_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 10)
    monkeypatch.setattr(parallel, "CHUNK_WEIGHT", 2)
    read_last: list[float] = []

    def batches() -> Iterator[list[int]]:
        yield list(range(5))  # too few to share: waits for the next batch
        yield list(range(5, 20))
        time.sleep(0.5)  # reading a large file...
        read_last.append(time.time())
        yield list(range(20, 30))

    out = map_batches(_timed, batches(), 2, _one, lambda i: False)
    assert [i for i, _, _ in out] == list(range(30))
    by_worker = [t for i, pid, t in out if pid != PARENT and i < 20]
    assert by_worker and min(by_worker) < read_last[0]
    # too few items in all: no worker at all
    assert {pid for _, pid in map_batches(_pids_of, [[1, 2], [3]], 2, _one, _no)} == {PARENT}


def _timed(items: list[int]) -> list[tuple[int, int, float]]:
    time.sleep(0.02)
    return [(i, os.getpid(), time.time()) for i in items]


def _pids_of(items: list[int]) -> list[tuple[int, int]]:
    return [(i, os.getpid()) for i in items]


def _no(_: int) -> bool:
    return False


def test_a_workers_exception_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 1)
    monkeypatch.setattr(parallel, "CHUNK_WEIGHT", 2)
    with pytest.raises(DataError, match="bad item"):
        map_batches(_fails_in_a_worker, [list(range(40))], 2, _one, _no)


def test_a_dead_worker_is_an_error_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 1)
    monkeypatch.setattr(parallel, "CHUNK_WEIGHT", 2)
    with pytest.raises(RuntimeError, match="exit code 3"):
        map_batches(_dies_in_a_worker, [list(range(40))], 2, _one, _no)


def test_chunks_have_similar_weight_and_the_local_ones_go_last() -> None:
    weights = [10.0, 1, 1, 10, 1, 1, 1, 1, 1, 1, 1, 1]
    local_first = [w == 10 for w in weights]
    chunks = plan_chunks(weights, local_first, 10)
    assert chunks[-2:] == [[0], [3]]
    assert sorted(i for c in chunks for i in c) == list(range(12))
    assert all(sum(weights[i] for i in c) <= 10 for c in chunks)
    assert all(len({local_first[i] for i in c}) == 1 for c in chunks)  # one kind per chunk


def test_parallel_scoring_equals_sequential(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 10)
    rows = read_completions(shared_data / "lcb" / "outputs" / "llama-3-instruct.csv")
    items = [(r.completion, r.language) for r in rows if r.language in ("zh", "ja", "ru")]
    words = load_english_words(shared_data / "lcb" / "words_en_dict.txt")

    def scorer() -> LanguageConfusionScorer:
        return LanguageConfusionScorer(FastTextLID(resolve_lid_model("ftz")), words)

    one = scorer().score_many(items, workers=1)
    two = scorer().score_many(items, workers=2)
    assert len(items) == 1297 and one == two
    assert {v.line_pass for v in one} == {True, False, None}  # passes, failures and skips
    # the figures-only path: the same outcomes, one process or two
    outcomes = [v.outcome() for v in one]
    assert scorer().outcomes([items], workers=1) == outcomes
    assert scorer().outcomes([items[:700], items[700:]], workers=2) == outcomes
    assert {o.word_pass for o in outcomes} == {True, False, None}


def test_default_workers_are_the_cpus_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 2, 5}, raising=False)
    assert parallel.default_workers() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: set(), raising=False)
    assert parallel.default_workers() == 1


def _collector_state(items: list[int]) -> list[tuple[int, bool]]:
    import gc

    time.sleep(0.02)
    return [(os.getpid(), gc.isenabled()) for _ in items]


def test_the_garbage_collector_is_off_while_scoring_and_back_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 1)
    monkeypatch.setattr(parallel, "CHUNK_WEIGHT", 2)
    assert gc.isenabled()
    out = map_batches(_collector_state, [list(range(30))], 2, _one, _no)
    assert len({pid for pid, _ in out}) == 2  # this process and a worker...
    assert not any(enabled for _, enabled in out)  # ...both without the collector
    assert gc.isenabled()
    with pytest.raises(DataError):
        map_batches(_fails_in_a_worker, [list(range(40))], 2, _one, _no)
    assert gc.isenabled()


def _fails_here(items: list[int]) -> list[int]:
    if os.getpid() == PARENT:
        raise DataError(f"bad item {items[0]} here")
    time.sleep(0.2)
    return items


def test_an_exception_in_this_process_stops_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 1)
    monkeypatch.setattr(parallel, "CHUNK_WEIGHT", 2)
    start = time.monotonic()
    with pytest.raises(DataError, match="here"):
        map_batches(_fails_here, [list(range(400))], 2, _one, lambda i: i < 10)
    # stopped, not waited for: the worker's 195 chunks would take 39 s
    assert time.monotonic() - start < 10
    assert not multiprocessing.active_children()
