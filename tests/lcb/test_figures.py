"""Completion rows to the reference's records, grouped by (task, model)."""

from __future__ import annotations

import pytest

from globeval.lcb.data import Completion
from globeval.lcb.figures import figure_records
from tests.lcb.helpers import marker_scorer

PASS_FR = "bonjour one two three four"
FAIL = "one two three four five"


def _row(model: str, task: str, source: str, language: str, text: str) -> Completion:
    return Completion("0", model, text, task, source, language, "f.csv", 2)


def test_records_per_task_and_model_with_the_reference_fields_and_order() -> None:
    rows = [
        _row("m2", "monolingual", "okapi", "fr", PASS_FR),
        _row("m1", "monolingual", "okapi", "fr", FAIL),
        _row("m1", "monolingual", "okapi", "fr", PASS_FR),
        _row("m1", "monolingual", "okapi", "fr", "short"),
        _row("m1", "crosslingual", "okapi", "ar", "arline one two three four"),
    ]
    scorer, _ = marker_scorer(set())
    records = figure_records(rows, scorer.score_many([(r.completion, r.language) for r in rows]))
    keys = [(r["task"], r["model"], r["source"], r["language"]) for r in records]
    assert keys == [
        ("crosslingual", "m1", "okapi", "ar"),
        ("crosslingual", "m1", "okapi", "all"),
        ("crosslingual", "m1", "all", "ar"),
        ("crosslingual", "m1", "all", "all"),
        ("monolingual", "m1", "okapi", "fr"),
        ("monolingual", "m1", "okapi", "all"),
        ("monolingual", "m1", "all", "fr"),
        ("monolingual", "m1", "all", "all"),
        ("monolingual", "m2", "okapi", "fr"),
        ("monolingual", "m2", "okapi", "all"),
        ("monolingual", "m2", "all", "fr"),
        ("monolingual", "m2", "all", "all"),
    ]
    assert list(records[0]) == [
        "task", "model", "source", "language", "lpr", "wpr", "lcpr", "acc", "n", "skipped",
    ]  # fmt: skip
    m1_fr = records[4]
    assert (m1_fr["lpr"], m1_fr["wpr"], m1_fr["n"], m1_fr["skipped"]) == (0.5, None, 3, 1)
    assert records[0]["wpr"] == 1.0 and records[0]["lcpr"] == pytest.approx(1.0)
