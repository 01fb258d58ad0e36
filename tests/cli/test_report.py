"""`globeval report`: the HTML file and the tables, and clear errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from globeval.cli.main import app
from tests.synthetic_runs import profile_run, records, write_run

runner = CliRunner()


def test_writes_the_report_and_tables(tmp_path: Path) -> None:
    first = profile_run(tmp_path / "runs", "first")
    second = write_run(
        tmp_path / "runs",
        "second",
        {"bench_a": records("bench_a", {"en": [1.0, 0.0], "fr": [0.0]})},
    )
    output = tmp_path / "out" / "r.html"
    result = runner.invoke(
        app,
        [
            "report",
            str(first),
            str(second),
            "-o",
            str(output),
            "--bootstrap",
            "100",
            "--samples",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert output.is_file() and "report:" in result.output
    tables = tmp_path / "out" / "r_tables"
    assert (tables / "languages.csv").is_file() and (tables / "comparisons.md").is_file()


def test_no_tables_and_a_bad_subset(tmp_path: Path) -> None:
    run = profile_run(tmp_path)
    output = tmp_path / "r.html"
    ok = runner.invoke(
        app, ["report", str(run), "-o", str(output), "--no-tables", "--bootstrap", "100"]
    )
    assert ok.exit_code == 0 and not (tmp_path / "r_tables").exists()
    bad = runner.invoke(app, ["report", str(run), "-o", str(output), "--subset", "oops"])
    assert bad.exit_code == 2 and "FIELD=A,B" in bad.output


def test_a_folder_that_is_no_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "not a run folder" in result.output
