"""`globeval compare`: tables, JSON and the CI gate's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from globeval.cli.main import app
from tests.synthetic_runs import base_and_other

runner = CliRunner()


def test_prints_changes_and_flags_regressions(tmp_path: Path) -> None:
    base, other = base_and_other(tmp_path)
    result = runner.invoke(app, ["compare", str(base), str(other), "--bootstrap", "300"])
    assert result.exit_code == 0, result.output
    assert "-50.0%" in result.output and "regression" in result.output
    assert "+100.0%" in result.output and "improvement" in result.output
    assert "unscored in other" in result.output
    assert "num_fewshot differs" in result.output


def test_gate_fails_on_a_large_significant_drop(tmp_path: Path) -> None:
    base, other = base_and_other(tmp_path)
    args = ["compare", str(base), str(other), "--bootstrap", "300"]
    failed = runner.invoke(app, [*args, "--fail-if-drop", "10"])
    assert failed.exit_code == 1
    assert "gate failed" in failed.output
    passed = runner.invoke(app, [*args, "--fail-if-drop", "60"])
    assert passed.exit_code == 0
    assert "gate passed" in passed.output


def test_json_output(tmp_path: Path) -> None:
    base, other = base_and_other(tmp_path)
    result = runner.invoke(
        app,
        ["compare", str(base), str(other), "--json", "--bootstrap", "200", "--fail-if-drop", "60"],
    )
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    hi = next(r for r in payload["languages"] if r["language"] == "hi")
    assert hi["flag"] == "regression"
    assert payload["gate"]["failing"] == []


def test_a_bad_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(tmp_path), str(tmp_path)])
    assert result.exit_code == 2
    assert "not a run folder" in result.output
