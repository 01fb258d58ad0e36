"""Answers to judge: read from run folders, or imported from arena-hard-auto's answer files.

An m-ArenaHard run (`globeval run m_arenahard`) stores one row per prompt; `import_model_answers`
turns arena-hard-auto's `model_answer/<model>.jsonl` (fields question_id, model_id,
choices[0].turns[0].content) into the same kind of run folder, so both can be judged, and judged
again, the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from globeval import __version__
from globeval.data.errors import DataError, at
from globeval.data.files import Row, read_rows, sha256_of
from globeval.results.run_folder import (
    MANIFEST,
    SAMPLES_DIR,
    SUMMARY,
    read_json,
    read_samples,
    write_json,
    write_samples,
)
from globeval.results.stats import DEFAULT_RESAMPLES
from globeval.tasks.base import RunOptions
from globeval.tasks.m_arenahard import ArenaQuestion, MArenaHard, parse_question


@dataclass(frozen=True, slots=True)
class Answer:
    language: str
    question_id: str
    #: None when the answer could not be produced (the run's error says why)
    text: str | None
    question: str
    source: str
    error: str | None = None
    cluster: str = ""


@dataclass
class AnswerSet:
    model: str
    origin: str
    #: (language, question_id) -> answer, in the run's order
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    about: dict[str, Any] = field(default_factory=dict)


def _question_id(record: dict[str, Any]) -> str:
    extra = record.get("extra") or {}
    if extra.get("question_id"):
        return str(extra["question_id"])
    # failed samples carry no extra: the id is "<language>/<question_id>"
    return str(record["sample_id"]).split("/", 1)[-1]


def read_answer_run(run_dir: Path, task: str = MArenaHard.name) -> AnswerSet:
    """The answers of a run folder holding samples/<task>.parquet."""
    samples = run_dir / SAMPLES_DIR / f"{task}.parquet"
    if not samples.is_file():
        found = sorted(p.stem for p in (run_dir / SAMPLES_DIR).glob("*.parquet"))
        raise DataError(
            f"{run_dir}: no {task} answers (expected {samples}); "
            + (f"this run holds: {', '.join(found)}" if found else "not a run folder")
        )
    manifest = read_json(run_dir / MANIFEST) if (run_dir / MANIFEST).is_file() else {}
    summary = read_json(run_dir / SUMMARY) if (run_dir / SUMMARY).is_file() else {}
    model = str(summary.get("model") or manifest.get("model", {}).get("spec") or run_dir.name)
    answers: dict[tuple[str, str], Answer] = {}
    for record in read_samples(run_dir, task):
        qid = _question_id(record)
        key = (str(record["language"]), qid)
        if key in answers:
            raise DataError(f"{samples}: question {qid!r} appears twice for {key[0]}")
        ok = record["status"] == "ok"
        answers[key] = Answer(
            language=key[0],
            question_id=qid,
            text=str(record.get("response") or "") if ok else None,
            question=str(record.get("prompt") or ""),
            source=str(record.get("source") or samples),
            error=None if ok else str(record.get("error") or record["status"]),
            cluster=str((record.get("extra") or {}).get("cluster") or ""),
        )
    about = {
        "model": model,
        "run_dir": str(run_dir),
        "run": manifest.get("run"),
        "model_info": {
            k: manifest.get("model", {}).get(k)
            for k in ("spec", "embedded", "backend", "model_sha256", "imported_from")
            if manifest.get("model", {}).get(k) is not None
        },
        "options": manifest.get("options"),
    }
    return AnswerSet(model=model, origin=str(run_dir), answers=answers, about=about)


def _answer_text(row: Row) -> str:
    choices = row.data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise DataError(f"{at(row.source, row.index, 'choices')}: expected a list of choices")
    turns = choices[0].get("turns")
    if not isinstance(turns, list) or not turns or not isinstance(turns[0], dict):
        raise DataError(
            f"{at(row.source, row.index, 'choices')}: choices[0].turns must be a list of "
            "{content: ...}"
        )
    content = turns[0].get("content")
    if not isinstance(content, str):
        raise DataError(
            f"{at(row.source, row.index, 'choices')}: choices[0].turns[0].content is not text"
        )
    return content


def read_questions(path: Path) -> dict[str, ArenaQuestion]:
    """question_id -> question, from arena-hard's question.jsonl or an m-ArenaHard file."""
    return {q.question_id: q for q in (parse_question(row) for row in read_rows(path))}


def import_model_answers(
    path: Path,
    language: str,
    output_dir: Path,
    run_name: str | None = None,
    questions: Path | None = None,
    model: str | None = None,
    command: Sequence[str] = (),
) -> Path:
    """Write arena-hard-auto answers (`model_answer/<model>.jsonl`) as an m_arenahard run folder."""
    rows = read_rows(path)
    if not rows:
        raise DataError(f"{path}: no answers")
    known = read_questions(questions) if questions is not None else {}
    model_ids = {str(r.data.get("model_id") or "") for r in rows} - {""}
    if model is None:
        if len(model_ids) > 1:
            raise DataError(
                f"{path}: answers of several models ({', '.join(sorted(model_ids))}); "
                "give --model to name the one to import"
            )
        model = next(iter(model_ids), None) or path.stem.removeprefix("model_answer_")
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in rows:
        qid = row.data.get("question_id")
        if qid is None or str(qid).strip() == "":
            raise DataError(f"{at(row.source, row.index, 'question_id')}: missing or empty")
        qid = str(qid)
        if qid in seen:
            raise DataError(
                f"{at(row.source, row.index, 'question_id')}: {qid!r} already answered on "
                f"line {seen[qid]}"
            )
        seen[qid] = row.index
        text = _answer_text(row)
        question = known.get(qid)
        turn = row.data["choices"][0]["turns"][0]
        records.append(
            {
                "task": MArenaHard.name,
                "sample_id": f"{language}/{qid}",
                "language": language,
                "config": language,
                "status": "ok",
                "score": float(bool(text.strip())),
                "gold": None,
                "parsed": None,
                "prompt": question.prompt if question else "",
                "response": text,
                "error": None,
                "source": f"{row.source}:{row.index}",
                "extra": {
                    "question_id": qid,
                    "category": question.category if question else "",
                    "cluster": question.cluster if question else "",
                    "finish_reason": None,
                    "completion_tokens": turn.get("token_len"),
                    "answer_id": row.data.get("answer_id"),
                    "model_id": row.data.get("model_id"),
                    "imported": True,
                },
            }
        )
    missing = sorted(set(known) - set(seen))
    started = dt.datetime.now(dt.UTC)
    name = run_name or f"{started:%Y%m%d-%H%M%S}-m_arenahard-import-{_slug(model)}"
    run_dir = output_dir / name
    run_dir.mkdir(parents=True, exist_ok=True)
    task = MArenaHard(RunOptions(formulation="generative"))
    summary = {
        "run": name,
        "model": model,
        "tasks": {
            task.name: {
                "title": task.title + " (imported answers)",
                "metric": task.metric,
                **task.summarize(records, seed=1234, n_resamples=DEFAULT_RESAMPLES),
            }
        },
    }
    manifest = {
        "globeval_version": __version__,
        "run": name,
        "command": list(command),
        "started_at": started.isoformat(),
        "tasks": [task.name],
        "model": {
            "spec": model,
            "imported_from": {"path": str(path), "sha256": sha256_of(path), "rows": len(rows)},
        },
        "data": {
            task.name: {
                "language": language,
                "questions": (
                    {"path": str(questions), "sha256": sha256_of(questions)} if questions else None
                ),
                "questions_without_answer": missing,
            }
        },
    }
    write_samples(run_dir, task.name, records)
    write_json(run_dir / SUMMARY, summary)
    write_json(run_dir / MANIFEST, manifest)
    return run_dir


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)
    return keep.strip("-.")[:60] or "model"
