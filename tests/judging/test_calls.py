"""Tests for globeval.judging.calls: first attempts, the one retry, caching and token usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from globeval.backends.base import Backend
from globeval.engine import RequestCache
from globeval.judging.calls import JudgeRunner, Usage, prefer_small_batches
from globeval.judging.prompts import ARENA_HARD_V01
from tests.judging.scripted_judges import ScriptedJudge

USER = ARENA_HARD_V01.fill({"question": "Q?", "answer_a": "x quality=3", "answer_b": "y quality=1"})


def runner(script: str, cache: RequestCache | None = None) -> tuple[JudgeRunner, ScriptedJudge]:
    judge = ScriptedJudge(script)
    return JudgeRunner(judge, ARENA_HARD_V01, cache, max_tokens=64, progress=False), judge


def test_valid_verdict_needs_one_call() -> None:
    run, judge = runner("arena")
    [j], stats = run.judge([USER])
    assert (j.verdict.kind, j.verdict.label, j.retried, j.error) == ("label", "A>>B", False, None)
    assert len(judge.calls) == 1
    messages = judge.calls[0].messages or ()
    assert [m.role for m in messages] == ["system", "user"]
    assert messages[0].content == ARENA_HARD_V01.system
    assert judge.calls[0].temperature == 0.0 and judge.calls[0].max_tokens == 64
    assert stats.total.calls == stats.new.calls == 1


def test_no_verdict_is_retried_once_with_the_conversation() -> None:
    run, judge = runner("arena-late")
    [j], _ = run.judge([USER])
    assert (j.verdict.kind, j.verdict.label, j.retried) == ("label", "A>>B", True)
    retry = judge.calls[1].messages or ()
    assert [m.role for m in retry] == ["system", "user", "assistant", "user"]
    assert retry[2].content == "Let me think about both answers."
    assert (
        retry[3].content == "continue your judgment and finish by outputting a final verdict label"
    )
    assert j.text == "\nLet me think about both answers.\n[[A>>B]]"


def test_still_no_verdict_after_the_retry_stops_there() -> None:
    run, judge = runner("malformed")
    [j], stats = run.judge([USER])
    assert j.verdict.kind == "none" and j.retried
    assert len(judge.calls) == 2
    assert stats.total.calls == 2


def test_contradictory_verdict_is_not_retried() -> None:
    run, judge = runner("contradictory")
    [j], _ = run.judge([USER])
    assert j.verdict.kind == "contradictory" and not j.retried
    assert len(judge.calls) == 1


def test_failed_call_is_reported_not_raised() -> None:
    run, _ = runner("arena")
    failing = ARENA_HARD_V01.fill({"question": "FAIL", "answer_a": "a", "answer_b": "b"})
    ok, bad = run.judge([USER, failing])[0]
    assert ok.verdict.label == "A>>B"
    assert bad.error is not None and "scripted failure" in bad.error


def test_cache_means_no_second_call(tmp_path: Path) -> None:
    cache = RequestCache(tmp_path / "c.sqlite")
    run, judge = runner("arena-late", cache)
    first, stats1 = run.judge([USER])
    run2, judge2 = runner("arena-late", cache)
    second, stats2 = run2.judge([USER])
    assert len(judge.calls) == 2 and judge2.calls == []
    assert second[0].text == first[0].text
    assert stats2.new.calls == 0 and stats2.total.calls == 2
    assert stats2.total.prompt_tokens == stats1.total.prompt_tokens > 0
    usage = stats2.usage(price_input=1.0, price_output=2.0)
    assert usage["from_cache"] == 2 and usage["cost_usd_this_run"] == 0.0
    assert usage["cost_usd"] == pytest.approx(
        (stats1.total.prompt_tokens * 1.0 + stats1.total.completion_tokens * 2.0) / 1e6
    )


def test_usage_cost() -> None:
    usage = Usage(calls=2, prompt_tokens=1_000_000, completion_tokens=500_000)
    assert usage.cost(None, None) is None
    assert usage.cost(2.5, 10.0) == pytest.approx(7.5)
    assert usage.cost(2.5, None) == pytest.approx(2.5)


def test_small_batches_only_for_backends_that_do_not_stream() -> None:
    judge = ScriptedJudge("arena")
    judge.batch_size = 8
    prefer_small_batches(judge)
    assert judge.batch_size == 1

    class Streaming(ScriptedJudge):
        def stream(self, kind, requests):  # type: ignore[no-untyped-def]
            return Backend.stream(self, kind, requests)

    streaming = Streaming("arena")
    streaming.batch_size = 8
    prefer_small_batches(streaming)
    assert streaming.batch_size == 8


def test_killed_judging_run_resumes_without_judging_finished_games(tmp_path: Path) -> None:
    """SIGKILL a judging run mid-way; the rerun sends only the games the first run left."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from tests.judging.answer_runs import quality_answers, write_answer_run

    keys = {("en", f"q{i}"): i % 3 for i in range(12)}
    cand = write_answer_run(tmp_path / "cand", "cand", quality_answers(keys, "c"))
    base = write_answer_run(tmp_path / "base", "base", quality_answers(dict.fromkeys(keys, 1), "b"))
    cache_dir = tmp_path / "cache"
    args = [
        "judge", "arena", str(cand), "--baseline", str(base), "--judge", "arena",
        "--judge-backend", "scripted", "-o", str(tmp_path / "runs"), "--no-progress",
        "--cache", str(cache_dir / "requests.sqlite"), "--bt-rounds", "5", "--bootstrap", "100",
    ]  # fmt: skip
    launcher = (
        "import sys, scripted_judges; scripted_judges.register(); "
        "from globeval.cli.main import app; sys.argv[0] = 'globeval'; app()"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    first_log = tmp_path / "first.log"
    child = subprocess.Popen(
        [sys.executable, "-c", launcher, *args, "-J", f"log={first_log}", "-J", "delay=0.5"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if first_log.is_file() and len(first_log.read_text().splitlines()) >= 5:
            break
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    called_before = len(first_log.read_text().splitlines())
    assert 5 <= called_before < 24, "the first run should die part-way through its 24 games"
    with sqlite3.connect(cache_dir / "requests.sqlite") as db:
        cached = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    # at most the call in flight at the kill is lost
    assert called_before - 1 <= cached <= called_before

    second_log = tmp_path / "second.log"
    rerun = subprocess.run(
        [sys.executable, "-c", launcher, *args, "-J", f"log={second_log}", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    called_again = len(second_log.read_text().splitlines()) if second_log.is_file() else 0
    assert called_again == 24 - cached
    usage = json.loads(rerun.stdout)["usage"]
    assert usage["from_cache"] == cached and usage["this_run"]["calls"] == called_again
