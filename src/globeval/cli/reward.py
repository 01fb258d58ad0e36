"""`globeval reward ...`: analyses across reward-model runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from globeval.cli.common import _fail, app, out
from globeval.data.errors import DataError

reward_app = typer.Typer(
    help="Reward-model analyses across runs (M-RewardBench, RewardBench).",
    no_args_is_help=True,
)
app.add_typer(reward_app, name="reward")


def _num(value: float | None, percent: bool) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f}" if percent else f"{value:.2f}"


@reward_app.command("compare")
def compare_runs(
    runs: Annotated[
        list[Path], typer.Argument(help="Run folders of m_rewardbench or rewardbench.")
    ],
    task: Annotated[
        str | None, typer.Option(help="Task in the runs (default: m_rewardbench, rewardbench).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Compare reward models: scores per language, and how well each language ranks the models
    as English does (Spearman ρ, Kendall τ; needs 3 or more models).

    Example: globeval reward compare runs/rm-a runs/rm-b runs/rm-c
    """
    from globeval.results.reward_compare import compare, load_scores

    try:
        result = compare([load_scores(run, task) for run in runs])
    except DataError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    languages = result["languages"]
    table = Table(title="score by language (%)", title_justify="left")
    table.add_column("model")
    for lang in languages:
        table.add_column(escape(lang), justify="right")
    table.add_column("non-English mean", justify="right")
    for m in result["models"]:
        cells = [_num(m["scores"].get(lang), True) for lang in languages]
        table.add_row(escape(m["model"]), *cells, _num(m["non_english"], True))
    out.print(table)
    ranks = Table(title="model ranking vs English's, per language", title_justify="left")
    for column in ("language", "models", "Spearman ρ", "Kendall τ"):
        ranks.add_column(column, justify="left" if column == "language" else "right")
    for row in result["rank_correlation_with_english"]:
        ranks.add_row(
            escape(row["language"]),
            str(row["models"]),
            _num(row["spearman"], False),
            _num(row["kendall"], False),
        )
    out.print(ranks)
    overall = result["english_vs_non_english"]
    out.print(
        f"English vs non-English mean over {overall['models']} models: "
        f"Pearson r {_num(overall['pearson'], False)}, "
        f"Spearman ρ {_num(overall['spearman'], False)}",
        highlight=False,
    )
    if overall["models"] < 3:
        out.print("[yellow]correlations need 3 or more models[/yellow]")
