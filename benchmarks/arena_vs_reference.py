"""globeval's m-ArenaHard scores against arena-hard-auto's own code, on the same battles.

What it does, in one process tree:
1. builds answer runs: the baseline is gpt-4-0314 (its real English answers from the shared
   arena-hard v0.1 folder, synthetic answers in the other languages), and two candidates;
2. judges them with `globeval.judging.arena.judge_arena` (the code behind `globeval judge arena`)
   and a scripted, seeded judge that writes arena-hard verdicts, with some judgements that need
   the retry, never give a verdict, contradict themselves or use an unknown label;
3. for each language, and for all languages pooled, exports the judged games in arena-hard's
   model_judgment layout and runs arena-hard-auto's `show_result.py` unchanged (commit ff46f0a,
   the last v0.1-era commit) in its own virtualenv, plus its `utils_math` functions for full
   precision;
4. prints both sides' scores and 95% CIs and checks that they are equal: the battles (every
   battle, in order), the win rates at show_result's 2 decimals, and the Elo ratings and
   bootstrap percentiles to 1e-6.

Usage: python benchmarks/arena_vs_reference.py [--reference PATH] [--prompts N]
  --reference  a clone of github.com/lmarena/arena-hard-auto (work tree or bare git dir);
               default: the mirror fetched under /work/.mirror, if present.
Everything is written under .bench/arena-vs-reference/ (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from globeval.backends.base import Backend
from globeval.judging import bradley_terry as bt
from globeval.judging.arena import ArenaConfig, battles_of, judge_arena, summarize_arena
from globeval.judging.export import arena_hard_rows
from globeval.judging.run import JudgeSettings
from globeval.requests import GenerateRequest, GenerateResult, RequestKind
from globeval.results.run_folder import MANIFEST, SUMMARY, read_samples, write_json, write_samples

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".bench" / "arena-vs-reference"
REFERENCE_COMMIT = "ff46f0acdc00f8f4d904716bd725d878f9f9332f"
REFERENCE_FILES = ["show_result.py", "utils.py", "utils_math.py", "LICENSE"]
DEFAULT_MIRROR = Path("/work/.mirror/lmarena+arena-hard-auto/repo")
#: the reference's dependencies as of its commit (numpy < 2: it uses np.NAN)
REFERENCE_PINS = [
    "numpy==1.26.4",
    "pandas==2.2.3",
    "scipy==1.14.1",
    "scikit-learn==1.5.2",
    "tqdm==4.66.5",
    "pyyaml==6.0.2",
    "requests==2.32.3",
]
BASELINE = "gpt-4-0314"
JUDGE = "bench-judge"
#: candidate strength per language: P(a game's verdict favours the candidate), before ties
LANGUAGES = {"en": 0.35, "de": 0.42, "ja": 0.28, "ar": 0.55, "hi": 0.48, "zh": 0.33, "tr": 0.62}
CANDIDATES = {"cand-a": 0.0, "cand-b": 0.08}  # cand-b is a little stronger everywhere


def shared_data() -> Path:
    env = os.environ.get("GLOBEVAL_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def unit(*parts: str) -> float:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


# -- the scripted judge -----------------------------------------------------------------------
class BenchJudge(Backend):
    """Seeded verdicts: the candidate (its answers say so) wins, ties or loses with its
    language's odds, strongly or slightly; game 2 leans a little towards position A."""

    name: ClassVar[str] = "bench-judge"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"generate"})

    def __init__(self) -> None:
        self.calls = 0

    def identity(self) -> dict[str, Any]:
        return {"judge": "bench-judge", "version": 1}

    def generate(self, requests: Sequence[GenerateRequest]) -> list[GenerateResult]:
        out = []
        for req in requests:
            self.calls += 1
            messages = req.messages or ()
            user = messages[1].content
            retry = len(messages) > 2
            out.append(GenerateResult(self.verdict(user, retry), "stop", len(user) // 4, 60))
        return out

    @staticmethod
    def verdict(user: str, retry: bool) -> str:
        a_part, _, b_part = user.partition("<|The Start of Assistant B's Answer|>")
        candidate_is_a = "[candidate " in a_part
        marker = (a_part if candidate_is_a else b_part).split("[candidate ", 1)[1]
        cand, lang = marker.split("]", 1)[0].split("|")
        roll = unit(user, "roll")
        quirk = unit(user, "quirk")
        if quirk < 0.03:
            if not retry:
                return "Let me weigh both answers first."  # a verdict only after the retry
        elif quirk < 0.04:
            return "Both have merits."  # no verdict, even after the retry
        elif quirk < 0.05:
            return "I lean [[A>B]]; no, [[B>A]]."  # contradictory: dropped
        elif quirk < 0.055:
            return "Final verdict: [[A]]"  # not one of the five labels: dropped
        p_win = LANGUAGES[lang] + CANDIDATES[cand] + (0.05 if candidate_is_a else 0.0)
        strong = unit(user, "strong") < 0.3
        if roll < p_win:
            label = (
                ("A>>B" if strong else "A>B") if candidate_is_a else ("B>>A" if strong else "B>A")
            )
        elif roll < p_win + 0.15:
            label = "A=B"
        else:
            label = (
                ("B>>A" if strong else "B>A") if candidate_is_a else ("A>>B" if strong else "A>B")
            )
        return f"My own answer first... My final verdict is: [[{label}]]"


# -- answer runs ------------------------------------------------------------------------------
def answer_record(lang: str, qid: str, prompt: str, text: str) -> dict[str, Any]:
    return {
        "task": "m_arenahard",
        "sample_id": f"{lang}/{qid}",
        "language": lang,
        "config": lang,
        "status": "ok",
        "score": 1.0,
        "gold": None,
        "parsed": None,
        "prompt": prompt,
        "response": text,
        "error": None,
        "source": "benchmark",
        "extra": {"question_id": qid},
    }


def write_run(folder: Path, model: str, records: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_samples(folder, "m_arenahard", records)
    write_json(folder / SUMMARY, {"run": folder.name, "model": model, "tasks": {}})
    write_json(folder / MANIFEST, {"run": folder.name, "model": {"spec": model}})
    return folder


def build_answer_runs(prompts: int, runs: Path) -> tuple[list[Path], Path]:
    source = shared_data() / "arena_hard_v0.1"
    questions = [json.loads(line) for line in (source / "question.jsonl").open()]
    english = {
        row["question_id"]: row["choices"][0]["turns"][0]["content"]
        for row in map(json.loads, (source / f"model_answer_{BASELINE}.jsonl").open())
    }
    items: list[tuple[str, str, str]] = []  # (language, question_id, prompt)
    for lang in LANGUAGES:
        for q in questions[: (len(questions) if lang == "en" else prompts)]:
            prompt = q["turns"][0]["content"]
            items.append((lang, q["question_id"], prompt if lang == "en" else f"[{lang}] {prompt}"))
    base = [
        answer_record(lang, qid, prompt, english[qid] if lang == "en" else f"Baseline on {qid}.")
        for lang, qid, prompt in items
    ]
    cands = []
    for cand in CANDIDATES:
        records = [
            answer_record(lang, qid, prompt, f"[candidate {cand}|{lang}] An answer to {qid}.")
            for lang, qid, prompt in items
        ]
        cands.append(write_run(runs / cand, cand, records))
    return cands, write_run(runs / BASELINE, BASELINE, base)


# -- the reference ----------------------------------------------------------------------------
def prepare_reference(source: Path) -> tuple[Path, Path]:
    checkout = WORK / "arena-hard-auto"
    if not (checkout / "show_result.py").is_file():
        # only the scoring code: a mirror may lack the large data files of that commit
        archive = subprocess.run(
            ["git", "-C", str(source), "archive", REFERENCE_COMMIT, *REFERENCE_FILES],
            check=True,
            capture_output=True,
        ).stdout
        checkout.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(checkout, filter="data")
        (checkout / "leaderboard").mkdir(exist_ok=True)
    venv = WORK / "venv-reference"
    python = venv / "bin" / "python"
    if not python.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *REFERENCE_PINS],
            check=True,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    return checkout, python


FULL_PRECISION = """
import json, sys
import numpy as np, pandas as pd
sys.path.insert(0, ".")
import utils_math  # seeds numpy's global generator with 42 at import, as show_result.py does
battles = pd.read_json("data/arena_hard_battles.jsonl", lines=True)
elo = utils_math.compute_mle_elo(battles, baseline_model=sys.argv[1])
boot = utils_math.get_bootstrap_result(battles, utils_math.compute_mle_elo, 100, sys.argv[1])
print(json.dumps({"elo": {k: float(v) for k, v in elo.items()},
                  "q025": {m: float(np.percentile(boot[m], 2.5)) for m in boot.columns},
                  "q975": {m: float(np.percentile(boot[m], 97.5)) for m in boot.columns}}))
"""


def run_reference(
    checkout: Path, python: Path, rows: list[dict[str, Any]], baseline: str
) -> dict[str, Any]:
    bench = checkout / "data" / "arena-hard-v0.1"
    judge_dir = bench / "model_judgment" / JUDGE
    shutil.rmtree(bench / "model_judgment", ignore_errors=True)
    judge_dir.mkdir(parents=True)
    # one file, so that the battles keep globeval's order (show_result reads files in glob order)
    with (judge_dir / "all.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    for old in (checkout / "leaderboard").glob("arena_hard_leaderboard_*.csv"):
        old.unlink()
    t0 = time.perf_counter()
    subprocess.run(
        [str(python), "show_result.py", "--judge-name", JUDGE, "--baseline", baseline, "--output"],
        cwd=checkout,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - t0
    [board] = (checkout / "leaderboard").glob("arena_hard_leaderboard_*.csv")
    with board.open() as fh:
        table = {row["model"]: row for row in csv.DictReader(fh)}
    battles = [json.loads(line) for line in (checkout / "data" / "arena_hard_battles.jsonl").open()]
    full = subprocess.run(
        [str(python), "-c", FULL_PRECISION, baseline],
        cwd=checkout,
        check=True,
        capture_output=True,
        text=True,
    )
    return {"table": table, "battles": battles, "full": json.loads(full.stdout), "seconds": seconds}


# -- comparison -------------------------------------------------------------------------------
def ours(records: list[dict[str, Any]], baseline: str) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    result = bt.bootstrap(battles_of(records, bt.DEFAULT_WEIGHT), baseline)
    seconds = time.perf_counter() - t0
    out = {}
    for model in result.ratings:
        low, high = result.interval(model)
        q025, q975 = (float(x) for x in np.percentile(result.draws[model], [2.5, 97.5]))
        out[model] = {
            "score": result.score(model),
            "lower": low,
            "upper": high,
            "elo": result.ratings[model],
            "q025": q025,
            "q975": q975,
        }
    return out, seconds


def compare(
    scenario: str, records: list[dict[str, Any]], ref: dict[str, Any], baseline: str
) -> tuple[bool, list[str]]:
    mine, seconds = ours(records, baseline)
    lines = []
    ok = True
    my_battles = [
        {
            "question_id": b.question_id,
            "model_a": b.model_a,
            "model_b": b.model_b,
            "winner": b.winner,
        }
        for b in battles_of(records, bt.DEFAULT_WEIGHT)
    ]
    ref_battles = [
        {k: b[k] for k in ("question_id", "model_a", "model_b", "winner")} for b in ref["battles"]
    ]
    same_battles = my_battles == ref_battles
    ok &= same_battles
    for model in sorted(mine, key=lambda m: -mine[m]["score"]):
        if model == baseline:
            continue
        m, r = mine[model], ref["table"][model]
        mine_pct = [round(100 * m[k], 2) for k in ("score", "lower", "upper")]
        ref_pct = [float(r[k]) for k in ("score", "rating_q025", "rating_q975")]
        full = ref["full"]
        elo_diff = max(
            abs(m["elo"] - full["elo"][model]),
            abs(m["q025"] - full["q025"][model]),
            abs(m["q975"] - full["q975"][model]),
        )
        equal = mine_pct == ref_pct and elo_diff < 1e-6
        ok &= equal
        lines.append(
            f"{scenario:<8} {model:<8} {len(my_battles):>6}  "
            f"{mine_pct[0]:6.2f} [{mine_pct[1]:6.2f}, {mine_pct[2]:6.2f}]  "
            f"{ref_pct[0]:6.2f} [{ref_pct[1]:6.2f}, {ref_pct[2]:6.2f}]  "
            f"{elo_diff:9.1e}  {'yes' if same_battles else 'NO':>7}  {'EQUAL' if equal else 'DIFFERENT'}"
        )
    lines.append(
        f"{'':<8} time: globeval {seconds:5.2f}s (fit + 100 rounds, in process); "
        f"show_result.py {ref['seconds']:5.2f}s (whole script)"
    )
    return ok, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_MIRROR)
    parser.add_argument("--prompts", type=int, default=150, help="prompts per non-English language")
    args = parser.parse_args()
    if not (args.reference / "HEAD").exists() and not (args.reference / ".git").exists():
        print(f"no arena-hard-auto clone at {args.reference} (give --reference)", file=sys.stderr)
        return 2
    if not (shared_data() / "arena_hard_v0.1" / "question.jsonl").is_file():
        print(f"no shared arena-hard data under {shared_data()}", file=sys.stderr)
        return 2
    print("preparing arena-hard-auto @ ff46f0a and its virtualenv ...", flush=True)
    checkout, python = prepare_reference(args.reference)
    shutil.rmtree(WORK / "globeval", ignore_errors=True)
    cands, base = build_answer_runs(args.prompts, WORK / "globeval" / "answers")
    judge = BenchJudge()
    settings = JudgeSettings(
        judge=JUDGE,
        output_dir=WORK / "globeval" / "runs",
        run_name="judged",
        cache_path=WORK / "globeval" / "cache.sqlite",
        progress=False,
    )
    t0 = time.perf_counter()
    outcome = judge_arena(ArenaConfig(candidates=cands, baseline=base, settings=settings), judge)
    judged_s = time.perf_counter() - t0
    records = read_samples(outcome.run_dir, "m_arenahard_judge")
    counts = {
        k: sum(r["verdict_kind"] == k for r in records)
        for k in ("label", "none", "contradictory", "invalid_label")
    }
    print(
        f"judged {len(records)} games ({judge.calls} judge calls, "
        f"{sum(bool(r['retried']) for r in records)} retried; verdict kinds {counts}) "
        f"in {judged_s:.1f}s; run folder {outcome.run_dir}"
    )
    print()
    print(f"{'scenario':<8} {'model':<8} {'battles':>6}  {'globeval win rate [95% CI]':<26}  "
          f"{'show_result.py win rate [CI]':<26}  {'max |ΔElo|':>9}  battles  result")  # fmt: skip
    all_ok = True
    scenarios = [(lang, [r for r in records if r["language"] == lang]) for lang in LANGUAGES]
    scenarios.append(("pooled", records))
    for name, recs in scenarios:
        rows = [row for model_rows in arena_hard_rows(recs, JUDGE).values() for row in model_rows]
        ref = run_reference(checkout, python, rows, BASELINE)
        ok, lines = compare(name, recs, ref, BASELINE)
        all_ok &= ok
        print("\n".join(lines), flush=True)
    # arena-hard-auto anchors its bootstrap only at a baseline named gpt-4-0314: show what its
    # intervals become for any other name (globeval anchors at the baseline whatever its name)
    en_records = [r for r in records if r["language"] == "en"]
    rows = [row for model_rows in arena_hard_rows(en_records, JUDGE).values() for row in model_rows]
    renamed = run_reference(checkout, python, rows, "my-baseline")["table"]["cand-a"]
    mine, _ = ours(en_records, BASELINE)
    print()
    print(
        "en, cand-a, baseline renamed 'my-baseline': show_result.py "
        f"{float(renamed['score']):.2f} [{float(renamed['rating_q025']):.2f}, "
        f"{float(renamed['rating_q975']):.2f}] (bootstrap not anchored at the baseline); "
        f"globeval {100 * mine['cand-a']['score']:.2f} [{100 * mine['cand-a']['lower']:.2f}, "
        f"{100 * mine['cand-a']['upper']:.2f}] (as with gpt-4-0314)"
    )
    # the summary `globeval judge arena` wrote holds the same per-language numbers
    summary = summarize_arena(records, list(CANDIDATES), BASELINE, seed=1234, n_resamples=1000)
    en = next(r for r in summary["cand-a"]["languages"] if r["language"] == "en")
    print()
    print(
        "cand-a, en, as `globeval judge arena` reports it: "
        f"BT {100 * en['bt_win_rate']['value']:.2f} "
        f"[{100 * en['bt_win_rate']['ci_low']:.2f}, {100 * en['bt_win_rate']['ci_high']:.2f}]; "
        f"head-to-head {100 * en['head_to_head']['value']:.2f} "
        f"(W/T/L {en['games']['win']}/{en['games']['tie']}/{en['games']['loss']}); "
        f"position bias {100 * en['position_bias']['value']:.1f}%"
    )
    print()
    print("ALL EQUAL" if all_ok else "SOME DIFFER")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
