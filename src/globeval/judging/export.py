"""Judged games in arena-hard-auto's layout, for its tools (show_result.py, qa_browser.py).

`model_judgment/<judge>/<model>.jsonl`: one row per (candidate, prompt) with `question_id`,
`model`, `judge` and two `games` ({user_prompt, judgment, score}), game 1 with the baseline as
assistant A. A game that was not judged, or was dropped, has score null, as arena-hard writes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _file_name(model: str) -> str:
    """A safe file name for a model name (names come from users' files)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._")
    return (cleaned or "model")[:120]


def arena_hard_rows(
    records: Sequence[dict[str, Any]], judge: str
) -> dict[str, list[dict[str, Any]]]:
    """model -> rows, in the records' order (games 1 and 2 of a prompt side by side)."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for rec in records:
        key = (rec["candidate"], rec["language"], rec["question_id"])
        row = rows.setdefault(
            key,
            {
                "question_id": rec["question_id"],
                "model": rec["candidate"],
                "judge": judge,
                "language": rec["language"],
                "games": [None, None],
            },
        )
        label = rec["parsed"] if rec["status"] == "ok" else None
        row["games"][int(rec["game"]) - 1] = {
            "user_prompt": rec["prompt"],
            "judgment": rec["response"],
            "score": label,
        }
    out: dict[str, list[dict[str, Any]]] = {}
    for (model, _, _), row in rows.items():
        row["games"] = [
            g or {"user_prompt": "", "judgment": "", "score": None} for g in row["games"]
        ]
        out.setdefault(model, []).append(row)
    return out


def export_arena_hard(
    records: Sequence[dict[str, Any]], judge: str, out_dir: Path, language: str | None = None
) -> list[Path]:
    """Write `out_dir/model_judgment/<judge>/<model>.jsonl`; one language, or all of them."""
    chosen = [r for r in records if language is None or r["language"] == language]
    folder = out_dir / "model_judgment" / _file_name(judge)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for model, rows in arena_hard_rows(chosen, judge).items():
        path = folder / f"{_file_name(model)}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths
