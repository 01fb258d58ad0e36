"""Worker processes give exactly the verdicts of one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from globeval.lcb import parallel
from globeval.lcb.data import read_completions
from globeval.lcb.metrics import LanguageConfusionScorer, load_english_words
from globeval.lcb.parallel import WorkerPool
from globeval.scoring.langid import FastTextLID, resolve_lid_model


def _pid_of(_: int) -> int:
    return os.getpid()


def test_pool_maps_in_order_over_forked_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 1)
    with WorkerPool(2) as pool:
        assert pool.map(str, list(range(50))) == [str(i) for i in range(50)]
        assert os.getpid() not in pool.map(_pid_of, list(range(8)))
    with WorkerPool(1) as pool:  # one worker: this process
        assert set(pool.map(_pid_of, list(range(8)))) == {os.getpid()}


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


def test_default_workers_leave_busy_cpus_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 0.0, 0.0))
    assert parallel.default_workers() == 3
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 0.0, 0.0))
    assert parallel.default_workers() == 1
