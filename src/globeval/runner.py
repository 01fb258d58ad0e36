"""One evaluation run: tasks -> samples -> requests -> engine -> scores -> run folder."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from globeval import __version__
from globeval.backends.base import Backend, BackendError
from globeval.backends.registry import ModelSpec, create_backend, resolve_model
from globeval.engine import Engine, EngineStats, RequestCache, RequestFailure
from globeval.requests import ChatMessage, LoglikelihoodRequest, Request, Result
from globeval.results.run_folder import MANIFEST, SUMMARY, write_json, write_samples
from globeval.results.stats import DEFAULT_RESAMPLES
from globeval.tasks.base import RunOptions, Sample, Scored, Task
from globeval.tasks.registry import create_task

PACKAGES = (
    "numpy",
    "pyarrow",
    "datasets",
    "llama_cpp_python",
    "transformers",
    "torch",
    "tokenizers",
    "openai",
)


@dataclass
class RunConfig:
    tasks: list[str]
    options: RunOptions = field(default_factory=RunOptions)
    model: str | None = None
    backend: str | None = None
    model_args: dict[str, Any] = field(default_factory=dict)
    output_dir: Path = Path("runs")
    run_name: str | None = None
    cache_path: Path | None = None
    bootstrap_resamples: int = DEFAULT_RESAMPLES
    progress: bool = True
    command: list[str] = field(default_factory=list)
    #: where requests run: "local" (this process) or "ray" (globeval/executors)
    executor: str = "local"
    executor_args: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunOutcome:
    run_dir: Path
    summary: dict[str, Any]
    manifest: dict[str, Any]


def package_versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "globeval": __version__}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name.replace("_", "-"))
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)
    return keep.strip("-.")[:60] or "run"


def prepare_requests(task: Task, sample: Sample, backend: Backend, chat: bool) -> list[Request]:
    """A task's requests, with the chat template applied to log-likelihood contexts when asked
    (generation requests carry messages, which the backend renders itself)."""
    requests = task.requests(sample)
    if not chat:
        return requests
    out: list[Request] = []
    for req in requests:
        if isinstance(req, LoglikelihoodRequest):
            context = backend.render_chat([ChatMessage("user", req.context)], True)
            out.append(LoglikelihoodRequest(context, req.continuation.lstrip(), templated=True))
        else:
            out.append(req)
    return out


def score_sample(
    task: Task,
    sample: Sample,
    requests: Sequence[Request],
    results: Sequence[Result | RequestFailure],
) -> Scored:
    failures = [r for r in results if isinstance(r, RequestFailure)]
    if failures:
        prompt = requests[0].context if isinstance(requests[0], LoglikelihoodRequest) else ""
        return Scored(
            score=None, status="failed", prompt=prompt, response="", error=failures[0].error
        )
    ok = [r for r in results if not isinstance(r, RequestFailure)]
    try:
        return task.score(sample, requests, ok)
    except Exception as exc:  # a scorer bug must not lose the run's finished work
        return Scored(score=None, status="failed", prompt="", response="", error=f"scoring: {exc}")


def record_of(task: Task, sample: Sample, scored: Scored) -> dict[str, Any]:
    return {
        "task": task.name,
        "sample_id": sample.id,
        "language": sample.language,
        "config": sample.config,
        "status": scored.status,
        "score": scored.score,
        "gold": scored.gold,
        "parsed": scored.parsed,
        "prompt": scored.prompt,
        "response": scored.response,
        "error": scored.error,
        "source": f"{sample.source}:{sample.row}",
        **{name: sample.groups.get(name, "") for name in task.group_fields},
        "extra": scored.extra,
    }


def evaluate(config: RunConfig, console: Console | None = None) -> RunOutcome:
    console = console or Console(stderr=True)
    started_at = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    tasks = [create_task(name, config.options) for name in config.tasks]
    want_chat = any(t.wants_chat() for t in tasks)
    # with no model named, generative tasks get the embedded chat model, used as a chat model
    chat = config.options.chat or (config.model is None and want_chat)
    options = config.options.model_copy(update={"chat": chat})
    for task in tasks:
        task.options = options
    spec: ModelSpec = resolve_model(config.model, config.backend, config.model_args, want_chat)

    loaded: list[tuple[Task, list[Sample], dict[str, Any]]] = []
    for task in tasks:
        samples, provenance = task.load()
        if not samples:
            raise BackendError(f"task {task.name!r}: no samples match the selection")
        loaded.append((task, samples, provenance))
    t_loaded = time.perf_counter()

    if config.executor == "local":
        backend = create_backend(spec)
    else:
        from globeval.executors import create_executor_backend

        backend = create_executor_backend(config.executor, spec, config.executor_args)
    t_model = time.perf_counter()
    try:
        if chat and backend.chat_template() is None:
            raise BackendError(
                f"--apply-chat-template was asked for, but model {spec.model!r} has no chat template"
            )
        flat: list[Request] = []
        spans: list[tuple[Task, Sample, int, int]] = []
        for task, samples, _ in loaded:
            for sample in samples:
                reqs = prepare_requests(task, sample, backend, chat)
                spans.append((task, sample, len(flat), len(flat) + len(reqs)))
                flat.extend(reqs)
        cache = RequestCache(config.cache_path) if config.cache_path else None
        engine = Engine(backend, cache, progress=config.progress, console=console)
        results, stats = engine.run(flat)
        if cache is not None:
            cache.close()
        backend_info = backend.describe()
    finally:
        backend.close()
    t_done = time.perf_counter()

    records_by_task: dict[str, list[dict[str, Any]]] = {t.name: [] for t, _, _ in loaded}
    for task, sample, start, stop in spans:
        scored = score_sample(task, sample, flat[start:stop], results[start:stop])
        records_by_task[task.name].append(record_of(task, sample, scored))

    model_label = spec.embedded or Path(spec.model).name or spec.model
    name = config.run_name or (
        f"{started_at:%Y%m%d-%H%M%S}-{_slug('+'.join(config.tasks))}-{_slug(model_label)}"
    )
    run_dir = config.output_dir / name
    run_dir.mkdir(parents=True, exist_ok=True)

    summary: dict[str, Any] = {"run": name, "model": model_label, "tasks": {}}
    for task, _, _ in loaded:
        records = records_by_task[task.name]
        write_samples(run_dir, task.name, records)
        summary["tasks"][task.name] = {
            "title": task.title,
            "metric": task.metric,
            "formulation": options.formulation,
            "num_fewshot": options.num_fewshot,
            **task.summarize(records, options.seed, config.bootstrap_resamples),
        }
    summary["requests"] = _stats_dict(stats)
    t_end = time.perf_counter()

    manifest = {
        "globeval_version": __version__,
        "run": name,
        "command": config.command,
        "started_at": started_at.isoformat(),
        "tasks": config.tasks,
        "options": options.model_dump(mode="json"),
        "model": {
            "spec": spec.model,
            "embedded": spec.embedded,
            "backend_args": config.model_args,
            **backend_info,
        },
        "chat_template_applied": chat,
        "data": {task.name: provenance for task, _, provenance in loaded},
        "seed": options.seed,
        "bootstrap_resamples": config.bootstrap_resamples,
        "cache": str(config.cache_path) if config.cache_path else None,
        "requests": _stats_dict(stats),
        "timings_s": {
            "load_data": round(t_loaded - t0, 3),
            "load_model": round(t_model - t_loaded, 3),
            "requests": round(t_done - t_model, 3),
            "score_and_write": round(t_end - t_done, 3),
            "total": round(t_end - t0, 3),
        },
        "versions": package_versions(),
        "platform": platform.platform(),
    }
    write_json(run_dir / SUMMARY, summary)
    write_json(run_dir / MANIFEST, manifest)
    return RunOutcome(run_dir, summary, manifest)


def _stats_dict(stats: EngineStats) -> dict[str, Any]:
    return {
        "total": stats.total,
        "unique": stats.unique,
        "from_cache": stats.from_cache,
        "computed": stats.computed,
        "failed": stats.failed,
        "seconds": round(stats.seconds, 3),
        "errors": stats.errors,
    }
