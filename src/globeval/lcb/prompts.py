"""Prompts as the paper sent them: the chat template for chat models, and for base models the
reference's Q/A format with 0 to 5 solved examples per language.

Base-model prompt (the reference's `turns_to_prompt`): each user turn "Q: {msg}\\n", each
answer "A: {msg}\\n\\n", the prompt ends with "A:" and is stripped of leading and trailing line
breaks. The examples are the repository's `few_shot_prompting.py`, read as data (its dict
literals are parsed with `ast.literal_eval`, never executed), or the same examples as JSON.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

from globeval.data.errors import DataError

EXAMPLE_SETS = ("few_shot_examples_monolingual", "few_shot_examples_crosslingual")
ROLES = {"User": "user", "Chatbot": "assistant"}
MAX_SHOTS = 5


@dataclass(frozen=True, slots=True)
class Turn:
    role: str  # User | Chatbot, as the reference names them
    message: str


#: task (monolingual | crosslingual) -> language -> turns (user, chatbot, user, ...)
FewShotExamples = dict[str, dict[str, tuple[Turn, ...]]]


def _literal_assignments(source: str, where: str) -> dict[str, object]:
    try:
        tree = ast.parse(source, filename=where)
    except SyntaxError as exc:
        raise DataError(f"{where}: not Python source ({exc.msg}, line {exc.lineno})") from exc
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in EXAMPLE_SETS:
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except ValueError as exc:
                    raise DataError(
                        f"{where}: line {node.lineno}: {target.id} is not a literal"
                    ) from exc
    return found


def load_fewshot_examples(path: Path) -> FewShotExamples:
    """Examples from the repository's few_shot_prompting.py or from JSON with the same names."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            raw: object = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    else:
        raw = _literal_assignments(text, str(path))
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected an object with {' and '.join(EXAMPLE_SETS)}")
    out: FewShotExamples = {}
    for name in EXAMPLE_SETS:
        task = name.removeprefix("few_shot_examples_")
        by_language = raw.get(name)
        if not isinstance(by_language, dict):
            raise DataError(f"{path}: missing {name}")
        out[task] = {
            str(lang): _turns(turns, f"{path}: {name}[{lang!r}]")
            for lang, turns in by_language.items()
        }
    return out


def _turns(value: object, where: str) -> tuple[Turn, ...]:
    if not isinstance(value, list):
        raise DataError(f"{where}: expected a list of turns")
    turns = []
    for i, turn in enumerate(value):
        if not (
            isinstance(turn, dict)
            and turn.get("role") in ROLES
            and isinstance(turn.get("message"), str)
        ):
            raise DataError(f"{where}[{i}]: expected {{'role': 'User'|'Chatbot', 'message': str}}")
        turns.append(Turn(turn["role"], turn["message"]))
    return tuple(turns)


def shots(examples: FewShotExamples | None, task: str, language: str, k: int) -> tuple[Turn, ...]:
    """The first k solved examples (2k turns) for a task and target language."""
    if k == 0:
        return ()
    if not 0 < k <= MAX_SHOTS:
        raise DataError(f"lcb: {k}-shot asked for; the reference has 0 to {MAX_SHOTS} examples")
    if examples is None or language not in examples.get(task, {}):
        raise DataError(f"lcb: no {task} few-shot examples for language {language!r}")
    turns = examples[task][language][: 2 * k]
    if len(turns) < 2 * k:
        raise DataError(f"lcb: only {len(turns) // 2} {task} examples for {language!r}")
    return turns


def turns_to_prompt(turns: tuple[Turn, ...]) -> str:
    """The reference's base-model prompt: "Q: ...\\nA: ...\\n\\nQ: ...\\nA:"."""
    prompt = ""
    for turn in turns:
        if turn.role == "User":
            prompt += f"Q: {turn.message}\n"
        else:
            prompt += f"A: {turn.message}\n\n"
    if turns and turns[-1].role == "User":
        prompt += "A:"
    return prompt.strip("\n")
