"""`globeval languages`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from globeval.cli.main import app

runner = CliRunner()


def test_lists_a_benchmarks_languages() -> None:
    result = runner.invoke(app, ["languages", "--benchmark", "aya_redteaming", "--json"])
    assert result.exit_code == 0
    codes = {row["code"] for row in json.loads(result.stdout)}
    assert codes == {"en", "hi", "fr", "es", "ar", "ru", "sr", "tl"}


def test_looks_up_codes_in_any_form() -> None:
    result = runner.invoke(app, ["languages", "arb_Arab", "zh-TW"])
    assert result.exit_code == 0
    assert "Arabic" in result.output and "zho_Hant" in result.output


def test_unknown_language_and_benchmark_are_errors() -> None:
    assert runner.invoke(app, ["languages", "not a language!"]).exit_code == 2
    result = runner.invoke(app, ["languages", "--benchmark", "nope"])
    assert result.exit_code == 2 and "global_mmlu" in result.output
