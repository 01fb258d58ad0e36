"""Tables a task's summary asks for, and dataset text kept from being read as markup."""

from __future__ import annotations

from io import StringIO
from typing import Any

from rich.console import Console

from globeval.report.terminal import cell_text, print_summary


def estimate(value: float, low: float, high: float) -> dict[str, Any]:
    return {"value": value, "ci_low": low, "ci_high": high, "n": 10}


def test_cells_render_text_proportions_and_estimates() -> None:
    assert cell_text(None) == "-"
    assert cell_text(0.5) == "50.0"
    assert cell_text(estimate(0.5, 0.25, 0.75)) == "50.0 [25.0, 75.0]"
    assert cell_text("[bold]x[/bold]") == "\\[bold]x\\[/bold]"


def test_summary_tables_and_notes_print_dataset_text_literally() -> None:
    task = {
        "title": "t",
        "metric": "score",
        "metrics": ["score"],
        "counts": {"samples": 1, "scored": 1, "ok": 1, "format_errors": 0, "failed": 0},
        "languages": [
            {
                "language": "[red]xx[/red]",
                "scored": 1,
                "format_errors": 0,
                "failed": 0,
                "score": estimate(0.5, 0.4, 0.6),
            }
        ],
        "overall": {
            "macro": {"score": estimate(0.5, 0.4, 0.6)},
            "micro": {"score": estimate(0.5, 0.4, 0.6)},
        },
        "groups": {},
        "tables": [{"title": "extra", "columns": ["a", "b"], "rows": [["[i]row[/i]", 0.25]]}],
        "notes": ["note with [b]markup[/b]"],
    }
    buffer = StringIO()
    print_summary({"tasks": {"t": task}}, Console(file=buffer, width=200))
    text = buffer.getvalue()
    assert "[red]xx[/red]" in text and "[i]row[/i]" in text and "25.0" in text
    assert "note with [b]markup[/b]" in text
