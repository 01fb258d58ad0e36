"""Tests for globeval.judging.answers: reading answer runs and importing arena-hard answers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.judging.answers import import_model_answers, read_answer_run
from globeval.results.run_folder import read_json
from tests.judging.answer_runs import write_answer_run

SHARED = Path(
    os.environ.get("GLOBEVAL_SHARED_DATA") or Path(__file__).parents[3] / "shared" / "data"
)


def answer_line(qid: str, text: str, model: str = "m1", **extra: object) -> str:
    row = {
        "question_id": qid,
        "answer_id": f"a-{qid}",
        "model_id": model,
        "choices": [{"index": 0, "turns": [{"content": text, "token_len": 3}]}],
        "tstamp": 1.0,
        **extra,
    }
    return json.dumps(row)


def test_read_answer_run_keeps_failures(tmp_path: Path) -> None:
    run = write_answer_run(tmp_path / "r", "m", {("en", "q1"): "hi", ("fr", "q1"): None})
    answers = read_answer_run(run)
    assert answers.model == "m"
    assert answers.answers[("en", "q1")].text == "hi"
    failed = answers.answers[("fr", "q1")]
    assert failed.text is None and failed.error and "out of memory" in failed.error


def test_import_writes_a_run_folder(tmp_path: Path) -> None:
    answers = tmp_path / "m1.jsonl"
    answers.write_text(answer_line("q1", "one") + "\n" + answer_line("q2", "two") + "\n")
    questions = tmp_path / "question.jsonl"
    questions.write_text(
        json.dumps({"question_id": "q1", "cluster": "c", "turns": [{"content": "First?"}]}) + "\n"
    )
    run = import_model_answers(answers, "de", tmp_path / "runs", questions=questions)
    got = read_answer_run(run)
    assert got.model == "m1"
    assert got.answers[("de", "q1")].question == "First?"
    assert got.answers[("de", "q2")].question == ""
    assert got.answers[("de", "q2")].text == "two"
    manifest = read_json(run / "manifest.json")
    assert manifest["model"]["imported_from"]["rows"] == 2
    assert len(manifest["model"]["imported_from"]["sha256"]) == 64
    summary = read_json(run / "summary.json")
    assert summary["tasks"]["m_arenahard"]["counts"]["ok"] == 2


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([answer_line("q1", "a"), answer_line("q1", "b")], "already answered on line 1"),
        (['{"question_id": "q1", "choices": []}'], "row 1, field 'choices'"),
        (['{"choices": [{"turns": [{"content": "x"}]}]}'], "field 'question_id'"),
        (['{"question_id": "q", "choices": [{"turns": [{"content": 5}]}]}'], "is not text"),
        ([answer_line("q1", "a"), "{not json"], "line 2: invalid JSON"),
        ([answer_line("q1", "a", "m1"), answer_line("q2", "b", "m2")], "several models"),
    ],
)
def test_import_errors_name_file_and_line(tmp_path: Path, lines: list[str], message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=message) as info:
        import_model_answers(path, "en", tmp_path / "runs")
    assert "bad.jsonl" in str(info.value)


def test_import_the_shared_gpt4_baseline(tmp_path: Path) -> None:
    folder = SHARED / "arena_hard_v0.1"
    if not (folder / "model_answer_gpt-4-0314.jsonl").is_file():
        pytest.skip(f"shared arena-hard data not present at {folder}")
    run = import_model_answers(
        folder / "model_answer_gpt-4-0314.jsonl",
        "en",
        tmp_path / "runs",
        questions=folder / "question.jsonl",
    )
    got = read_answer_run(run)
    assert got.model == "gpt-4-0314"
    assert len(got.answers) == 500
    assert all(a.question and a.text for a in got.answers.values())
