"""The Language Confusion Benchmark's figures as the reference reports them, one table per task
(and model): a row per language, a column per source, then the language's averages; the last
row holds the per-source averages and the overall average."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

ALL = "all"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _pair(fig: dict[str, Any] | None) -> str:
    if fig is None:
        return ""
    if fig.get("wpr") is None:
        return _pct(fig["lpr"])
    return f"{_pct(fig['lpr'])} / {_pct(fig['wpr'])}"


def figures_tables(records: Sequence[dict[str, Any]]) -> list[Table]:
    """Tables for records {task, [model], source, language, lpr, wpr, lcpr, acc, n, skipped}."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in records:
        groups.setdefault((str(rec["task"]), str(rec.get("model") or "")), []).append(rec)
    return [_table(task, model, recs) for (task, model), recs in groups.items()]


def _table(task: str, model: str, records: list[dict[str, Any]]) -> Table:
    index = {(r["source"], r["language"]): r for r in records}
    sources = sorted({r["source"] for r in records} - {ALL})
    languages = sorted({r["language"] for r in records} - {ALL})
    title = f"{model} — {task}" if model else task
    table = Table(
        title=escape(f"LCB {title}: LPR / WPR %"),
        title_justify="left",
        caption="WPR for ar hi ja ko ru zh only; LCPR = harmonic mean of LPR and WPR",
        caption_justify="left",
    )
    table.add_column("language")
    for source in sources:
        table.add_column(escape(source), justify="right")
    for column in ("LPR", "WPR", "LCPR", "n", "skipped"):
        table.add_column(column, justify="right")
    for language in [*languages, ALL]:
        avg = index.get((ALL, language))
        label = "[bold]all[/bold]" if language == ALL else escape(language)
        cells = [label] + [_pair(index.get((source, language))) for source in sources]
        if avg is None:
            cells += ["", "", "", "", ""]
        else:
            cells += [
                _pct(avg["lpr"]),
                _pct(avg.get("wpr")),
                _pct(avg.get("lcpr")),
                str(avg.get("n", "")),
                str(avg.get("skipped", "")),
            ]
        table.add_row(*cells)
    return table
