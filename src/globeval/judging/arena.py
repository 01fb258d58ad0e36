"""Pairwise judging on m-ArenaHard with arena-hard-auto v0.1's protocol, per language.

Games. For every prompt that both the candidate and the baseline answered, two games with the
answers' positions swapped: game 1 shows the baseline as assistant A and the candidate as B, game 2
the reverse. The judge (any backend, temperature 0) gets arena-hard's system prompt and template;
a judgement with no `[[...]]` verdict gets one retry ("continue your judgment and finish by
outputting a final verdict label"); a judgement with several distinct labels, or with a label
that is not one of A>>B, A>B, A=B, B>A, B>>A, is dropped. Dropped and failed games are kept in
the records with their reason and counted in the summary.

Scores per language (and pooled, and averaged over languages):
  bt_win_rate    Bradley–Terry win rate against the baseline with a 100-round bootstrap CI
                 (judging/bradley_terry.py; strong verdicts weigh 3, ties half each way)
  head_to_head   (W + ½T) / N over judged games, every verdict weighing 1, as the Aya Expanse
                 report quotes win rates; win, tie, loss are W/N, T/N, L/N
  position_bias  share of prompts whose two games disagree (the outcome changed when the
                 answers swapped places), among prompts with both games judged
Head-to-head CIs resample prompts (both games of a prompt together); the bias CI resamples prompts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from globeval.backends.base import Backend
from globeval.data.errors import DataError
from globeval.judging import bradley_terry as bt
from globeval.judging.answers import Answer, AnswerSet, read_answer_run
from globeval.judging.calls import Judgement, JudgeRunner
from globeval.judging.prompts import ARENA_HARD_V01
from globeval.judging.resample import NAN_ESTIMATE, mean_of_draws, ratio_estimate
from globeval.judging.run import (
    JudgeSettings,
    base_manifest,
    judging_counts,
    open_judge,
    run_dir_for,
    write_run,
)
from globeval.results.stats import Estimate, bootstrap_macro, bootstrap_mean
from globeval.results.summary import by_language, counts, estimate_dict

TASK = "m_arenahard_judge"
METRICS = ("bt_win_rate", "head_to_head", "win", "tie", "loss", "position_bias")


@dataclass
class ArenaConfig:
    candidates: list[Path]
    baseline: Path
    settings: JudgeSettings = field(default_factory=JudgeSettings)
    languages: list[str] | None = None
    #: at most this many prompts per language
    limit: int | None = None
    weight: int = bt.DEFAULT_WEIGHT
    bt_rounds: int = bt.DEFAULT_ROUNDS
    bt_seed: int = bt.DEFAULT_SEED


@dataclass
class ArenaOutcome:
    run_dir: Path
    summary: dict[str, Any]
    manifest: dict[str, Any]


@dataclass(frozen=True)
class Game:
    candidate: str
    baseline: str
    language: str
    question_id: str
    game: int
    question: str
    answer_a: str
    answer_b: str
    source: str
    cluster: str
    #: why the game cannot be judged (an answer is missing or failed), else None
    problem: str | None = None

    @property
    def model_a(self) -> str:
        return self.baseline if self.game == 1 else self.candidate

    @property
    def model_b(self) -> str:
        return self.candidate if self.game == 1 else self.baseline


def _problem(candidate: Answer, baseline: Answer | None, baseline_name: str) -> str | None:
    if candidate.text is None:
        return f"the candidate has no answer: {candidate.error}"
    if baseline is None:
        return f"{baseline_name} has no answer to this question"
    if baseline.text is None:
        return f"the baseline has no answer: {baseline.error}"
    if not (candidate.question or baseline.question):
        return "no question text (import the answers with --questions)"
    return None


def plan_games(
    candidates: Sequence[AnswerSet],
    baseline: AnswerSet,
    languages: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[Game]:
    """Two games per (candidate, language, question), in the candidates' order."""
    games: list[Game] = []
    for cand in candidates:
        per_language: dict[str, int] = defaultdict(int)
        for (lang, qid), answer in cand.answers.items():
            if languages and lang not in languages:
                continue
            if limit is not None and per_language[lang] >= limit:
                continue
            per_language[lang] += 1
            base = baseline.answers.get((lang, qid))
            problem = _problem(answer, base, baseline.model)
            question = answer.question or (base.question if base else "")
            cand_text, base_text = answer.text or "", (base.text or "") if base else ""
            for game in (1, 2):
                a, b = (base_text, cand_text) if game == 1 else (cand_text, base_text)
                games.append(
                    Game(
                        cand.model,
                        baseline.model,
                        lang,
                        qid,
                        game,
                        question,
                        a,
                        b,
                        answer.source,
                        answer.cluster,
                        problem,
                    )
                )
    return games


def candidate_outcome(label: str, game: int) -> float:
    """1 when the verdict favours the candidate, ½ for a tie, 0 when it favours the baseline."""
    if label == "A=B":
        return 0.5
    a_wins = label.startswith("A>")
    candidate_is_a = game == 2
    return float(a_wins == candidate_is_a)


def game_record(game: Game, judgement: Judgement | None, user: str) -> dict[str, Any]:
    label: str | None = None
    status, error, score = "failed", game.problem, None
    verdict_kind = "not_judged"
    if judgement is not None:
        verdict_kind = judgement.verdict.kind
        if judgement.error is not None:
            status, error, verdict_kind = "failed", judgement.error, "judge_failed"
        elif judgement.verdict.kind == "none":
            status, error = "format_error", "no verdict, even after the retry"
        elif judgement.verdict.kind == "contradictory":
            status = "format_error"
            error = "contradictory verdicts: " + ", ".join(judgement.verdict.seen)
        elif judgement.verdict.label not in bt.VALID_LABELS:
            status, verdict_kind = "format_error", "invalid_label"
            error = (
                f"verdict {judgement.verdict.label!r} is not one of {', '.join(bt.VALID_LABELS)}"
            )
            label = judgement.verdict.label
        else:
            label = judgement.verdict.label
            status, error = "ok", None
            score = candidate_outcome(label, game.game)
    return {
        "task": TASK,
        "sample_id": f"{game.language}/{game.question_id}/g{game.game}/{game.candidate}",
        "language": game.language,
        "config": game.language,
        "status": status,
        "score": score,
        "gold": None,
        "parsed": label,
        "prompt": user,
        "response": judgement.text if judgement else "",
        "error": error,
        "source": game.source,
        "question_id": game.question_id,
        "candidate": game.candidate,
        "baseline": game.baseline,
        "game": game.game,
        "model_a": game.model_a,
        "model_b": game.model_b,
        "verdict_kind": verdict_kind,
        "retried": bool(judgement and judgement.retried),
        "cluster": game.cluster,
        "extra": {
            "attempts": judgement.attempts if judgement else [],
            "labels_seen": list(judgement.verdict.seen) if judgement else [],
            "prompt_tokens": judgement.prompt_tokens if judgement else 0,
            "completion_tokens": judgement.completion_tokens if judgement else 0,
        },
    }


# -- scores -----------------------------------------------------------------------------------
def battles_of(records: Sequence[dict[str, Any]], weight: int) -> list[bt.Battle]:
    out: list[bt.Battle] = []
    for rec in records:
        if rec["status"] == "ok":
            out += bt.battles_from_game(
                rec["parsed"],
                int(rec["game"]),
                rec["baseline"],
                rec["candidate"],
                rec["question_id"],
                weight,
            )
    return out


def _per_prompt(records: Sequence[dict[str, Any]]) -> dict[str, list[float]]:
    """question_id -> the candidate's outcomes in its judged games."""
    out: dict[str, list[float]] = {}
    for rec in records:
        games = out.setdefault(rec["question_id"], [])
        if rec["status"] == "ok":
            games.append(float(rec["score"]))
    return out


def _share(
    outcomes: dict[str, list[float]], which: float | None
) -> tuple[list[float], list[float]]:
    """Per-prompt numerators and denominators: the outcome's sum (which=None) or a count."""
    num = [
        sum(g) if which is None else float(sum(x == which for x in g)) for g in outcomes.values()
    ]
    den = [float(len(g)) for g in outcomes.values()]
    return num, den


def _disagreements(outcomes: dict[str, list[float]]) -> list[float]:
    return [float(g[0] != g[1]) for g in outcomes.values() if len(g) == 2]


def _bt_estimate(result: bt.BTResult, model: str, n: int) -> Estimate:
    if not result.ratings or model not in result.ratings:
        return NAN_ESTIMATE
    low, high = result.interval(model)
    return Estimate(result.score(model), low, high, n)


def _rate_estimates(
    recs: Sequence[dict[str, Any]], n_resamples: int, seed: int
) -> tuple[dict[str, Estimate], dict[str, np.ndarray[Any, Any]]]:
    outcomes = _per_prompt(recs)
    estimates: dict[str, Estimate] = {}
    draws: dict[str, np.ndarray[Any, Any]] = {}
    for metric, which in (("head_to_head", None), ("win", 1.0), ("tie", 0.5), ("loss", 0.0)):
        num, den = _share(outcomes, which)
        estimates[metric], draws[metric] = ratio_estimate(
            num, den, n_resamples, np.random.default_rng(seed)
        )
    estimates["position_bias"] = bootstrap_mean(_disagreements(outcomes), n_resamples, seed=seed)
    return estimates, draws


def summarize_arena(
    records: Sequence[dict[str, Any]],
    candidates: Sequence[str],
    baseline: str,
    weight: int = bt.DEFAULT_WEIGHT,
    bt_rounds: int = bt.DEFAULT_ROUNDS,
    bt_seed: int = bt.DEFAULT_SEED,
    seed: int = 1234,
    n_resamples: int = 1000,
) -> dict[str, dict[str, Any]]:
    """One summary per candidate (layout of results/summary.py), from the game records alone."""
    languages = by_language(records)
    per_language_bt = {
        lang: bt.bootstrap(battles_of(recs, weight), baseline, bt_rounds, bt_seed)
        for lang, recs in languages.items()
    }
    pooled_bt = bt.bootstrap(battles_of(records, weight), baseline, bt_rounds, bt_seed)
    out: dict[str, dict[str, Any]] = {}
    for cand in candidates:
        mine = [r for r in records if r["candidate"] == cand]
        rows = []
        bt_values, bt_draws = [], []
        rate_values: dict[str, list[float]] = defaultdict(list)
        rate_draws: dict[str, list[np.ndarray[Any, Any]]] = defaultdict(list)
        bias_groups: list[list[float]] = []
        for lang, lang_recs in by_language(mine).items():
            n_ok = sum(r["status"] == "ok" for r in lang_recs)
            result = per_language_bt[lang]
            estimates, draws = _rate_estimates(lang_recs, n_resamples, seed)
            estimates["bt_win_rate"] = _bt_estimate(result, cand, n_ok)
            bt_values.append(estimates["bt_win_rate"].value)
            bt_draws.append(result.win_rate_draws(cand))
            for metric in ("head_to_head", "win", "tie", "loss"):
                rate_values[metric].append(estimates[metric].value)
                rate_draws[metric].append(draws[metric])
            outcomes = _per_prompt(lang_recs)
            bias_groups.append(_disagreements(outcomes))
            wtl = [x for g in outcomes.values() for x in g]
            row: dict[str, Any] = {"language": lang, **counts(lang_recs)}
            row.update({m: estimate_dict(estimates[m]) for m in METRICS})
            row["games"] = {"win": wtl.count(1.0), "tie": wtl.count(0.5), "loss": wtl.count(0.0)}
            row["elo"] = _elo(result, cand)
            rows.append(row)
        n_ok_all = sum(r["status"] == "ok" for r in mine)
        micro, _ = _rate_estimates(mine, n_resamples, seed)
        micro["bt_win_rate"] = _bt_estimate(pooled_bt, cand, n_ok_all)
        macro = {"bt_win_rate": mean_of_draws(bt_values, bt_draws, n_ok_all)}
        for metric in ("head_to_head", "win", "tie", "loss"):
            macro[metric] = mean_of_draws(rate_values[metric], rate_draws[metric], n_ok_all)
        macro["position_bias"], _ = bootstrap_macro(bias_groups, n_resamples, seed=seed)
        out[cand] = {
            "title": f"m-ArenaHard: {cand} vs {baseline}",
            "metric": "bt_win_rate",
            "metrics": list(METRICS),
            "formulation": "pairwise judge",
            "candidate": cand,
            "baseline": baseline,
            "counts": counts(mine),
            "languages": rows,
            "overall": {
                "macro": {m: estimate_dict(e) for m, e in macro.items()},
                "micro": {m: estimate_dict(e) for m, e in micro.items()},
            },
            "overall_elo": _elo(pooled_bt, cand),
            "groups": {},
            "judging": judging_counts(mine),
            "protocol": {"weight": weight, "bt_rounds": bt_rounds, "bt_seed": bt_seed},
        }
    return out


def _elo(result: bt.BTResult, model: str) -> dict[str, Any]:
    if model not in result.ratings:
        return {"value": None, "ci_low": None, "ci_high": None}
    low, high = np.percentile(result.draws[model], [2.5, 97.5])
    return {"value": result.ratings[model], "ci_low": float(low), "ci_high": float(high)}


# -- the run ----------------------------------------------------------------------------------
def _distinct_names(sets: list[AnswerSet]) -> None:
    """Two runs of the same model (different settings) must not merge into one player."""
    seen: dict[str, int] = defaultdict(int)
    for s in sets:
        seen[s.model] += 1
    for s in sets:
        if seen[s.model] > 1:
            s.model = f"{s.model} ({Path(s.origin).name})"
    names = [s.model for s in sets]
    if len(set(names)) != len(names):
        raise DataError(f"the same answers are given twice: {', '.join(names)}")


def judge_arena(
    config: ArenaConfig, backend: Backend | None = None, console: Any = None
) -> ArenaOutcome:
    """Judge the candidates' answers against the baseline's and write a judging run folder."""
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    settings = config.settings
    prompt = settings.prompt(ARENA_HARD_V01)
    candidates = [read_answer_run(p) for p in config.candidates]
    baseline = read_answer_run(config.baseline)
    _distinct_names([*candidates, baseline])
    games = plan_games(candidates, baseline, config.languages, config.limit)
    if not games:
        raise DataError(
            "no prompts to judge: the candidates' answers do not match the language selection"
        )
    users = [
        prompt.fill({"question": g.question, "answer_a": g.answer_a, "answer_b": g.answer_b})
        for g in games
    ]
    todo = [i for i, g in enumerate(games) if g.problem is None]
    with open_judge(settings, backend) as judge:
        runner = JudgeRunner(
            judge.backend, prompt, judge.cache, settings.max_tokens, settings.progress, console
        )
        judgements, stats = runner.judge([users[i] for i in todo])
        by_game: dict[int, Judgement] = dict(zip(todo, judgements, strict=True))
        records = [
            game_record(g, by_game.get(i), users[i] if g.problem is None else "")
            for i, g in enumerate(games)
        ]
        names = [c.model for c in candidates]
        tasks = summarize_arena(
            records,
            names,
            baseline.model,
            config.weight,
            config.bt_rounds,
            config.bt_seed,
            settings.seed,
            settings.bootstrap_resamples,
        )
        run_dir = run_dir_for(settings, started, "m_arenahard-judge", "+".join(names))
        manifest = base_manifest(
            settings, "judge-arena", run_dir, started, judge, prompt, stats, t0
        )
        judge_label = judge.label
    manifest.update(
        {
            "candidates": [c.about for c in candidates],
            "baseline": baseline.about,
            "selection": {"languages": config.languages, "limit": config.limit},
            "protocol": {
                "games_per_prompt": 2,
                "retries": 1,
                "weight": config.weight,
                "bt_rounds": config.bt_rounds,
                "bt_seed": config.bt_seed,
            },
        }
    )
    summary = {
        "run": run_dir.name,
        "model": ", ".join(names),
        "baseline": baseline.model,
        "judge": judge_label,
        "tasks": {f"{TASK}:{name}": task for name, task in tasks.items()},
        "requests": manifest["requests"],
        "usage": manifest["usage"],
    }
    write_run(run_dir, TASK, records, summary, manifest)
    return ArenaOutcome(run_dir, summary, manifest)
