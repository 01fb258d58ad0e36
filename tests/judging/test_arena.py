"""Tests for globeval.judging.arena: games, records and per-language scores from scripted judges."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from globeval.data.errors import DataError
from globeval.judging.arena import ArenaConfig, candidate_outcome, judge_arena
from globeval.judging.run import JudgeSettings
from globeval.results.run_folder import read_json, read_samples
from tests.judging.answer_runs import quality_answers, write_answer_run
from tests.judging.scripted_judges import ScriptedJudge

QIDS = ("q1", "q2", "q3", "q4")
#: candidate qualities; the baseline's are all 2 (the scripted judge compares the numbers)
CANDIDATE = {
    ("en", "q1"): 4,  # much better: strong wins in both games (3 battles each)
    ("en", "q2"): 3,  # better
    ("en", "q3"): 2,  # tie
    ("en", "q4"): 1,  # worse
    ("fr", "q1"): None,  # the candidate failed to answer: both games not judged
    ("fr", "q2"): 2,
    ("fr", "q3"): 2,
    ("fr", "q4"): 0,  # much worse
}


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    cand = write_answer_run(tmp_path / "cand", "cand-model", quality_answers(CANDIDATE, "cand"))
    base = write_answer_run(
        tmp_path / "base", "base-model", quality_answers(dict.fromkeys(CANDIDATE, 2), "base")
    )
    return cand, base


def arena(
    tmp_path: Path, cands: list[Path], base: Path, script: str, **kw: Any
) -> tuple[dict[str, Any], ScriptedJudge, Path]:
    judge = ScriptedJudge(script)
    settings = JudgeSettings(
        judge=script,
        output_dir=tmp_path / "runs",
        cache_path=tmp_path / "cache.sqlite",
        progress=False,
        bootstrap_resamples=200,
    )
    kw.setdefault("bt_rounds", 10)
    outcome = judge_arena(
        ArenaConfig(candidates=cands, baseline=base, settings=settings, **kw), judge
    )
    return outcome.summary, judge, outcome.run_dir


def rows(summary: dict[str, Any], name: str = "cand-model") -> dict[str, dict[str, Any]]:
    task = summary["tasks"][f"m_arenahard_judge:{name}"]
    return {row["language"]: row for row in task["languages"]}


def test_candidate_outcome_by_position() -> None:
    assert candidate_outcome("B>A", 1) == 1.0  # game 1: the candidate is B
    assert candidate_outcome("A>>B", 1) == 0.0
    assert candidate_outcome("A>B", 2) == 1.0  # game 2: the candidate is A
    assert candidate_outcome("B>>A", 2) == 0.0
    assert candidate_outcome("A=B", 1) == candidate_outcome("A=B", 2) == 0.5


def test_consistent_judge_scores(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    summary, judge, run_dir = arena(tmp_path, [runs[0]], runs[1], "arena")
    by_lang = rows(summary)
    en, fr = by_lang["en"], by_lang["fr"]
    # en: W=4 T=2 L=2 games; battles 8 wins (3+3+1+1), 2 ties, 2 losses -> p = 9/12
    assert en["games"] == {"win": 4, "tie": 2, "loss": 2}
    assert en["head_to_head"]["value"] == pytest.approx(5 / 8)
    assert (en["win"]["value"], en["tie"]["value"], en["loss"]["value"]) == (0.5, 0.25, 0.25)
    assert en["bt_win_rate"]["value"] == pytest.approx(0.75, abs=1e-6)
    assert en["position_bias"]["value"] == 0.0
    # fr: q1 not judged; W=0 T=4 L=2; battles 4 ties and 6 losses -> p = 2/10
    assert (fr["samples"], fr["ok"], fr["failed"]) == (8, 6, 2)
    assert fr["head_to_head"]["value"] == pytest.approx(1 / 3)
    assert fr["bt_win_rate"]["value"] == pytest.approx(0.2, abs=1e-6)
    task = summary["tasks"]["m_arenahard_judge:cand-model"]
    micro, macro = task["overall"]["micro"], task["overall"]["macro"]
    assert micro["bt_win_rate"]["value"] == pytest.approx(11 / 22, abs=1e-6)
    assert macro["bt_win_rate"]["value"] == pytest.approx((0.75 + 0.2) / 2, abs=1e-6)
    assert micro["head_to_head"]["value"] == pytest.approx(7 / 14)
    for est in (en["bt_win_rate"], en["head_to_head"], micro["bt_win_rate"]):
        assert est["ci_low"] <= est["value"] <= est["ci_high"]
    assert task["judging"]["not_judged"] == 2 and task["judging"]["judged"] == 14
    # 14 judgeable games, one call each
    assert len(judge.calls) == 14
    records = read_samples(run_dir, "m_arenahard_judge")
    assert len(records) == 16
    failed = [r for r in records if r["status"] == "failed"]
    assert {r["question_id"] for r in failed} == {"q1"}
    assert all("candidate has no answer" in r["error"] for r in failed)
    game1 = next(r for r in records if r["sample_id"].startswith("en/q1/g1"))
    assert (game1["model_a"], game1["model_b"], game1["parsed"]) == (
        "base-model",
        "cand-model",
        "B>>A",
    )


def test_position_biased_judge(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    summary, _, _ = arena(tmp_path, [runs[0]], runs[1], "arena-a-first")
    en = rows(summary)["en"]
    assert en["position_bias"]["value"] == 1.0
    assert en["head_to_head"]["value"] == 0.5
    assert en["bt_win_rate"]["value"] == pytest.approx(0.5, abs=1e-6)


@pytest.mark.parametrize(
    ("script", "kind", "retried"),
    [
        ("malformed", "no_verdict", 14),
        ("contradictory", "contradictory", 0),
        ("invalid", "invalid_label", 0),
    ],
)
def test_unusable_verdicts_are_dropped_and_counted(
    tmp_path: Path, runs: tuple[Path, Path], script: str, kind: str, retried: int
) -> None:
    summary, judge, run_dir = arena(tmp_path, [runs[0]], runs[1], script)
    task = summary["tasks"]["m_arenahard_judge:cand-model"]
    assert task["counts"]["format_errors"] == 14 and task["counts"]["failed"] == 2
    assert task["judging"][kind] == 14
    assert task["judging"]["retried"] == retried
    assert len(judge.calls) == 14 + retried
    assert math.isnan(rows(summary)["en"]["bt_win_rate"]["value"] or math.nan)
    statuses = {r["status"] for r in read_samples(run_dir, "m_arenahard_judge")}
    assert statuses == {"format_error", "failed"}


def test_verdict_after_the_retry_counts(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    late, judge, _ = arena(tmp_path, [runs[0]], runs[1], "arena-late")
    task = late["tasks"]["m_arenahard_judge:cand-model"]
    assert task["judging"]["retried"] == task["judging"]["verdict_after_retry"] == 14
    assert len(judge.calls) == 28
    assert rows(late)["en"]["bt_win_rate"]["value"] == pytest.approx(0.75, abs=1e-6)


def test_rerun_calls_no_judge_and_gives_the_same_summary(
    tmp_path: Path, runs: tuple[Path, Path]
) -> None:
    first, _, _ = arena(tmp_path, [runs[0]], runs[1], "arena-late", languages=["en"])
    again, judge, run_dir = arena(tmp_path, [runs[0]], runs[1], "arena-late", languages=["en"])
    assert judge.calls == []
    assert again["tasks"] == first["tasks"]
    usage = read_json(run_dir / "manifest.json")["usage"]
    assert usage["this_run"]["calls"] == 0 and usage["from_cache"] == 16


def test_two_candidates_are_rated_together(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    qualities = {key: 2 if key[1] == "q4" else 3 for key in CANDIDATE}  # wins and one tie
    strong = write_answer_run(tmp_path / "strong", "strong-model", quality_answers(qualities, "s"))
    summary, _, _ = arena(tmp_path, [runs[0], strong], runs[1], "arena")
    assert set(summary["tasks"]) == {
        "m_arenahard_judge:cand-model",
        "m_arenahard_judge:strong-model",
    }
    # battles only against the baseline: each candidate's rating rests on its own record
    assert rows(summary)["en"]["bt_win_rate"]["value"] == pytest.approx(0.75, abs=1e-6)
    strong_en = rows(summary, "strong-model")["en"]["bt_win_rate"]["value"]
    assert strong_en == pytest.approx(7 / 8, abs=1e-6)


def test_missing_baseline_answers_and_question_text(tmp_path: Path) -> None:
    cand = write_answer_run(
        tmp_path / "c", "c", {("en", "q1"): "a", ("en", "q2"): "b"}, questions={"q1": ""}
    )
    base = write_answer_run(tmp_path / "b", "b", {("en", "q1"): "x"}, questions={"q1": ""})
    summary, judge, run_dir = arena(tmp_path, [cand], base, "arena")
    assert judge.calls == []
    errors = {r["question_id"]: r["error"] for r in read_samples(run_dir, "m_arenahard_judge")}
    assert "no question text" in errors["q1"]
    assert "b has no answer" in errors["q2"]
    assert summary["tasks"]["m_arenahard_judge:c"]["counts"]["failed"] == 4


def test_same_model_twice_is_told_apart(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    other = write_answer_run(tmp_path / "base2", "base-model", quality_answers(CANDIDATE, "c"))
    summary, _, _ = arena(tmp_path, [other], runs[1], "arena", languages=["en"])
    assert summary["baseline"] == "base-model (base)"
    assert list(summary["tasks"]) == ["m_arenahard_judge:base-model (base2)"]


def test_judge_is_chosen_by_model_string(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    settings = JudgeSettings(
        judge="arena",
        judge_backend="scripted",
        output_dir=tmp_path / "runs",
        cache_path=None,
        progress=False,
        bootstrap_resamples=100,
    )
    outcome = judge_arena(
        ArenaConfig([runs[0]], runs[1], settings, languages=["en"], limit=2, bt_rounds=5)
    )
    assert outcome.manifest["judge"]["backend"] == "scripted"
    assert outcome.manifest["judge"]["script"] == "arena"
    assert rows(outcome.summary)["en"]["samples"] == 4  # --limit 2 prompts, two games each


def test_no_matching_prompts_is_an_error(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    with pytest.raises(DataError, match="no prompts to judge"):
        arena(tmp_path, [runs[0]], runs[1], "arena", languages=["xx"])


def test_not_an_answer_run_is_an_error(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    with pytest.raises(DataError, match="no m_arenahard answers"):
        arena(tmp_path, [tmp_path], runs[1], "arena")
