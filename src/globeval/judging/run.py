"""What arena and harm judging share: the judge model, its cache, and the judging run folder.

A judging run is a run folder like any other (manifest.json, samples/<task>.parquet with one row
per judged item, summary.json in the layout of results/summary.py), so `globeval show` prints it.
"""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from globeval import __version__
from globeval.backends.base import Backend
from globeval.backends.registry import create_backend, resolve_model
from globeval.engine import RequestCache
from globeval.judging.calls import JudgeStats
from globeval.judging.prompts import JudgePrompt, load_prompt_file
from globeval.results.run_folder import MANIFEST, SUMMARY, write_json, write_samples
from globeval.results.stats import DEFAULT_RESAMPLES
from globeval.runner import _slug, _stats_dict, package_versions

#: arena-hard-auto's judge limit (config/judge_config.yaml max_tokens)
DEFAULT_JUDGE_MAX_TOKENS = 4096


@dataclass
class JudgeSettings:
    """The judge (a model string, backend and model args, as `globeval run` takes them) and the
    run's bookkeeping."""

    judge: str | None = None
    judge_backend: str | None = None
    judge_args: dict[str, Any] = field(default_factory=dict)
    max_tokens: int = DEFAULT_JUDGE_MAX_TOKENS
    prompt_file: Path | None = None
    #: USD per million tokens
    price_input: float | None = None
    price_output: float | None = None
    output_dir: Path = Path("runs")
    run_name: str | None = None
    cache_path: Path | None = None
    seed: int = 1234
    bootstrap_resamples: int = DEFAULT_RESAMPLES
    progress: bool = True
    command: list[str] = field(default_factory=list)

    def prompt(self, default: JudgePrompt) -> JudgePrompt:
        return default if self.prompt_file is None else load_prompt_file(self.prompt_file, default)


@dataclass
class OpenJudge:
    backend: Backend
    label: str
    about: dict[str, Any]
    cache: RequestCache | None


@contextmanager
def open_judge(settings: JudgeSettings, backend: Backend | None = None) -> Iterator[OpenJudge]:
    """The judge backend (built from the settings unless one is given) and the request cache;
    a backend built here is closed on exit."""
    cache = RequestCache(settings.cache_path) if settings.cache_path else None
    owned = backend is None
    about: dict[str, Any] = {}
    if backend is None:
        if not settings.judge:
            raise ValueError("no judge model given (--judge)")
        spec = resolve_model(settings.judge, settings.judge_backend, settings.judge_args, True)
        backend = create_backend(spec)
        label = spec.embedded or Path(spec.model).name or spec.model
        about = {"spec": spec.model, "embedded": spec.embedded, "backend_args": spec.args}
    else:
        label = settings.judge or backend.name
    try:
        yield OpenJudge(backend, label, {**about, **backend.describe()}, cache)
    finally:
        if owned:
            backend.close()
        if cache is not None:
            cache.close()


def run_dir_for(settings: JudgeSettings, started: dt.datetime, what: str, subject: str) -> Path:
    name = settings.run_name or f"{started:%Y%m%d-%H%M%S}-{what}-{_slug(subject)}"
    return settings.output_dir / name


def base_manifest(
    settings: JudgeSettings,
    kind: str,
    run_dir: Path,
    started: dt.datetime,
    judge: OpenJudge,
    prompt: JudgePrompt,
    stats: JudgeStats,
    t0: float,
) -> dict[str, Any]:
    return {
        "globeval_version": __version__,
        "run": run_dir.name,
        "kind": kind,
        "command": settings.command,
        "started_at": started.isoformat(),
        "judge": {
            **judge.about,
            "label": judge.label,
            "max_tokens": settings.max_tokens,
            "temperature": 0.0,
        },
        "judge_prompt": prompt.describe(),
        "seed": settings.seed,
        "bootstrap_resamples": settings.bootstrap_resamples,
        "cache": str(settings.cache_path) if settings.cache_path else None,
        "requests": _stats_dict(stats.engine),
        "usage": stats.usage(settings.price_input, settings.price_output),
        "timings_s": {"total": round(time.perf_counter() - t0, 3)},
        "versions": package_versions(),
        "platform": platform.platform(),
    }


def write_run(
    run_dir: Path,
    task: str,
    records: list[dict[str, Any]],
    summary: dict[str, Any],
    manifest: dict[str, Any],
) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    write_samples(run_dir, task, records)
    write_json(run_dir / SUMMARY, summary)
    write_json(run_dir / MANIFEST, manifest)


def judging_counts(records: Sequence[dict[str, Any]], unit: str = "games") -> dict[str, int]:
    """How the judge fared on `records` (games or responses): judged, retried, and why not."""
    kinds = [r["verdict_kind"] for r in records]
    return {
        unit: len(records),
        "judged": sum(r["status"] == "ok" for r in records),
        "retried": sum(bool(r["retried"]) for r in records),
        "verdict_after_retry": sum(bool(r["retried"]) and r["status"] == "ok" for r in records),
        "no_verdict": kinds.count("none"),
        "contradictory": kinds.count("contradictory"),
        "invalid_label": kinds.count("invalid_label"),
        "judge_failed": kinds.count("judge_failed"),
        "not_judged": kinds.count("not_judged"),
    }
