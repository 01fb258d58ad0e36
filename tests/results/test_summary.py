from __future__ import annotations

from typing import Any

from globeval.results.summary import MULTIPLE_CHOICE_METRICS, summarize_records


def rec(language: str, status: str, score: float | None, category: str = "STEM") -> dict[str, Any]:
    return {"language": language, "status": status, "score": score, "subject_category": category}


def test_every_sample_is_counted_and_metrics_follow_their_rules() -> None:
    records = [
        rec("ar", "ok", 1.0),
        rec("ar", "ok", 0.0),
        rec("ar", "format_error", 0.0),
        rec("ar", "failed", None),
        rec("en", "ok", 1.0, "Humanities"),
        rec("en", "skipped", None, "Humanities"),
    ]
    summary = summarize_records(records, MULTIPLE_CHOICE_METRICS, ["subject_category"], seed=0)
    assert summary["counts"] == {
        "samples": 6,
        "scored": 4,
        "ok": 3,
        "format_errors": 1,
        "failed": 1,
        "skipped": 1,
    }
    ar = summary["languages"][0]
    assert ar["language"] == "ar" and ar["failed"] == 1 and ar["format_errors"] == 1
    assert ar["accuracy"]["value"] == 1 / 3  # format error counts as wrong; failure left out
    assert ar["answer_accuracy"]["value"] == 1 / 2  # format error left out
    assert summary["overall"]["macro"]["accuracy"]["value"] == (1 / 3 + 1) / 2
    assert summary["overall"]["micro"]["accuracy"]["value"] == 2 / 4
    cells = {
        (c["language"], c["group"]): c["accuracy"]["n"]
        for c in summary["groups"]["subject_category"]
    }
    assert cells == {("ar", "STEM"): 3, ("en", "Humanities"): 1}
