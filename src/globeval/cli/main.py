"""globeval: evaluate LLMs across the world's languages."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from globeval.cli.common import _fail, _split, _version, app, err, out
from globeval.data.errors import DataError


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """globeval command line."""


@app.command()
def run(
    tasks: Annotated[list[str], typer.Argument(help="Task names (see `globeval tasks`).")],
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Embedded model name, GGUF path, local folder or Hub id. Default: the embedded "
            "gemma-3-270m (smollm2-135m-instruct for generative tasks).",
        ),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            "--backend",
            "-b",
            help="llamacpp, transformers (inferred from --model) or openai (any "
            "OpenAI-compatible server: vLLM, SGLang, llama.cpp, Ollama, providers); for reward "
            "tasks hf-rm (a sequence-classification reward model) or dpo (a policy, "
            "-M reference=REF).",
        ),
    ] = None,
    model_arg: Annotated[
        list[str] | None,
        typer.Option(
            "--model-arg",
            "-M",
            help="Backend option key=value, repeatable: n_ctx, n_threads, batch_size, dtype, "
            "device, revision, add_bos_token, trust_remote_code; for openai: base_url, "
            "base_urls (comma-separated), api_key_env, concurrency, rpm, tpm, timeout, "
            "max_retries, price_in, price_out, extra_body (JSON), revision, transport "
            "(see docs/serving.md); hf-rm: max_length, truncation; dpo: reference, norm.",
        ),
    ] = None,
    languages: Annotated[
        list[str] | None,
        typer.Option("--languages", "-l", help="Comma-separated language codes (default: all)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="At most this many samples per language.", min=1)
    ] = None,
    num_fewshot: Annotated[
        int, typer.Option("--num-fewshot", "-k", help="Solved examples before each question.")
    ] = 0,
    formulation: Annotated[
        str,
        typer.Option(
            "--formulation",
            "-f",
            help="loglikelihood (score each choice; reward tasks: the reward model scores each "
            "response) or generative (the model writes its answer; reward tasks: a judge).",
        ),
    ] = "loglikelihood",
    apply_chat_template: Annotated[
        bool,
        typer.Option("--apply-chat-template", help="Wrap prompts in the model's chat template."),
    ] = False,
    max_gen_tokens: Annotated[
        int | None, typer.Option(help="Generation length limit (generative formulation).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for few-shot draws, sampling and CIs.")] = 1234,
    sample: Annotated[
        bool,
        typer.Option("--sample", help="Use the small bundled sample data (offline, no download)."),
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Local copy of the dataset: DIR/CONFIG/SPLIT.{parquet,jsonl,json,csv}."),
    ] = None,
    revision: Annotated[
        str | None, typer.Option(help="Dataset revision (default: the task's pinned one).")
    ] = None,
    task_arg: Annotated[
        list[str] | None,
        typer.Option(
            "--task-arg",
            "-T",
            help="Task option key=value, repeatable (see `globeval tasks NAME`).",
        ),
    ] = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Where runs go.")] = Path(
        "runs"
    ),
    run_name: Annotated[str | None, typer.Option(help="Run folder name.")] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Request cache (SQLite). Default: $GLOBEVAL_CACHE_DIR or ~/.cache/globeval."
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for CIs.", min=100)] = 1000,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    executor: Annotated[
        str,
        typer.Option(
            help="Where requests run: local (this process) or ray (the workers of a Ray "
            "cluster, each holding the model once)."
        ),
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(
            help="Ray cluster to join (e.g. auto or ray://head:10001); default: start one."
        ),
    ] = None,
    ray_workers: Annotated[
        int | None,
        typer.Option(help="Ray workers (default: one per GPU, else one per CPU).", min=1),
    ] = None,
    ray_gpus_per_worker: Annotated[
        float | None,
        typer.Option(help="GPUs per Ray worker (default: 1 when the cluster has GPUs).", min=0),
    ] = None,
) -> None:
    """Evaluate a model on one or more tasks and write a run folder.

    Example: globeval run global_mmlu --sample   (embedded model, bundled data, offline)
    """
    from globeval.backends.base import BackendError
    from globeval.backends.registry import parse_pairs
    from globeval.engine.cache import default_cache_path
    from globeval.report.terminal import print_summary
    from globeval.runner import RunConfig, evaluate
    from globeval.tasks.base import RunOptions
    from globeval.tasks.registry import UnknownTask

    try:
        options = RunOptions(
            languages=_split(languages),
            limit=limit,
            num_fewshot=num_fewshot,
            formulation=formulation,  # type: ignore[arg-type]
            seed=seed,
            data_dir=data_dir,
            sample=sample,
            revision=revision,
            chat=apply_chat_template,
            max_gen_tokens=max_gen_tokens,
            task_args=parse_pairs(task_arg, "--task-arg"),
        )
        config = RunConfig(
            tasks=_split(tasks) or [],
            options=options,
            model=model,
            backend=backend,
            model_args=parse_pairs(model_arg, "--model-arg"),
            output_dir=output_dir,
            run_name=run_name,
            cache_path=None if no_cache else (cache or default_cache_path()),
            bootstrap_resamples=bootstrap,
            progress=progress,
            command=sys.argv,
            executor=executor,
            executor_args=_executor_args(executor, ray_address, ray_workers, ray_gpus_per_worker),
        )
        outcome = evaluate(config, console=err)
    except (DataError, BackendError, UnknownTask, ValueError) as exc:
        raise _fail(str(exc).strip("'\"")) from None
    if as_json:
        print(json.dumps(outcome.summary, indent=2, ensure_ascii=False, default=str))
    else:
        print_summary(outcome.summary, out)
    err.print(f"run folder: {outcome.run_dir}", highlight=False)


def _executor_args(
    executor: str, address: str | None, workers: int | None, gpus: float | None
) -> dict[str, object]:
    if executor not in ("local", "ray"):
        raise _fail(f"unknown executor {executor!r}; known: local, ray")
    if executor == "local":
        if address is not None or workers is not None or gpus is not None:
            raise _fail(
                "--ray-address, --ray-workers and --ray-gpus-per-worker need --executor ray"
            )
        return {}
    return {"address": address, "workers": workers, "gpus_per_worker": gpus}


@app.command()
def show(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `globeval run`.")],
    by: Annotated[
        str | None,
        typer.Option(help="Also break down by a grouping, e.g. subject_category or domain."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Print a finished run's per-language table."""
    from globeval.report.terminal import print_summary
    from globeval.results.run_folder import SUMMARY, read_json

    path = run_dir / SUMMARY
    if not path.is_file():
        raise _fail(f"{run_dir}: not a run folder (no {SUMMARY})")
    summary = read_json(path)
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    print_summary(summary, out, by=by)


@app.command("tasks")
def list_tasks(
    name: Annotated[str | None, typer.Argument(help="Show one task in detail.")] = None,
) -> None:
    """List benchmarks, their languages, formulations and options."""
    from globeval.tasks.registry import TASKS, UnknownTask, task_class

    if name is not None:
        try:
            cls = task_class(name)
        except UnknownTask as exc:
            raise _fail(str(exc).strip("'\"")) from None
        out.print(f"[bold]{cls.name}[/bold] — {cls.title}")
        out.print(f"dataset: {cls.dataset} @ {getattr(cls, 'revision', 'main')}")
        out.print(f"formulations: {', '.join(cls.formulations)}")
        out.print(f"groupings: {', '.join(cls.group_fields) or '-'}")
        out.print(f"languages ({len(cls.languages)}): {', '.join(cls.languages)}")
        for key, text in cls.task_args.items():
            out.print(f"  -T {key}=…  {text}")
        doc = (sys.modules[cls.__module__].__doc__ or "").strip()
        if doc:
            out.print()
            out.print(doc, highlight=False)
        return
    table = Table(title="tasks")
    for column in ("task", "benchmark", "languages", "formulations", "options (-T)"):
        table.add_column(column)
    for task_name in TASKS:
        cls = task_class(task_name)
        table.add_row(
            cls.name,
            cls.title,
            str(len(cls.languages)),
            ", ".join(cls.formulations),
            ", ".join(cls.task_args),
        )
    out.print(table)


@app.command()
def models() -> None:
    """List backends and the embedded models (and whether they are installed)."""
    import importlib.util

    from globeval.backends.embedded import EMBEDDED
    from globeval.backends.registry import BACKENDS

    needs = {
        "llamacpp": "llama_cpp",
        "transformers": "transformers",
        "openai": "httptools",
        "litellm": "litellm",
        "hf-rm": "transformers",
        "dpo": "globeval",  # wraps the policy's and reference's own backends
    }
    table = Table(title="backends")
    for column in ("backend", "installed", "install"):
        table.add_column(column)
    for name, (_, install) in BACKENDS.items():
        module = needs.get(name, name)
        ok = importlib.util.find_spec(module) is not None
        table.add_row(name, "yes" if ok else "no", escape(install))
    out.print(table)
    table = Table(title="embedded models (used when no --model is given)")
    for column in ("name", "kind", "installed", "package", "about", "license"):
        table.add_column(column)
    for m in EMBEDDED.values():
        table.add_row(
            m.name, m.kind, "yes" if m.installed() else "no", m.package, m.description, m.license
        )
    out.print(table)


# command modules (one per command family) register themselves on `app` when imported here
import globeval.cli.compare  # noqa: E402
import globeval.cli.judge  # noqa: E402
import globeval.cli.languages  # noqa: E402
import globeval.cli.report  # noqa: E402
import globeval.cli.reward  # noqa: E402
import globeval.cli.score  # noqa: E402
import globeval.cli.serve  # noqa: E402, F401

if __name__ == "__main__":  # pragma: no cover
    app()
