"""Per-language tables in the terminal, for any task's summary (layout: results/summary.py)."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def pct(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{100 * value:.1f}"


def ci(est: dict[str, Any] | None) -> str:
    if not est:
        return "-"
    low, high = est.get("ci_low"), est.get("ci_high")
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "-"
    return f"[{100 * low:.1f}, {100 * high:.1f}]"


def _value(est: dict[str, Any] | None) -> str:
    return pct(est.get("value")) if est else "-"


def task_table(name: str, task: dict[str, Any]) -> Table:
    headline = task["metric"]
    others = [m for m in task["metrics"] if m != headline]
    shots = task.get("num_fewshot")
    setting = ", ".join(
        x for x in (task.get("formulation"), f"{shots}-shot" if shots is not None else None) if x
    )
    title = escape(f"{name} — {task.get('title', '')} ({setting})")
    table = Table(title=title, title_justify="left")
    table.add_column("language")
    table.add_column("n", justify="right")
    table.add_column(headline, justify="right")
    table.add_column("95% CI", justify="right")
    for metric in others:
        table.add_column(metric.replace("_", " "), justify="right")
    show_format = task["counts"]["format_errors"] > 0 or task.get("formulation") == "generative"
    if show_format:
        table.add_column("format errors", justify="right")
    table.add_column("failed", justify="right")
    for row in task["languages"]:
        # language and group names come from datasets: never let them be read as markup
        cells = [escape(row["language"]), str(row["scored"]), _value(row[headline])]
        cells.append(ci(row[headline]))
        cells += [_value(row.get(m)) for m in others]
        if show_format:
            cells.append(str(row["format_errors"]))
        cells.append(str(row["failed"]))
        table.add_row(*cells)
    for label in ("macro", "micro"):
        est = task["overall"][label]
        cells = [f"[bold]{label} avg[/bold]", str(est[headline]["n"]), _value(est[headline])]
        cells.append(ci(est[headline]))
        cells += [_value(est.get(m)) for m in others]
        if show_format:
            cells.append(str(task["counts"]["format_errors"]) if label == "macro" else "")
        cells.append(str(task["counts"]["failed"]) if label == "macro" else "")
        table.add_row(*cells)
    return table


def group_table(name: str, task: dict[str, Any], field: str) -> Table:
    headline = task["metric"]
    cells = task["groups"].get(field, [])
    languages = sorted({c["language"] for c in cells})
    groups = sorted({c["group"] for c in cells})
    table = Table(title=escape(f"{name} by {field} ({headline} %, n)"), title_justify="left")
    table.add_column("language")
    for group in groups:  # group values come from data files: never rich markup
        table.add_column(escape(group) or "-", justify="right")
    index = {(c["language"], c["group"]): c[headline] for c in cells}
    for lang in languages:
        row = [escape(lang)]
        for group in groups:
            est = index.get((lang, group))
            row.append(f"{_value(est)} ({est['n']})" if est else "")
        table.add_row(*row)
    return table


def cell_text(cell: Any) -> str:
    """A cell of a task's extra table: text, a proportion (shown as %) or an estimate."""
    if cell is None:
        return "-"
    if isinstance(cell, dict):
        return f"{_value(cell)} {ci(cell)}"
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return pct(float(cell))
    return escape(str(cell))


def extra_table(spec: dict[str, Any]) -> Table:
    """A table a task's summary asks for: {title, columns, rows} (layout: results/summary.py)."""
    table = Table(title=escape(str(spec.get("title", ""))), title_justify="left")
    for i, column in enumerate(spec.get("columns", [])):
        table.add_column(escape(str(column)), justify="left" if i == 0 else "right")
    for row in spec.get("rows", []):
        table.add_row(*(cell_text(c) for c in row))
    return table


def print_summary(summary: dict[str, Any], console: Console, by: str | None = None) -> None:
    for name, task in summary["tasks"].items():
        console.print(task_table(name, task))
        if task.get("cells"):  # the Language Confusion Benchmark's reference-style figures
            from globeval.report.lcb_tables import figures_tables

            for table in figures_tables(task["cells"]):
                console.print(table)
            for note in task.get("notes") or []:
                console.print(f"[yellow]{escape(note)}[/yellow]")
        if by:
            if by not in task["groups"]:
                known = ", ".join(task["groups"]) or "none"
                note = escape(f"{name} has no grouping {by!r} (known: {known})")
                console.print(f"[yellow]{note}[/yellow]")
            else:
                console.print(group_table(name, task, by))
        for spec in task.get("tables", []):
            console.print(extra_table(spec))
        counts = task["counts"]
        notes = []
        if counts["failed"]:
            notes.append(f"{counts['failed']} failed (see the 'error' column of the samples file)")
        if counts.get("skipped"):
            notes.append(f"{counts['skipped']} skipped by the protocol (kept in the samples file)")
        if counts["format_errors"]:
            notes.append(f"{counts['format_errors']} format errors (no answer found)")
        notes += [escape(str(note)) for note in task.get("notes", [])]
        if notes:
            console.print("[yellow]" + "; ".join(notes) + "[/yellow]")
    req = summary.get("requests")
    if req:
        console.print(
            f"requests: {req['total']} total, {req['unique']} unique, "
            f"{req['from_cache']} from cache, {req['computed']} computed, "
            f"{req['failed']} failed in {req['seconds']:.1f}s"
        )
