"""Run folders with known answers, written the way the runner writes them (no model involved)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from globeval.results.run_folder import MANIFEST, SUMMARY, write_json, write_samples
from globeval.results.summary import MULTIPLE_CHOICE_METRICS, summarize_records

Record = dict[str, Any]


def ones(n: int, k: int) -> list[float]:
    """n scores of which the first k are 1: a mean of exactly k / n."""
    return [1.0] * k + [0.0] * (n - k)


def records(
    task: str,
    scores: dict[str, Sequence[float | None]],
    groups: Callable[[str, int], dict[str, str]] | None = None,
    response: Callable[[str, int], str] | None = None,
    status: Callable[[str, int], str] | None = None,
) -> list[Record]:
    """One record per score; None means the sample failed. `groups`, `response` and `status`
    get (language, index) and fill those columns."""
    out = []
    for lang, values in scores.items():
        for i, value in enumerate(values):
            st = "failed" if value is None else (status(lang, i) if status else "ok")
            out.append(
                {
                    "task": task,
                    "sample_id": f"item-{i}",
                    "language": lang,
                    "config": lang,
                    "status": st,
                    "score": value,
                    "gold": "A",
                    "parsed": None if st != "ok" else ("A" if value else "B"),
                    "prompt": f"[{lang}] question {i}\nA. yes\nB. no\nAnswer:",
                    "response": response(lang, i) if response else ("A" if value else "B"),
                    "error": "backend error" if st == "failed" else None,
                    "source": f"synthetic.jsonl:{i}",
                    **(groups(lang, i) if groups else {}),
                    "extra": {},
                }
            )
    return out


def write_run(
    root: Path,
    name: str,
    tasks: dict[str, list[Record]],
    model: str = "synthetic-model",
    group_fields: Sequence[str] = (),
    options: dict[str, Any] | None = None,
    n_resamples: int = 200,
) -> Path:
    run_dir = root / name
    run_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"run": name, "model": model, "tasks": {}}
    for task, recs in tasks.items():
        write_samples(run_dir, task, recs)
        fields = [f for f in group_fields if recs and f in recs[0]]
        summary["tasks"][task] = {
            "title": task,
            "metric": "accuracy",
            "formulation": "loglikelihood",
            "num_fewshot": 0,
            **summarize_records(recs, MULTIPLE_CHOICE_METRICS, fields, 0, n_resamples),
        }
    write_json(run_dir / SUMMARY, summary)
    write_json(
        run_dir / MANIFEST,
        {"run": name, "options": options or {"num_fewshot": 0, "formulation": "loglikelihood"}},
    )
    return run_dir


def cs_ca(lang: str, i: int) -> dict[str, str]:
    """Items 0-49 culturally sensitive, 50-99 agnostic."""
    return {"cultural_sensitivity_label": "CS" if i < 50 else "CA"}


def subset_scores(k_cs: int, k_ca: int, n: int = 100) -> list[float]:
    """n CS items then n CA items, with k_cs and k_ca correct."""
    return ones(n, k_cs) + ones(n, k_ca)


def cs_first(n: int = 100) -> Callable[[str, int], dict[str, str]]:
    return lambda lang, i: {"cultural_sensitivity_label": "CS" if i < n else "CA"}


#: bench_a's correct answers out of 100 per language (en 0.8, fr 0.7, ar 0.5, hi 0.4, sw 0.3)
BENCH_A = {"en": 80, "fr": 70, "ar": 50, "hi": 40, "sw": 30}


def profile_run(root: Path, name: str = "profile") -> Path:
    """bench_a with BENCH_A's accuracies (CS items 0-49) and bench_b 10 points lower everywhere."""
    a = records("bench_a", {lang: ones(100, k) for lang, k in BENCH_A.items()}, groups=cs_ca)
    b = records("bench_b", {lang: ones(100, k - 10) for lang, k in BENCH_A.items()})
    return write_run(
        root, name, {"bench_a": a, "bench_b": b}, group_fields=["cultural_sensitivity_label"]
    )


def base_and_other(root: Path) -> tuple[Path, Path]:
    """hi drops from 40% to 20% (the same 20 items turn wrong), sw rises from 30% to 60%, en and
    fr do not change; the other run failed on en's item 0 and lacks fr's last item."""
    base = {"en": ones(100, 80), "fr": ones(100, 70), "hi": ones(100, 40), "sw": ones(100, 30)}
    other = {
        "en": [None, *ones(100, 80)[1:]],
        "fr": ones(99, 70),
        "hi": ones(100, 20),
        "sw": ones(100, 60),
    }
    return (
        write_run(root, "base", {"t": records("t", base)}, model="fp16"),
        write_run(
            root,
            "other",
            {"t": records("t", other)},
            model="q4",
            options={"num_fewshot": 5, "formulation": "loglikelihood"},
        ),
    )


SCRIPT_RESPONSE = "<script>window.__pwned = 1</script>"
IMG_RESPONSE = '<img src=x onerror="window.__pwned = 2">'
HOSTILE_MODEL = "<img src=x onerror=window.__pwned=3>"


def report_runs(root: Path) -> list[Path]:
    """Three runs of two benchmarks for the report: a base, a quantized copy that lost Hindi,
    and a third model; the quantized one answered two items with markup."""

    def hostile(lang: str, i: int) -> str:
        if (lang, i) == ("en", 0):
            return SCRIPT_RESPONSE
        if (lang, i) == ("fr", 1):
            return IMG_RESPONSE
        return "A"

    plans = {
        "base": ({"en": 80, "fr": 70, "ar": 50, "hi": 40, "sw": 30}, "fp16", None),
        "quantized": ({"en": 80, "fr": 68, "ar": 50, "hi": 15, "sw": 30}, HOSTILE_MODEL, hostile),
        "other-model": ({"en": 60, "fr": 65, "ar": 55, "hi": 50, "sw": 45}, "other", None),
    }
    paths = []
    for name, (accuracy, model, response) in plans.items():
        a = records(
            "bench_a",
            {lang: ones(100, k) for lang, k in accuracy.items()},
            groups=cs_ca,
            response=response,
            status=lambda lang, i: "format_error" if (lang, i) == ("sw", 99) else "ok",
        )
        b = records("bench_b", {lang: ones(60, k * 6 // 10 - 5) for lang, k in accuracy.items()})
        paths.append(
            write_run(
                root,
                name,
                {"bench_a": a, "bench_b": b},
                model=model,
                group_fields=["cultural_sensitivity_label"],
            )
        )
    return paths
