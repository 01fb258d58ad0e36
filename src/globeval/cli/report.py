"""`globeval report RUN...`: one self-contained HTML report, plus CSV and Markdown tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from globeval.cli.common import _fail, app, err, out


def _subset(value: str | None) -> tuple[str, str, str] | None:
    if value is None:
        return None
    field, _, pair = value.partition("=")
    a, _, b = pair.partition(",")
    if not (field and a and b):
        raise _fail(
            f"--subset {value!r}: expected FIELD=A,B (e.g. cultural_sensitivity_label=CS,CA)"
        )
    return field.strip(), a.strip(), b.strip()


@app.command("report")
def report(
    runs: Annotated[list[Path], typer.Argument(help="Run folders written by `globeval run`.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    tables: Annotated[
        Path | None,
        typer.Option(
            help="Folder for CSV and Markdown tables (default: <output name>_tables next to it)."
        ),
    ] = None,
    no_tables: Annotated[bool, typer.Option("--no-tables", help="Write no tables.")] = False,
    baseline: Annotated[
        str | None,
        typer.Option(help="Run name the others are compared with (default: the first run)."),
    ] = None,
    reference: Annotated[
        str, typer.Option(help="Reference language for gaps and rankings.")
    ] = "en",
    subset: Annotated[
        str | None,
        typer.Option(
            help="Item subsets to contrast, FIELD=A,B (default: cultural_sensitivity_label=CS,CA "
            "where a task has it)."
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(help="Samples per run, task and language in the sample browser.", min=0),
    ] = 20,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples.", min=100)] = 1000,
    seed: Annotated[int, typer.Option(help="Seed for the bootstrap.")] = 0,
) -> None:
    """Write one HTML file (plotly inlined, opens offline) with a language x benchmark heatmap,
    per-language scores with CIs, gaps to English, script and resource-class groupings, CS vs
    CA, rank changes, benchmark correlations, comparisons against a baseline run and a sample
    browser; and the same numbers as CSV and Markdown tables.

    Example: globeval report runs/gemma runs/gemma-q4 -o report.html
    """
    try:
        from globeval.report.html import ReportOptions, RunError, build_report
    except ImportError as exc:
        raise _fail(
            f"the report needs extra packages ({exc.name}): pip install 'globeval[report]'"
        ) from None
    tables_dir = None if no_tables else (tables or output.with_name(f"{output.stem}_tables"))
    options = ReportOptions(
        title=title,
        baseline=baseline,
        reference=reference,
        subset=_subset(subset),
        samples_per_language=samples,
        n_resamples=bootstrap,
        seed=seed,
        tables_dir=tables_dir,
    )
    try:
        result = build_report(runs, output, options)
    except (RunError, ValueError) as exc:
        raise _fail(str(exc)) from None
    for note in result.notes:
        err.print(f"[yellow]note: {escape(note)}[/yellow]", highlight=False)
    out.print(
        f"report: {escape(str(result.path))} ({result.bytes / 1e6:.1f} MB, {result.figures} "
        f"figures, {result.samples_shown} of {result.samples_total} samples) in "
        f"{result.seconds:.1f}s",
        highlight=False,
    )
    if result.tables:
        out.print(
            f"tables: {escape(str(tables_dir))} ({len(result.tables)} files)", highlight=False
        )
