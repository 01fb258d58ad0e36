"""`globeval judge`: LLM-as-judge runs (m-ArenaHard battles, Aya red-teaming harm rates)."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from globeval.cli.common import _fail, _split, app, err, out
from globeval.data.errors import DataError

judge_app = typer.Typer(
    help="Judge stored answers with an LLM judge: m-ArenaHard win rates (Bradley–Terry and "
    "head-to-head) and Aya red-teaming harm rates, per language. Every judge call is cached.",
    no_args_is_help=True,
)
app.add_typer(judge_app, name="judge")

JudgeModel = Annotated[
    str,
    typer.Option(
        "--judge",
        "-j",
        help="Judge model: embedded name, GGUF path, local folder, Hub id or any model string "
        "a backend accepts (as `globeval run --model`).",
    ),
]
JudgeBackend = Annotated[
    str | None, typer.Option("--judge-backend", help="Backend for the judge (inferred).")
]
JudgeArgs = Annotated[
    list[str] | None,
    typer.Option("--judge-arg", "-J", help="Judge backend option key=value, repeatable."),
]
MaxTokens = Annotated[
    int, typer.Option("--judge-max-tokens", help="Judge generation limit.", min=1)
]
PromptFile = Annotated[
    Path | None,
    typer.Option(
        "--prompt-file",
        help="TOML file replacing the judge prompt: system, user (with the same {slots}), "
        "retry, verdict_pattern, labels (see docs/judging.md).",
    ),
]
PriceIn = Annotated[
    float | None, typer.Option(help="Judge price in USD per million input tokens (for cost).")
]
PriceOut = Annotated[
    float | None, typer.Option(help="Judge price in USD per million output tokens (for cost).")
]
Languages = Annotated[
    list[str] | None,
    typer.Option("--languages", "-l", help="Comma-separated language codes (default: all)."),
]
Limit = Annotated[int | None, typer.Option(help="At most this many items per language.", min=1)]
Seed = Annotated[int, typer.Option(help="Seed for the head-to-head and harm-rate CIs.")]
Bootstrap = Annotated[int, typer.Option(help="Bootstrap resamples for those CIs.", min=100)]
OutputDir = Annotated[Path, typer.Option("--output-dir", "-o", help="Where runs go.")]
RunName = Annotated[str | None, typer.Option(help="Run folder name.")]
Cache = Annotated[
    Path | None,
    typer.Option(help="Request cache (SQLite). Default: $GLOBEVAL_CACHE_DIR or ~/.cache/globeval."),
]
NoCache = Annotated[
    bool,
    typer.Option("--no-cache", help="Neither read nor write the cache (every call is paid again)."),
]
Progress = Annotated[bool, typer.Option(help="Show a progress bar.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]


def _settings(
    judge: str,
    judge_backend: str | None,
    judge_arg: list[str] | None,
    judge_max_tokens: int,
    prompt_file: Path | None,
    price_input: float | None,
    price_output: float | None,
    output_dir: Path,
    run_name: str | None,
    cache: Path | None,
    no_cache: bool,
    seed: int,
    bootstrap: int,
    progress: bool,
) -> Any:
    from globeval.backends.registry import parse_pairs
    from globeval.engine.cache import default_cache_path
    from globeval.judging.run import JudgeSettings

    return JudgeSettings(
        judge=judge,
        judge_backend=judge_backend,
        judge_args=parse_pairs(judge_arg, "--judge-arg"),
        max_tokens=judge_max_tokens,
        prompt_file=prompt_file,
        price_input=price_input,
        price_output=price_output,
        output_dir=output_dir,
        run_name=run_name,
        cache_path=None if no_cache else (cache or default_cache_path()),
        seed=seed,
        bootstrap_resamples=bootstrap,
        progress=progress,
        command=sys.argv,
    )


def _escaped(summary: dict[str, Any]) -> dict[str, Any]:
    """Model names come from users' files: no rich markup may hide in them."""
    safe = copy.deepcopy(summary)
    safe["tasks"] = {escape(k): v for k, v in safe["tasks"].items()}
    for task in safe["tasks"].values():
        task["title"] = escape(str(task.get("title", "")))
        for row in task["languages"]:
            row["language"] = escape(str(row["language"]))
        for cells in task.get("groups", {}).values():
            for cell in cells:
                cell["language"] = escape(str(cell["language"]))
                cell["group"] = escape(str(cell["group"]))
    return safe


def _print(summary: dict[str, Any], as_json: bool) -> None:
    from globeval.report.terminal import print_summary
    from globeval.results.run_folder import _clean

    if as_json:  # null for NaN, as in summary.json: strict JSON readers reject NaN
        print(json.dumps(_clean(summary), indent=2, ensure_ascii=False, default=str))
        return
    print_summary(_escaped(summary), out)
    for task in summary["tasks"].values():
        j = task.get("judging", {})
        dropped = j.get("no_verdict", 0) + j.get("contradictory", 0) + j.get("invalid_label", 0)
        out.print(
            f"judged {j.get('judged', 0)} of {j.get('games', j.get('responses', 0))}; "
            f"{j.get('retried', 0)} retried ({j.get('verdict_after_retry', 0)} got a verdict); "
            f"dropped {dropped} (no verdict {j.get('no_verdict', 0)}, contradictory "
            f"{j.get('contradictory', 0)}, unknown label {j.get('invalid_label', 0)}); "
            f"judge failed {j.get('judge_failed', 0)}; not judged {j.get('not_judged', 0)}",
            highlight=False,
        )
    usage = summary.get("usage") or {}
    total, new = usage.get("total", {}), usage.get("this_run", {})
    line = (
        f"judge calls: {total.get('calls', 0)} ({new.get('calls', 0)} sent now, "
        f"{usage.get('from_cache', 0)} from cache); tokens in/out: "
        f"{total.get('prompt_tokens', 0)}/{total.get('completion_tokens', 0)}"
    )
    if usage.get("cost_usd") is not None:
        line += f"; cost ${usage['cost_usd']:.4f} (this run ${usage['cost_usd_this_run']:.4f})"
    out.print(line, highlight=False)


@judge_app.command("arena")
def arena(
    candidates: Annotated[
        list[Path],
        typer.Argument(help="Run folders of m_arenahard answers (`globeval run m_arenahard`)."),
    ],
    baseline: Annotated[
        Path, typer.Option("--baseline", help="Run folder of the baseline's answers.")
    ],
    judge: JudgeModel,
    judge_backend: JudgeBackend = None,
    judge_arg: JudgeArgs = None,
    judge_max_tokens: MaxTokens = 4096,
    prompt_file: PromptFile = None,
    price_input: PriceIn = None,
    price_output: PriceOut = None,
    languages: Languages = None,
    limit: Limit = None,
    weight: Annotated[
        int, typer.Option(help="Battles a strong verdict (A>>B) counts for.", min=1)
    ] = 3,
    bt_rounds: Annotated[
        int, typer.Option(help="Bradley–Terry bootstrap rounds (arena-hard: 100).", min=1)
    ] = 100,
    bt_seed: Annotated[
        int, typer.Option(help="Bradley–Terry bootstrap seed (arena-hard: 42).")
    ] = 42,
    seed: Seed = 1234,
    bootstrap: Bootstrap = 1000,
    output_dir: OutputDir = Path("runs"),
    run_name: RunName = None,
    cache: Cache = None,
    no_cache: NoCache = False,
    progress: Progress = True,
    as_json: AsJson = False,
) -> None:
    """Judge candidates against a baseline on m-ArenaHard (arena-hard-auto v0.1 protocol).

    Two games per prompt, positions swapped.

    Per language: Bradley–Terry win rate vs the baseline, head-to-head W/T/L (95% CIs), bias.

    Example: globeval judge arena runs/cand --baseline runs/base -j smollm2-135m-instruct
    """
    from globeval.backends.base import BackendError
    from globeval.judging.arena import ArenaConfig, judge_arena

    try:
        settings = _settings(
            judge,
            judge_backend,
            judge_arg,
            judge_max_tokens,
            prompt_file,
            price_input,
            price_output,
            output_dir,
            run_name,
            cache,
            no_cache,
            seed,
            bootstrap,
            progress,
        )
        outcome = judge_arena(
            ArenaConfig(
                candidates=candidates,
                baseline=baseline,
                settings=settings,
                languages=_split(languages),
                limit=limit,
                weight=weight,
                bt_rounds=bt_rounds,
                bt_seed=bt_seed,
            ),
            console=err,
        )
    except ImportError as exc:
        raise _fail(
            f'{exc}; Bradley–Terry needs scikit-learn: pip install "globeval[judge]"'
        ) from None
    except (DataError, BackendError, ValueError) as exc:
        raise _fail(str(exc).strip("'\"")) from None
    _print(outcome.summary, as_json)
    err.print(f"run folder: {escape(str(outcome.run_dir))}", highlight=False)


@judge_app.command("harm")
def harm(
    responses: Annotated[
        Path,
        typer.Argument(
            help="Run folder of aya_redteaming responses (`globeval run aya_redteaming`)."
        ),
    ],
    judge: JudgeModel,
    judge_backend: JudgeBackend = None,
    judge_arg: JudgeArgs = None,
    judge_max_tokens: MaxTokens = 512,
    prompt_file: PromptFile = None,
    price_input: PriceIn = None,
    price_output: PriceOut = None,
    languages: Languages = None,
    limit: Limit = None,
    task: Annotated[
        str, typer.Option(help="The run's task whose responses are judged.")
    ] = "aya_redteaming",
    seed: Seed = 1234,
    bootstrap: Bootstrap = 1000,
    output_dir: OutputDir = Path("runs"),
    run_name: RunName = None,
    cache: Cache = None,
    no_cache: NoCache = False,
    progress: Progress = True,
    as_json: AsJson = False,
) -> None:
    """Label red-teaming responses harmful, refusal or safe; print harm rates.

    Rates with 95% CIs per language, harm category and global/local.

    Example: globeval judge harm runs/redteam --judge smollm2-135m-instruct
    """
    from globeval.backends.base import BackendError
    from globeval.judging.harm import HarmConfig, judge_harm

    try:
        settings = _settings(
            judge,
            judge_backend,
            judge_arg,
            judge_max_tokens,
            prompt_file,
            price_input,
            price_output,
            output_dir,
            run_name,
            cache,
            no_cache,
            seed,
            bootstrap,
            progress,
        )
        outcome = judge_harm(
            HarmConfig(
                responses=responses,
                settings=settings,
                languages=_split(languages),
                limit=limit,
                task=task,
            ),
            console=err,
        )
    except (DataError, BackendError, ValueError) as exc:
        raise _fail(str(exc).strip("'\"")) from None
    _print(outcome.summary, as_json)
    err.print(f"run folder: {escape(str(outcome.run_dir))}", highlight=False)


@judge_app.command("import-answers")
def import_answers(
    files: Annotated[
        list[Path],
        typer.Argument(help="arena-hard-auto answer files (model_answer/<model>.jsonl)."),
    ],
    language: Annotated[
        str, typer.Option("--language", help="Language of the answers (m-ArenaHard code).")
    ] = "en",
    questions: Annotated[
        Path | None,
        typer.Option(
            help="Questions with their text (arena-hard question.jsonl or m-ArenaHard rows)."
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model name (default: the files' model_id).")
    ] = None,
    output_dir: OutputDir = Path("runs"),
    run_name: RunName = None,
) -> None:
    """Store answers produced elsewhere as m_arenahard run folders, ready to be judged."""
    from globeval.judging.answers import import_model_answers

    if run_name is not None and len(files) > 1:
        raise _fail("--run-name names one run: import one file at a time")
    for path in files:
        try:
            run_dir = import_model_answers(
                path, language, output_dir, run_name, questions, model, command=sys.argv
            )
        except (DataError, OSError) as exc:
            raise _fail(str(exc).strip("'\"")) from None
        out.print(f"imported {escape(str(path))} -> {escape(str(run_dir))}", highlight=False)


@judge_app.command("export-arena")
def export_arena(
    run_dir: Annotated[Path, typer.Argument(help="A `globeval judge arena` run folder.")],
    out_dir: Annotated[Path, typer.Argument(help="Where model_judgment/<judge>/ is written.")],
    language: Annotated[
        str | None, typer.Option(help="Only this language (default: all, in one file per model).")
    ] = None,
) -> None:
    """Write judged games in arena-hard-auto's model_judgment layout (for show_result.py)."""
    from globeval.judging.arena import TASK
    from globeval.judging.export import export_arena_hard
    from globeval.results.run_folder import SUMMARY, read_json, read_samples

    try:
        summary = read_json(run_dir / SUMMARY)
        records = read_samples(run_dir, TASK)
    except (OSError, ValueError) as exc:
        raise _fail(f"{run_dir}: not a judge arena run folder ({exc})") from None
    for path in export_arena_hard(records, str(summary.get("judge") or "judge"), out_dir, language):
        out.print(f"wrote {escape(str(path))}", highlight=False)
