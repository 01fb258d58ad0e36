"""Answer run folders written by tests, in the layout `globeval run m_arenahard` writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from globeval.results.run_folder import MANIFEST, SUMMARY, write_json, write_samples


def write_answer_run(
    folder: Path,
    model: str,
    answers: dict[tuple[str, str], str | None],
    questions: dict[str, str] | None = None,
    task: str = "m_arenahard",
) -> Path:
    """answers: (language, question_id) -> text, or None for a sample that failed."""
    records: list[dict[str, Any]] = []
    for (lang, qid), text in answers.items():
        ok = text is not None
        records.append(
            {
                "task": task,
                "sample_id": f"{lang}/{qid}",
                "language": lang,
                "config": lang,
                "status": "ok" if ok else "failed",
                "score": 1.0 if ok else None,
                "gold": None,
                "parsed": None,
                "prompt": (questions or {}).get(qid, f"Question {lang}/{qid}?") if ok else "",
                "response": text or "",
                "error": None if ok else "RuntimeError: out of memory",
                "source": f"test:{qid}",
                "extra": {"question_id": qid, "finish_reason": "stop"} if ok else {},
            }
        )
    folder.mkdir(parents=True, exist_ok=True)
    write_samples(folder, task, records)
    write_json(folder / SUMMARY, {"run": folder.name, "model": model, "tasks": {}})
    write_json(folder / MANIFEST, {"run": folder.name, "model": {"spec": model}})
    return folder


def quality_answers(
    qualities: dict[tuple[str, str], int | None], who: str
) -> dict[tuple[str, str], str | None]:
    return {
        key: None if q is None else f"{who} answer with quality={q}" for key, q in qualities.items()
    }
