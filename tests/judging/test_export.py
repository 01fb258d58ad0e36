"""Tests for globeval.judging.export: games in arena-hard-auto's model_judgment layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from globeval.judging.export import export_arena_hard


def game(qid: str, n: int, status: str, label: str | None, lang: str = "en") -> dict[str, Any]:
    return {
        "candidate": "our/model [x]",
        "language": lang,
        "question_id": qid,
        "game": n,
        "status": status,
        "parsed": label,
        "prompt": f"prompt {qid} {n}",
        "response": f"\njudgement {n}",
    }


def test_export_layout(tmp_path: Path) -> None:
    records = [
        game("q1", 1, "ok", "A>B"),
        game("q1", 2, "format_error", "A"),
        game("q2", 1, "ok", "B>>A"),
        game("q2", 2, "ok", "A=B"),
        game("q1", 1, "ok", "A=B", lang="fr"),
    ]
    [path] = export_arena_hard(records, "judge/../x", tmp_path, language="en")
    # names from users' files never escape the folder
    assert path.parent == tmp_path / "model_judgment" / "judge_.._x"
    assert path.name == "our_model_x.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["question_id"] for r in rows] == ["q1", "q2"]
    assert rows[0]["model"] == "our/model [x]" and rows[0]["judge"] == "judge/../x"
    assert [g["score"] for g in rows[0]["games"]] == ["A>B", None]  # dropped -> null
    assert [g["score"] for g in rows[1]["games"]] == ["B>>A", "A=B"]
    assert rows[1]["games"][0] == {
        "user_prompt": "prompt q2 1",
        "judgment": "\njudgement 1",
        "score": "B>>A",
    }
