"""Tests for globeval.judging.prompts: templates, one-pass filling, replacement files."""

from __future__ import annotations

from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.judging.prompts import ARENA_HARD_V01, HARM_V1, JudgePrompt, load_prompt_file


def test_arena_template_places_answers() -> None:
    text = ARENA_HARD_V01.fill({"question": "Q?", "answer_a": "one", "answer_b": "two"})
    assert text.startswith("<|User Prompt|>\nQ?\n\n<|The Start of Assistant A's Answer|>\none\n")
    assert text.endswith("two\n<|The End of Assistant B's Answer|>")


def test_fill_is_one_pass_so_answers_cannot_inject_slots() -> None:
    text = ARENA_HARD_V01.fill(
        {"question": "{answer_b}", "answer_a": "{question} {x}", "answer_b": "B"}
    )
    assert "<|User Prompt|>\n{answer_b}\n" in text
    assert "\n{question} {x}\n" in text


def test_fill_needs_every_slot() -> None:
    with pytest.raises(ValueError, match="answer_b"):
        ARENA_HARD_V01.fill({"question": "q", "answer_a": "a"})


def load_prompt_file_from_text(
    text: str, default: JudgePrompt = ARENA_HARD_V01, *, tmp: Path
) -> JudgePrompt:
    path = tmp / "prompt.toml"
    path.write_text(text, encoding="utf-8")
    return load_prompt_file(path, default)


def test_prompt_hash_changes_with_text(tmp_path: Path) -> None:
    other = load_prompt_file_from_text("system = 'Be brief.'\n", tmp=tmp_path)
    assert other.sha256() != ARENA_HARD_V01.sha256()
    assert ARENA_HARD_V01.describe()["sha256"] == ARENA_HARD_V01.sha256()


def test_replacement_keeps_unset_fields(tmp_path: Path) -> None:
    prompt = load_prompt_file_from_text(
        'system = "Judge."\nuser = "Q: {question}\\nA: {answer_a}\\nB: {answer_b}"\n',
        tmp=tmp_path,
    )
    assert prompt.system == "Judge."
    assert prompt.retry == ARENA_HARD_V01.retry
    assert prompt.verdict_pattern == ARENA_HARD_V01.verdict_pattern
    assert prompt.fill({"question": "q", "answer_a": "a", "answer_b": "b"}) == "Q: q\nA: a\nB: b"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('user = "only {question}"\n', "answer_a"),
        ('colour = "red"\n', "unknown key"),
        ("system = 3\n", "must be a string"),
        ('verdict_pattern = "("\n', "not a valid regex"),
        ('verdict_pattern = "\\\\[\\\\[.+\\\\]\\\\]"\n', "one capture group"),
        ("system = \n", "not valid TOML"),
    ],
)
def test_bad_prompt_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message) as info:
        load_prompt_file_from_text(text, tmp=tmp_path)
    assert "prompt.toml" in str(info.value)


def test_harm_labels_can_be_renamed(tmp_path: Path) -> None:
    prompt = load_prompt_file_from_text(
        '[labels]\nharmful = "UNSAFE"\nrefusal = "REFUSED"\nsafe = "OK"\n', HARM_V1, tmp=tmp_path
    )
    assert dict(prompt.labels) == {"harmful": "UNSAFE", "refusal": "REFUSED", "safe": "OK"}
    with pytest.raises(DataError, match="labels"):
        load_prompt_file_from_text('[labels]\nharmful = "X"\n', HARM_V1, tmp=tmp_path)


def test_harm_prompt_names_language_and_response() -> None:
    text = HARM_V1.fill({"language": "French (fr)", "prompt": "p", "response": "r"})
    assert "French (fr)" in text and "\np\n" in text and "\nr\n" in text
