"""globeval's reward-model scoring and throughput against allenai/reward-bench's own code.

1. Scores. The same per-item results go through globeval's scorer and through reward-bench's
   `rewardbench.utils.calculate_scores_per_section` (with its EXAMPLE_COUNTS/SUBSET_MAPPING, and
   with M-RewardBench's analysis counts from `analysis/plot_utils.py`), run unchanged in their
   own virtualenv; the RewardBench v1 average goes through reward-bench's
   `analysis.get_benchmark_results.get_average_over_rewardbench`. Per-item results: synthetic
   outcomes over M-RewardBench's 23 subsets (classifier 0/1 and judge 0/0.5/1), and the per-item
   outcomes of the throughput run below. Every section, language score and v1 average must be
   equal.
2. Throughput. The same tiny random sequence-classification RM and the same pairs, on CPU, batch
   size 8: `globeval run m_rewardbench --backend hf-rm` against reward-bench's `rewardbench`
   command (its scoring loop, unchanged). Each tool runs on a small and a large set; pairs/s is
   (large - small) / (time large - time small), which cancels start-up (imports, model load)
   and leaves the per-pair cost of templating, tokenizing, batching and forward passes. The two
   run side by side, alternating, best of `--repeats`.
   reward-bench's default pipeline (rewardbench/models/pipeline.py) sends its inputs to "cuda"
   unconditionally; on a CPU machine the driver maps that one `.to("cuda")` to the CPU, without
   touching reward-bench's code.

Sources: --reward-bench and --m-rewardbench take a checkout or a bare git directory (default: a
fetched mirror under /work/.mirror, else `git clone` from GitHub). reward-bench's environment
(transformers 4.57.6 as it pins, the CPU torch) is built once under .bench/ (git-ignored).

    python benchmarks/reward_vs_rewardbench.py [--pairs 240] [--small 24] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: sections and language scores are computed in the same order as reward-bench's and come out
#: bit-identical; the v1 average goes through numpy's weighted averages, equal to rounding
TOLERANCE = 1e-12
BENCH = ROOT / ".bench"
WORK = BENCH / "reward"
VENV = BENCH / "rewardbench-venv"
MIRRORS = Path("/work/.mirror")
SOURCES = {
    "reward-bench": ("allenai+reward-bench", "https://github.com/allenai/reward-bench"),
    "m-rewardbench": (
        "Cohere-Labs-Community+m-rewardbench",
        "https://github.com/Cohere-Labs-Community/m-rewardbench",
    ),
}
RB_REQUIREMENTS = [
    "torch==2.13.0",  # the CPU build; a plain "torch" would pull a CUDA one
    "transformers==4.57.6",  # reward-bench's pin
    "accelerate",
    "datasets",
    "huggingface_hub",
    "pandas",
    "numpy",
    "tqdm",
    "safetensors",
    "jinja2",
    "sentencepiece",
    "tabulate",
    "wandb",  # imported at the top of rewardbench/rewardbench.py
]

SECTIONS_DRIVER = r"""
import importlib.util, json, sys
import pandas as pd
from rewardbench.constants import EXAMPLE_COUNTS, SUBSET_MAPPING
from rewardbench.utils import calculate_scores_per_section
from analysis.get_benchmark_results import get_average_over_rewardbench

spec = importlib.util.spec_from_file_location("mrb_plot_utils", sys.argv[2])
mrb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mrb)

runs = json.load(open(sys.argv[1]))
out = {}
for name, items in runs.items():
    # per-subset accuracy as reward-bench's scripts compute it: num_correct / num_total
    grouped = {}
    for subset in sorted({it["subset"] for it in items}):
        results = [it["result"] for it in items if it["subset"] == subset]
        grouped[subset] = sum(results) / len(results)
    sections = calculate_scores_per_section(EXAMPLE_COUNTS, SUBSET_MAPPING, grouped)
    mrb_sections = calculate_scores_per_section(mrb.EXAMPLE_COUNTS, mrb.SUBSET_MAPPING, grouped)
    entry = {
        "sections": sections,
        # M-RewardBench's language score: the plain mean of the leaderboard sections
        "score": sum(sections.values()) / len(sections),
        "mrb_sections": mrb_sections,
    }
    prior = ["anthropic_helpful", "anthropic_hhh", "shp", "summarize"]
    if any(p in grouped for p in prior):
        core = {k: v for k, v in grouped.items() if k not in prior}
        df = pd.DataFrame([{"model": name, "model_type": "x", **core}])
        prefs = pd.DataFrame([{"model": name, **{p: grouped.get(p, float("nan")) for p in prior}}])
        entry["v1"] = float(get_average_over_rewardbench(df, prefs)["average"].iloc[0])
    out[name] = entry
json.dump(out, sys.stdout)
"""

RUN_DRIVER = r"""
import sys
from transformers.tokenization_utils_base import BatchEncoding

_to = BatchEncoding.to


def to_cpu(self, device, *args, **kwargs):
    # reward-bench's RewardBenchPipeline calls .to("cuda") unconditionally
    return _to(self, "cpu" if str(device).startswith("cuda") else device, *args, **kwargs)


BatchEncoding.to = to_cpu
from rewardbench.rewardbench import main

sys.argv = ["rewardbench", *sys.argv[1:]]
main()
"""


def sh(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, text=True, **kwargs)
    if done.returncode:
        tail = (done.stderr or "")[-3000:]
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(cmd)}\n{tail}")
    return done


def source(name: str, given: str | None) -> tuple[Path, str]:
    """Export a repository's tree into .bench/reward/src/<name>; return it and its commit."""
    mirror, url = SOURCES[name]
    origin = Path(given) if given else MIRRORS / mirror / "repo"
    dest = WORK / "src" / name
    if not origin.exists():
        origin = WORK / "clones" / name
        if not origin.exists():
            sh(["git", "clone", "--quiet", url, str(origin)])
    git = ["git", "--git-dir", str(origin / ".git" if (origin / ".git").exists() else origin)]
    commit = sh([*git, "rev-parse", "HEAD"], capture_output=True).stdout.strip()
    stamp = dest / ".commit"
    if not (stamp.is_file() and stamp.read_text() == commit):
        sh(["rm", "-rf", str(dest)])
        dest.mkdir(parents=True)
        archive = subprocess.Popen([*git, "archive", "HEAD"], stdout=subprocess.PIPE)
        sh(["tar", "-x", "-C", str(dest)], stdin=archive.stdout)
        archive.wait()
        stamp.write_text(commit)
    return dest, commit


def rewardbench_env(rb_src: Path) -> dict[str, str]:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    wanted = "\n".join(RB_REQUIREMENTS)
    if not (stamp.is_file() and stamp.read_text() == wanted):
        print("building reward-bench's environment (once) ...", flush=True)
        if not python.is_file():
            sh([sys.executable, "-m", "venv", str(VENV)])
        sh([str(python), "-m", "pip", "install", "-q", *RB_REQUIREMENTS])
        stamp.write_text(wanted)
    env = {**os.environ, "PYTHONPATH": str(rb_src), "WANDB_MODE": "disabled", "HF_HUB_OFFLINE": "1"}
    env.pop("HF_TOKEN", None)
    return env


# -- 1. scores ------------------------------------------------------------------------------


def synthetic_runs(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Per-item outcomes over M-RewardBench's subsets (math-prm at its real 447 items)."""
    from globeval.scoring.reward import MREWARDBENCH_COUNTS, PRIOR_SETS

    runs: dict[str, list[dict[str, Any]]] = {}
    for lang in range(23):
        for kind in ("classifier", "judge"):
            items = []
            for subset, n in MREWARDBENCH_COUNTS.items():
                p = rng.uniform(0.3, 0.95)
                for _ in range(447 if subset == "math-prm" else n):
                    if kind == "judge" and rng.random() < 0.1:
                        result = 0.5  # an unparseable verdict
                    else:
                        result = 1.0 if rng.random() < p else 0.0
                    items.append({"subset": subset, "result": result})
            runs[f"lang{lang:02d}-{kind}"] = items
    english = list(runs["lang00-classifier"])
    for subset in PRIOR_SETS:
        english += [{"subset": subset, "result": float(rng.random() < 0.6)} for _ in range(300)]
    runs["english-with-prior-sets"] = english
    return runs


def globeval_scores(runs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    from globeval.results.reward_summary import summarize_preferences

    out = {}
    for name, items in runs.items():
        records = [
            {"language": "x", "status": "ok", "score": it["result"], "subset": it["subset"]}
            for it in items
        ]
        summary = summarize_preferences(records, n_resamples=100)
        mrb = summarize_preferences(records, weights="m-rewardbench", n_resamples=100)
        entry = {
            "sections": summary["sections"]["x"],
            "score": summary["languages"][0]["score"]["value"],
            "mrb_sections": mrb["sections"]["x"],
        }
        if "rewardbench_v1" in summary:
            entry["v1"] = summary["rewardbench_v1"]["x"]["score"]["value"]
        out[name] = entry
    return out


def compare_scores(ours: dict[str, Any], theirs: dict[str, Any]) -> tuple[int, float, int]:
    """(values compared, max |difference|, values not bit-identical)."""
    n, worst, unequal = 0, 0.0, 0
    for name, mine in ours.items():
        ref = theirs[name]
        pairs = [(mine["score"], ref["score"])]
        for key in ("sections", "mrb_sections"):
            assert set(mine[key]) == set(ref[key]), (name, key)
            pairs += [(mine[key][s], ref[key][s]) for s in mine[key]]
        if "v1" in ref or "v1" in mine:
            pairs.append((mine["v1"], ref["v1"]))
        for a, b in pairs:
            n += 1
            worst = max(worst, abs(a - b))
            unequal += a != b
    return n, worst, unequal


def reference_scores(runs: dict[str, Any], env: dict[str, str], mrb_src: Path) -> dict[str, Any]:
    path = WORK / "items.json"
    path.write_text(json.dumps(runs))
    driver = WORK / "sections_driver.py"
    driver.write_text(SECTIONS_DRIVER)
    python = str(VENV / "bin" / "python")
    plot_utils = str(mrb_src / "analysis" / "plot_utils.py")
    done = sh([python, str(driver), str(path), plot_utils], capture_output=True, env=env)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# -- 2. throughput --------------------------------------------------------------------------


def pairs(n: int) -> list[dict[str, Any]]:
    """n distinct pairs in the bundled sample's languages and subsets (each prompt numbered, so
    that globeval's request dedup saves nothing); one response of each pair is written twice,
    so lengths vary as in real data."""
    bundled = ROOT / "src" / "globeval" / "data" / "bundled" / "m_rewardbench"
    base = []
    for path in sorted(bundled.glob("*_*/*.jsonl")):
        base += [json.loads(line) for line in path.read_text().splitlines()]
    out = []
    for i in range(n):
        row = base[i % len(base)]
        k = 1 + i % 2
        out.append(
            {
                "id": i,
                "prompt": f"{row['prompt']} ({i})",
                "chosen": "\n".join([row["chosen"]] * k),
                "rejected": "\n".join([row["rejected"]] * (3 - k)),
                "source": row.get("source") or row.get("subset"),
            }
        )
    return out


def write_sets(sizes: tuple[int, int]) -> dict[int, tuple[Path, Path]]:
    out = {}
    for n in sizes:
        rows = pairs(n)
        folder = WORK / f"data-{n}"
        (folder / "fra_Latn").mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (folder / "fra_Latn" / "test.jsonl").write_text(lines)
        flat = WORK / f"pairs-{n}.jsonl"
        flat.write_text(lines)
        out[n] = (folder, flat)
    return out


def time_globeval(data: Path, model: Path, name: str) -> float:
    cmd = [
        str(Path(sys.executable).with_name("globeval")),
        "run",
        "m_rewardbench",
        "--data-dir",
        str(data),
        "-l",
        "fr",
        "--backend",
        "hf-rm",
        "--model",
        str(model),
        "-M",
        "batch_size=8",
        "--no-cache",
        "--no-progress",
        "--bootstrap",
        "100",
        "-o",
        str(WORK / "runs"),
        "--run-name",
        name,
    ]
    start = time.perf_counter()
    sh(cmd, capture_output=True)
    return time.perf_counter() - start


def time_rewardbench(flat: Path, env: dict[str, str], tag: str) -> float:
    driver = WORK / "run_driver.py"
    driver.write_text(RUN_DRIVER)
    cmd = [
        str(VENV / "bin" / "python"),
        str(driver),
        "--model",
        "tiny-rm",  # relative: reward-bench writes results/<model>.json under the cwd
        "--dataset",
        str(flat),
        "--load_json",
        "--batch_size",
        "8",
        "--torch_dtype",
        "float32",
        "--not_quantized",
        "--output_dir",
        f"results-{tag}/",
    ]
    start = time.perf_counter()
    sh(cmd, capture_output=True, env=env, cwd=WORK)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reward-bench", help="checkout or git dir of allenai/reward-bench")
    parser.add_argument("--m-rewardbench", help="checkout or git dir of M-RewardBench's code")
    parser.add_argument("--pairs", type=int, default=240, help="pairs in the large set")
    parser.add_argument("--small", type=int, default=24, help="pairs in the small set")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import build_reward_model

    WORK.mkdir(parents=True, exist_ok=True)
    rb_src, rb_commit = source("reward-bench", args.reward_bench)
    mrb_src, mrb_commit = source("m-rewardbench", args.m_rewardbench)
    env = rewardbench_env(rb_src)
    print(f"reward-bench @ {rb_commit[:10]}, m-rewardbench @ {mrb_commit[:10]}")

    # 1. scores on synthetic per-item results
    runs = synthetic_runs(random.Random(0))
    n, worst, unequal = compare_scores(globeval_scores(runs), reference_scores(runs, env, mrb_src))
    print(
        f"scores, synthetic items ({len(runs)} runs, {sum(map(len, runs.values()))} items): "
        f"{n} values compared, max |globeval - reward-bench| = {worst:.3g}, "
        f"not bit-identical: {unequal}"
    )
    assert worst <= TOLERANCE, "globeval's scores differ from reward-bench's"

    # 2. throughput, and scores again on the model's own per-item results
    model = build_reward_model(WORK / "tiny-rm", seed=0, hidden_size=256, layers=4)
    # transformers 5 names its tokenizer class TokenizersBackend, unknown to reward-bench's 4.57
    config_path = model / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_path.write_text(json.dumps(config, indent=2))
    sets = write_sets((args.small, args.pairs))
    times: dict[str, dict[int, float]] = {"globeval": {}, "reward-bench": {}}
    for rep in range(args.repeats):
        for size, (folder, flat) in sets.items():
            g = time_globeval(folder, model, f"tp-{size}")
            r = time_rewardbench(flat, env, f"{size}")
            for tool, t in (("globeval", g), ("reward-bench", r)):
                times[tool][size] = min(times[tool].get(size, float("inf")), t)
            print(f"  repeat {rep + 1}, {size} pairs: globeval {g:.1f}s, reward-bench {r:.1f}s")
    rate = {
        tool: (args.pairs - args.small) / (t[args.pairs] - t[args.small])
        for tool, t in times.items()
    }
    print(
        f"throughput, tiny RM (Llama, hidden 256, 4 layers), CPU, batch 8, fp32, "
        f"{args.pairs - args.small} pairs net of start-up:"
    )
    for tool, value in rate.items():
        startup = times[tool][args.small] - args.small / value
        print(f"  {tool:12s} {value:7.1f} pairs/s   (start-up {startup:.1f}s)")
    print(f"  ratio globeval / reward-bench: {rate['globeval'] / rate['reward-bench']:.2f}x")

    from globeval.results.run_folder import read_samples

    ours = read_samples(WORK / "runs" / f"tp-{args.pairs}", "m_rewardbench")
    theirs_path = WORK / f"results-{args.pairs}" / "tiny-rm_outputs.jsonl"
    theirs = [json.loads(line) for line in theirs_path.read_text().splitlines()]
    same = sum(o["score"] == t["results"] for o, t in zip(ours, theirs, strict=True))
    print(
        f"  same per-item outcome as reward-bench on {same}/{len(ours)} pairs "
        "(reward-bench masks a doubled BOS and left-pads; globeval drops it and right-pads)"
    )
    model_runs = {
        "globeval-items": [{"subset": o["subset"], "result": o["score"]} for o in ours],
        "reward-bench-items": [
            {"subset": o["subset"], "result": float(t["results"])}
            for o, t in zip(ours, theirs, strict=True)
        ],
    }
    n, worst, unequal = compare_scores(
        globeval_scores(model_runs), reference_scores(model_runs, env, mrb_src)
    )
    print(
        f"scores, the tiny RM's own per-item results (both tools'): {n} values compared, "
        f"max |difference| = {worst:.3g}, not bit-identical: {unequal}"
    )
    assert worst <= TOLERANCE


if __name__ == "__main__":
    main()
