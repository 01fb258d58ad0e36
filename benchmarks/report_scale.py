"""Report size and build time at Global-MMLU scale: 10 runs x 42 languages x 14,042 items.

Writes synthetic run folders (the layout `globeval run` writes; scores drawn per run and
language, 792 CS / 2,058 CA / 11,192 unannotated items per language as in Global-MMLU), then
times `build_report` on all ten runs and `compare_runs` on two of them. The anchor is the time
to read every samples file in full with pyarrow: the report's cost as a multiple of reading the
data once.

    python benchmarks/report_scale.py [--runs 10] [--languages 42] [--items 14042] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from globeval.analysis import compare_runs, load_runs
from globeval.report.html import ReportOptions, build_report
from globeval.results.run_folder import MANIFEST, SAMPLES_DIR, SUMMARY, write_json
from globeval.results.stats import bootstrap_macro, bootstrap_mean
from globeval.tasks.global_mmlu import LANGUAGES

TASK = "global_mmlu"
FILLER = (
    "Which of the following best describes the main reason for the observed effect? "
    "Consider the context given in the passage above before answering.\n"
)


def estimate(values: np.ndarray, seed: int) -> dict[str, float | int]:
    est = bootstrap_mean(values, 1000, seed=seed)
    return {"value": est.value, "ci_low": est.low, "ci_high": est.high, "n": est.n}


def write_synthetic_run(root: Path, index: int, languages: list[str], n_items: int) -> Path:
    rng = np.random.default_rng(index)
    run_dir = root / f"model-{index:02d}"
    (run_dir / SAMPLES_DIR).mkdir(parents=True, exist_ok=True)
    labels = np.array(["CS"] * 792 + ["CA"] * 2058 + ["-"] * max(0, n_items - 2850))[:n_items]
    categories = np.array(["STEM", "Humanities", "Social Sciences", "Other"])[
        np.arange(n_items) % 4
    ]
    columns: dict[str, list[np.ndarray]] = {k: [] for k in ("language", "score", "status")}
    rows = []
    lang_rows, per_lang = [], []
    for li, lang in enumerate(languages):
        p = 0.35 + 0.4 * rng.random() * (1 - li / (2 * len(languages)))
        scores = (rng.random(n_items) < p).astype(np.float64)
        status = np.where(rng.random(n_items) < 0.002, "format_error", "ok")
        scores[status == "format_error"] = 0.0
        columns["score"].append(scores)
        columns["status"].append(status)
        columns["language"].append(np.full(n_items, lang))
        per_lang.append(scores)
        n_fmt = int((status == "format_error").sum())
        lang_rows.append(
            {
                "language": lang,
                "samples": n_items,
                "scored": n_items,
                "ok": n_items - n_fmt,
                "format_errors": n_fmt,
                "failed": 0,
                "accuracy": estimate(scores, li),
                "answer_accuracy": estimate(scores[status == "ok"], li),
            }
        )
        rows.append(lang)
    ids = np.array([f"subject_{i % 57}/test/{i}" for i in range(n_items)])
    n_lang = len(languages)
    language = np.concatenate(columns["language"])
    table = pa.table(
        {
            "task": pa.array(np.full(n_lang * n_items, TASK)),
            "sample_id": pa.array(np.tile(ids, n_lang)),
            "language": pa.array(language),
            "config": pa.array(language),
            "status": pa.array(np.concatenate(columns["status"])),
            "score": pa.array(np.concatenate(columns["score"])),
            "gold": pa.array(np.full(n_lang * n_items, "B")),
            "parsed": pa.array(np.full(n_lang * n_items, "C")),
            "prompt": pa.array(
                [
                    f"[{lang}] {i}. {FILLER}A. one\nB. two\nC. three\nD. four\nAnswer:"
                    for lang in languages
                    for i in range(n_items)
                ]
            ),
            "response": pa.array(np.full(n_lang * n_items, "C")),
            "error": pa.nulls(n_lang * n_items, pa.string()),
            "source": pa.array(np.full(n_lang * n_items, "synthetic")),
            "subject_category": pa.array(np.tile(categories, n_lang)),
            "cultural_sensitivity_label": pa.array(np.tile(labels, n_lang)),
            "extra": pa.array(np.full(n_lang * n_items, "{}")),
        }
    )
    pq.write_table(table, run_dir / SAMPLES_DIR / f"{TASK}.parquet")
    macro, micro = bootstrap_macro(per_lang, 1000)
    total = n_lang * n_items
    n_fmt = sum(r["format_errors"] for r in lang_rows)
    counts = {
        "samples": total,
        "scored": total,
        "ok": total - n_fmt,
        "format_errors": n_fmt,
        "failed": 0,
    }
    summary = {
        "run": run_dir.name,
        "model": f"synthetic-{index}",
        "tasks": {
            TASK: {
                "title": "Global-MMLU (synthetic)",
                "metric": "accuracy",
                "metrics": ["accuracy", "answer_accuracy"],
                "counts": counts,
                "languages": lang_rows,
                "overall": {
                    "macro": {
                        "accuracy": {
                            "value": macro.value,
                            "ci_low": macro.low,
                            "ci_high": macro.high,
                            "n": macro.n,
                        }
                    },
                    "micro": {
                        "accuracy": {
                            "value": micro.value,
                            "ci_low": micro.low,
                            "ci_high": micro.high,
                            "n": micro.n,
                        }
                    },
                },
                "groups": {"cultural_sensitivity_label": [], "subject_category": []},
            }
        },
    }
    write_json(run_dir / SUMMARY, summary)
    write_json(run_dir / MANIFEST, {"run": run_dir.name, "options": {"num_fewshot": 0}})
    return run_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--languages", type=int, default=42)
    parser.add_argument("--items", type=int, default=14042)
    parser.add_argument("--samples", type=int, default=20, help="browser samples per language")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic runs")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent / ".bench" / "report_scale"
    shutil.rmtree(root, ignore_errors=True)
    languages = list(LANGUAGES)[: args.languages]

    t0 = time.perf_counter()
    paths = [write_synthetic_run(root / "runs", i, languages, args.items) for i in range(args.runs)]
    t_write = time.perf_counter() - t0
    disk = sum(p.stat().st_size for p in (root / "runs").rglob("*.parquet"))

    t0, c0 = time.perf_counter(), time.process_time()
    for path in paths:
        pq.read_table(path / SAMPLES_DIR / f"{TASK}.parquet")
    anchor, anchor_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    result = build_report(
        paths,
        root / "report.html",
        ReportOptions(samples_per_language=args.samples, tables_dir=root / "tables"),
    )
    t_report, cpu_report = time.perf_counter() - t0, time.process_time() - c0

    base, other = load_runs(paths[:2])
    t0 = time.perf_counter()
    comparison = compare_runs(base, other)
    t_compare = time.perf_counter() - t0

    n = args.runs * len(languages) * args.items
    print(
        f"synthetic runs: {args.runs} runs x {len(languages)} languages x {args.items:,} items "
        f"= {n:,} samples ({disk / 1e6:.0f} MB parquet, written in {t_write:.1f}s)"
    )
    print(
        f"anchor (pyarrow reads every samples file in full): {anchor:.2f}s wall, "
        f"{anchor_cpu:.2f}s CPU"
    )
    print(
        f"report: {result.bytes / 1e6:.1f} MB, {result.figures} figures, "
        f"{result.samples_shown:,} of {result.samples_total:,} samples in the browser, "
        f"{len(result.tables)} table files"
    )
    print(
        f"report build: {t_report:.1f}s wall = {t_report / anchor:.1f}x the anchor; "
        f"{cpu_report:.1f}s CPU = {cpu_report / anchor_cpu:.1f}x the anchor's CPU time"
    )
    print(
        f"compare (2 runs, {len(comparison.languages)} languages, paired bootstrap 1000): "
        f"{t_compare:.1f}s = {t_compare / anchor:.2f}x the anchor"
    )
    print(
        json.dumps(
            {
                "report_mb": round(result.bytes / 1e6, 2),
                "build_s": round(t_report, 2),
                "anchor_s": round(anchor, 2),
                "compare_s": round(t_compare, 2),
            }
        )
    )
    if not args.keep:
        shutil.rmtree(root / "runs", ignore_errors=True)


if __name__ == "__main__":
    main()
