"""Completion files to the reference's figures: grouped by (task, model) as its main block
does, then by (source, language)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from globeval.lcb.data import Completion
from globeval.lcb.metrics import Outcome, cell_figures, reference_figures


def figure_records(
    completions: Sequence[Completion], outcomes: Sequence[Outcome], wpr: bool = True
) -> list[dict[str, Any]]:
    """Records {task, model, source, language, lpr, wpr, lcpr, acc, n, skipped}, in the
    reference's order: (task, model) sorted, then cells, per-source, per-language, overall."""
    groups: dict[tuple[str, str], dict[tuple[str, str], list[Outcome]]] = {}
    for completion, outcome in zip(completions, outcomes, strict=True):
        cells = groups.setdefault((completion.task, completion.model), {})
        cells.setdefault((completion.source, completion.language), []).append(outcome)
    out: list[dict[str, Any]] = []
    for (task, model), cells in sorted(groups.items()):
        figures = [cell_figures(s, lang, vs, wpr=wpr) for (s, lang), vs in cells.items()]
        out += [{"task": task, "model": model, **f.to_dict()} for f in reference_figures(figures)]
    return out
