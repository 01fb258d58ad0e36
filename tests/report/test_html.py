"""The HTML report: self-contained, every section present, model text escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from globeval.report.html import ReportOptions, build_report
from tests.synthetic_runs import HOSTILE_MODEL, IMG_RESPONSE, SCRIPT_RESPONSE, report_runs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, object]:
    root = tmp_path_factory.mktemp("report")
    output = root / "report.html"
    result = build_report(
        report_runs(root / "runs"),
        output,
        ReportOptions(n_resamples=200, samples_per_language=100, tables_dir=root / "tables"),
    )
    return output, output.read_text(encoding="utf-8"), result


def test_the_report_is_self_contained(built: tuple[Path, str, object]) -> None:
    _, page, _ = built
    assert not re.search(r"<script[^>]+src=", page)  # no external script
    assert not re.search(r"<link[^>]+href=", page)  # no external style sheet
    assert "Plotly.newPlot" in page


def test_every_section_is_there(built: tuple[Path, str, object]) -> None:
    _, page, result = built
    for section in (
        'id="runs"',
        'id="overview"',
        'id="languages"',
        'id="gap"',
        'id="groups"',
        'id="subsets"',
        'id="rankings"',
        'id="correlation"',
        'id="comparisons"',
        'id="browser"',
    ):
        assert section in page
    assert result.figures >= 15  # type: ignore[attr-defined]
    assert (result.samples_shown, result.samples_total) == (2400, 2400)  # type: ignore[attr-defined]


def test_model_text_is_never_markup(built: tuple[Path, str, object]) -> None:
    _, page, _ = built
    for hostile in (SCRIPT_RESPONSE, IMG_RESPONSE, HOSTILE_MODEL):
        assert hostile not in page
    assert "\\u003cscript\\u003ewindow.__pwned = 1\\u003c/script\\u003e" in page
    assert "&lt;img src=x onerror=window.__pwned=3&gt;" in page  # the model name, in a table


def test_tables_for_papers(built: tuple[Path, str, object]) -> None:
    _, _, result = built
    names = {p.name for p in result.tables}  # type: ignore[attr-defined]
    for table in ("languages", "overall", "gap", "groups", "subsets", "comparisons"):
        assert f"{table}.csv" in names and f"{table}.md" in names
    folder = next(iter(result.tables)).parent  # type: ignore[attr-defined]
    md = (folder / "languages.md").read_text()
    assert "bench_a · base" in md and "80.0 [" in md
    assert len(md.strip().splitlines()) == 2 + 5  # header, rule, one row per language
    comparisons = (folder / "comparisons.md").read_text()
    assert "regression" in comparisons


def test_a_run_without_samples_files_still_reports(tmp_path: Path) -> None:
    from tests.synthetic_runs import profile_run

    run = profile_run(tmp_path / "runs")
    (run / "samples" / "bench_b.parquet").unlink()
    result = build_report([run], tmp_path / "r.html", ReportOptions(n_resamples=100))
    page = result.path.read_text(encoding="utf-8")
    assert "profile / bench_b: no samples file" in page
    assert result.samples_total == 500  # bench_a's samples only


def test_runs_table_shows_what_each_task_did(tmp_path: Path) -> None:
    """A generative-only task in a run whose default formulation was log-likelihood, 5-shot:
    the table shows the task's own formulation and shots."""
    import json

    from tests.synthetic_runs import ones, records, write_run

    recs = records("lcb", {"en": ones(10, 5), "fr": ones(10, 4)})
    run = write_run(
        tmp_path / "runs",
        "lcb-run",
        {"lcb": recs},
        options={"num_fewshot": 5, "formulation": "loglikelihood"},
    )
    summary = json.loads((run / "summary.json").read_text())
    summary["tasks"]["lcb"]["formulation"] = "generative"
    (run / "summary.json").write_text(json.dumps(summary))
    output = tmp_path / "report.html"
    build_report([run], output, ReportOptions(n_resamples=50))
    page = output.read_text(encoding="utf-8")
    assert re.search(r"<td>lcb</td><td>[^<]*</td><td>generative</td><td>0</td>", page)
