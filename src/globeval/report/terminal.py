"""Per-language tables in the terminal."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table


def pct(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{100 * value:.1f}"


def ci(low: float | None, high: float | None) -> str:
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "-"
    return f"[{100 * low:.1f}, {100 * high:.1f}]"


def task_table(name: str, task: dict[str, Any]) -> Table:
    generative = task.get("formulation") == "generative"
    shots = task.get("num_fewshot", 0)
    table = Table(
        title=f"{name} — {task.get('title', '')} ({task.get('formulation')}, {shots}-shot)",
        title_justify="left",
    )
    table.add_column("language")
    table.add_column("n", justify="right")
    table.add_column(task.get("metric", "accuracy"), justify="right")
    table.add_column("95% CI", justify="right")
    if generative:
        table.add_column("answer acc.", justify="right")
        table.add_column("format errors", justify="right")
    table.add_column("failed", justify="right")
    for row in task["languages"]:
        cells = [
            row["language"],
            str(row["scored"]),
            pct(row["accuracy"]),
            ci(row["ci_low"], row["ci_high"]),
        ]
        if generative:
            cells += [pct(row["answer_accuracy"]), str(row["format_errors"])]
        cells.append(str(row["failed"]))
        table.add_row(*cells)
    counts = task["counts"]
    for label in ("macro", "micro"):
        est = task[label]
        cells = [
            f"[bold]{label} avg[/bold]",
            str(est["n"]),
            pct(est["value"]),
            ci(est["ci_low"], est["ci_high"]),
        ]
        if generative:
            cells += ["", str(counts["format_errors"])]
        cells.append(str(counts["failed"]) if label == "macro" else "")
        table.add_row(*cells, end_section=label == "micro" and False)
    return table


def group_table(name: str, task: dict[str, Any], field: str) -> Table:
    cells = task["groups"].get(field, [])
    languages = sorted({c["language"] for c in cells})
    groups = sorted({c["group"] for c in cells})
    table = Table(title=f"{name} by {field} (accuracy %, n)", title_justify="left")
    table.add_column("language")
    for group in groups:
        table.add_column(group or "-", justify="right")
    index = {(c["language"], c["group"]): c for c in cells}
    for lang in languages:
        row = [lang]
        for group in groups:
            cell = index.get((lang, group))
            row.append(f"{pct(cell['value'])} ({cell['n']})" if cell else "")
        table.add_row(*row)
    return table


def print_summary(summary: dict[str, Any], console: Console, by: str | None = None) -> None:
    for name, task in summary["tasks"].items():
        console.print(task_table(name, task))
        if by:
            if by not in task["groups"]:
                known = ", ".join(task["groups"]) or "none"
                console.print(f"[yellow]{name} has no grouping {by!r} (known: {known})[/yellow]")
            else:
                console.print(group_table(name, task, by))
        counts = task["counts"]
        notes = []
        if counts["failed"]:
            notes.append(f"{counts['failed']} failed (see the 'error' column of the samples file)")
        if counts["format_errors"]:
            notes.append(f"{counts['format_errors']} format errors (no answer letter found)")
        if notes:
            console.print("[yellow]" + "; ".join(notes) + "[/yellow]")
    req = summary.get("requests")
    if req:
        console.print(
            f"requests: {req['total']} total, {req['unique']} unique, {req['from_cache']} from cache, "
            f"{req['computed']} computed, {req['failed']} failed in {req['seconds']:.1f}s"
        )
