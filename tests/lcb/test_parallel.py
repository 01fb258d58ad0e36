"""Worker processes give exactly the verdicts of one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from globeval.lcb import parallel
from globeval.lcb.data import read_completions
from globeval.lcb.metrics import LanguageConfusionScorer, load_english_words
from globeval.lcb.parallel import map_chunks, plan_chunks
from globeval.scoring.langid import FastTextLID, resolve_lid_model


def _pids(items: object) -> list[int]:
    return [os.getpid()] * len(items)  # type: ignore[arg-type]


def _tagged(items: list[int]) -> list[tuple[int, int]]:
    return [(i, os.getpid()) for i in items]


def test_chunks_come_back_in_order_from_forked_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 1)
    items = list(range(50))
    weights = [1.0] * 50
    first = [i % 7 == 0 for i in items]  # these run first, yet come back in place
    out = map_chunks(_tagged, items, 2, weights, first)
    assert [i for i, _ in out] == items
    assert os.getpid() not in {pid for _, pid in out}
    # one worker: this process, all at once
    assert set(map_chunks(_pids, items, 1, weights, first)) == {os.getpid()}


def test_chunks_have_similar_weight_and_the_costly_ones_come_first() -> None:
    weights = [10.0, 1, 1, 10, 1, 1, 1, 1, 1, 1, 1, 1]
    first = [w == 10 for w in weights]
    chunks = plan_chunks(weights, first, 3)
    assert chunks[:2] == [[0], [3]]  # the costly ones, before everything else
    assert sorted(i for c in chunks for i in c) == list(range(12))
    assert all(sum(weights[i] for i in c) <= 10 for c in chunks)


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
