"""`globeval compare BASE OTHER`: per-language changes between two runs, with paired CIs."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from globeval.cli.common import _fail, _split, app, err, out

if TYPE_CHECKING:  # pandas costs 0.4 s to import: only `compare` itself loads it
    import pandas as pd

GROUPINGS = ("script", "latin", "resource_class")


def _pct(value: Any, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{100 * value:+.1f}" if signed else f"{100 * value:.1f}"


def _rel(row: Any) -> tuple[str, str]:
    if math.isnan(row["relative"]):
        return "-", "-"
    ci = "-"
    if not (math.isnan(row["relative_low"]) or math.isnan(row["relative_high"])):
        ci = f"[{row['relative_low']:+.1f}, {row['relative_high']:+.1f}]"
    return f"{row['relative']:+.1f}%", ci


def _flag(flag: str) -> str:
    if flag == "regression":
        return "[bold red]▼ regression[/bold red]"
    if flag == "improvement":
        return "[green]▲ improvement[/green]"
    return ""


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(title: str, frame: pd.DataFrame, first: list[str]) -> Table:
    table = Table(title=title, title_justify="left")
    headers = {"language_name": "name", "resource_class": "class"}
    for column in [*first, "n", "base", "other", "change", "relative", "95% CI", ""]:
        table.add_column(
            headers.get(column, column), justify="left" if column in first else "right"
        )
    for _, row in frame.iterrows():
        rel, ci = _rel(row)
        cells = [escape(_cell(row.get(c))) for c in first]
        table.add_row(
            *cells,
            _cell(row.get("n")),
            _pct(row["base"]),
            _pct(row["other"]),
            _pct(row["change"], signed=True),
            rel,
            ci,
            _flag(row["flag"]),
        )
    return table


@app.command("compare")
def compare(
    base: Annotated[Path, typer.Argument(help="The reference run folder (e.g. full precision).")],
    other: Annotated[Path, typer.Argument(help="The run to compare with it (e.g. quantized).")],
    task: Annotated[
        list[str] | None, typer.Option("--task", "-t", help="Only these tasks (default: shared).")
    ] = None,
    fail_if_drop: Annotated[
        float | None,
        typer.Option(
            "--fail-if-drop",
            help="Exit with code 1 if a benchmark, language group or language shows a "
            "significant drop larger than this many percent (relative). For CI gates.",
            min=0.0,
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(help="Group tables to print: script, latin, resource_class (default all)."),
    ] = None,
    only_flagged: Annotated[
        bool, typer.Option("--only-flagged", help="List only languages with a significant change.")
    ] = False,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples.", min=100)] = 1000,
    confidence: Annotated[float, typer.Option(help="CI level.", min=0.5, max=0.999)] = 0.95,
    seed: Annotated[int, typer.Option(help="Seed for the bootstrap.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Compare two runs of the same benchmark(s): per language, per benchmark and per script and
    resource class, the relative change 100*(other - base)/base with paired bootstrap CIs on the
    items both runs scored. Significant regressions are flagged.

    Example: globeval compare runs/fp16 runs/q4 --fail-if-drop 2
    """
    from globeval.analysis import RunError, compare_runs, load_runs

    groupings = _split(by) or list(GROUPINGS)
    unknown = [g for g in groupings if g not in GROUPINGS]
    if unknown:
        raise _fail(f"--by {', '.join(unknown)}: choose from {', '.join(GROUPINGS)}")
    try:
        base_run, other_run = load_runs([base, other])
        result = compare_runs(
            base_run, other_run, bootstrap, confidence, seed, tasks=_split(task) or None
        )
    except (RunError, ValueError) as exc:
        raise _fail(str(exc)) from None
    import pandas as pd

    failing = result.regressions(fail_if_drop) if fail_if_drop is not None else pd.DataFrame()
    if as_json:
        payload = {
            "base": str(base),
            "other": str(other),
            "notes": result.notes,
            "counts": result.counts.to_dict("records"),
            "benchmarks": result.benchmarks.to_dict("records"),
            "groups": result.groups.to_dict("records"),
            "languages": result.languages.to_dict("records"),
            "gate": None
            if fail_if_drop is None
            else {"fail_if_drop": fail_if_drop, "failing": failing.to_dict("records")},
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    else:
        _print(
            result, _split(by) or ["script", "latin", "resource_class"], only_flagged, confidence
        )
    if fail_if_drop is not None:
        if failing.empty:
            err.print(f"gate passed: no significant drop larger than {fail_if_drop:g}%")
        else:
            err.print(
                f"[bold red]gate failed:[/bold red] {len(failing)} significant drop(s) larger "
                f"than {fail_if_drop:g}%"
            )
            for _, row in failing.iterrows():
                where = row.get("group") if row["level"] == "group" else row.get("language")
                err.print(
                    f"  {escape(str(row['task']))} {row['level']} {escape(str(where))}: "
                    f"{row['relative']:+.1f}%"
                )
            raise typer.Exit(code=1)


def _print(result: Any, groupings: list[str], only_flagged: bool, confidence: float) -> None:
    out.print(
        f"base:  [bold]{escape(result.base.name)}[/bold] ({escape(result.base.model)})\n"
        f"other: [bold]{escape(result.other.name)}[/bold] ({escape(result.other.model)})",
        highlight=False,
    )
    for note in result.notes:
        out.print(f"[yellow]note: {escape(note)}[/yellow]", highlight=False)
    for _, row in result.counts.iterrows():
        skipped = row["base_samples"] + row["other_samples"] - 2 * row["compared"]
        if skipped:
            out.print(
                f"[yellow]{escape(str(row['task']))}: {row['compared']} items compared; not "
                f"compared: {row['only_in_base']} only in base, {row['only_in_other']} only in "
                f"other, {row['unscored_in_base']} unscored in base, {row['unscored_in_other']} "
                f"unscored in other[/yellow]",
                highlight=False,
            )
    level = f"{100 * confidence:g}%"
    if not result.benchmarks.empty:
        out.print(
            _table(
                f"per benchmark (macro over languages, {level} CI)",
                result.benchmarks,
                ["task", "metric"],
            )
        )
    for by in groupings:
        frame = (
            result.groups[result.groups["by"] == by] if not result.groups.empty else result.groups
        )
        if not frame.empty:
            out.print(_table(f"by {by}", frame.assign(n=frame["n_languages"]), ["task", "group"]))
    langs = result.languages
    if not langs.empty:
        if only_flagged:
            langs = langs[langs["flag"] != ""]
        out.print(
            _table(
                f"per language (paired bootstrap, {level} CI)",
                langs,
                ["task", "language", "language_name", "script", "resource_class"],
            )
        )
    all_rows = result.all_rows()
    n_reg = int((all_rows["flag"] == "regression").sum()) if not all_rows.empty else 0
    n_imp = int((all_rows["flag"] == "improvement").sum()) if not all_rows.empty else 0
    out.print(f"{n_reg} significant regression(s), {n_imp} significant improvement(s)")
