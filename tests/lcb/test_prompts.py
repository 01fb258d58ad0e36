"""Few-shot examples read as data, and the reference's Q/A prompt format."""

from __future__ import annotations

from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.lcb.prompts import Turn, load_fewshot_examples, shots, turns_to_prompt

MODULE = '''
"""Examples."""
import os
os.system("touch {marker}")
few_shot_examples_monolingual = {{
    'fr': [{{'role': 'User', 'message': 'Salut ?'}}, {{'role': 'Chatbot', 'message': 'Bonjour !'}},
           {{'role': 'User', 'message': 'Ça va ?'}}, {{'role': 'Chatbot', 'message': 'Oui.'}}],
}}
few_shot_examples_crosslingual = {{
    'fr': [{{'role': 'User', 'message': 'Reply in French. Hi?'}},
           {{'role': 'Chatbot', 'message': 'Salut !'}}],
}}
def turns_to_prompt(turns):
    open("{marker}", "w")
'''


def test_examples_are_parsed_as_literals_and_the_module_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "few_shot_prompting.py"
    path.write_text(MODULE.format(marker=marker), encoding="utf-8")
    examples = load_fewshot_examples(path)
    assert not marker.exists()
    assert examples["monolingual"]["fr"][:2] == (
        Turn("User", "Salut ?"),
        Turn("Chatbot", "Bonjour !"),
    )
    assert examples["crosslingual"]["fr"][1].message == "Salut !"


def test_a_non_literal_or_malformed_example_set_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "few.py"
    path.write_text("few_shot_examples_monolingual = dict(fr=[])\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 1: few_shot_examples_monolingual is not a literal"):
        load_fewshot_examples(path)
    path.write_text(
        "few_shot_examples_monolingual = {'fr': [{'role': 'Bot', 'message': 'x'}]}\n"
        "few_shot_examples_crosslingual = {}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"few_shot_examples_monolingual\['fr'\]\[0\]"):
        load_fewshot_examples(path)
    bad_json = tmp_path / "few.json"
    bad_json.write_text("{", encoding="utf-8")
    with pytest.raises(DataError, match=r"few.json: invalid JSON"):
        load_fewshot_examples(bad_json)


def test_the_published_examples_as_json(shared_data: Path) -> None:
    examples = load_fewshot_examples(shared_data / "lcb" / "few_shot_examples.json")
    assert len(examples["monolingual"]) == 15 and len(examples["crosslingual"]) == 14
    assert all(len(turns) == 10 for turns in examples["crosslingual"].values())
    assert examples["crosslingual"]["ar"][0].message.startswith("Write your answer in Turkish.")


def test_q_a_prompt_matches_the_reference_format() -> None:
    turns = (
        Turn("User", "Hi?"),
        Turn("Chatbot", "Hello."),
        Turn("User", "Reply in French. Why?"),
    )
    assert turns_to_prompt(turns) == "Q: Hi?\nA: Hello.\n\nQ: Reply in French. Why?\nA:"
    # messages are not stripped: only the whole prompt loses its outer line breaks
    assert turns_to_prompt((Turn("User", "\nWhy?\n"),)) == "Q: \nWhy?\n\nA:"
    # a conversation ending with an answer gets no trailing "A:"; line breaks are stripped
    assert turns_to_prompt(turns[:2]) == "Q: Hi?\nA: Hello."


def test_k_shots_take_the_first_k_example_pairs() -> None:
    examples = {
        "crosslingual": {
            "fr": tuple(Turn("User" if i % 2 == 0 else "Chatbot", str(i)) for i in range(10))
        }
    }
    assert shots(examples, "crosslingual", "fr", 0) == ()
    assert [t.message for t in shots(examples, "crosslingual", "fr", 1)] == ["0", "1"]
    assert len(shots(examples, "crosslingual", "fr", 5)) == 10
    with pytest.raises(DataError, match="0 to 5"):
        shots(examples, "crosslingual", "fr", 6)
    with pytest.raises(DataError, match="no crosslingual few-shot examples for language 'en'"):
        shots(examples, "crosslingual", "en", 1)
    assert shots(None, "crosslingual", "fr", 0) == ()
