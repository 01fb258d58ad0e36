"""Test-set prompts and completion files in the reference repository's CSV layouts.

Files are read as the reference script reads them (`open()` in universal-newline mode), so
"\\r\\n" inside a quoted field arrives as "\\n": line splits, and so scores, match.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from globeval.data.errors import DataError, at

TASKS = ("monolingual", "crosslingual")
#: folder name -> the value of the `source` column in its files (and in completion files)
SOURCES: dict[str, dict[str, str]] = {
    "monolingual": {
        "aya": "aya_human_annotated",
        "dolly": "dolly_human_edited",
        "native": "native_prompts",
        "okapi": "okapi",
    },
    "crosslingual": {
        "complex_prompts": "complex_prompts",
        "okapi": "okapi",
        "sharegpt": "sharegpt",
    },
}
# fmt: off
CROSSLINGUAL_LANGUAGES = (
    "ar", "de", "es", "fr", "hi", "id", "it", "ja", "ko", "pt", "ru", "tr", "vi", "zh",
)
# fmt: on
MONOLINGUAL_LANGUAGES = {
    "aya": ("ar", "en", "pt", "tr", "zh"),
    "dolly": ("ar", "es", "fr", "hi", "ru"),
    "native": ("es", "fr", "ja", "ko"),
    "okapi": ("ar", "de", "en", "es", "fr", "id", "it", "pt", "vi", "zh"),
}
LANGUAGES = tuple(sorted({*CROSSLINGUAL_LANGUAGES, "en"}))
OUTPUT_COLUMNS = ("model", "completion", "task", "source", "language")


@dataclass(frozen=True, slots=True)
class Prompt:
    task: str  # monolingual | crosslingual
    folder: str  # the source's folder name: aya, dolly, native, okapi, sharegpt, complex_prompts
    source: str  # the source as completion files name it: aya_human_annotated, okapi, ...
    language: str  # the language the answer must be in
    prompt: str
    file: str
    row: int
    location: str = ""  # crosslingual: where the instruction sits (Start, Middle, End)
    phrasing: str = ""  # crosslingual: the instruction's template


@dataclass(frozen=True, slots=True)
class Completion:
    id: str
    model: str
    completion: str
    task: str
    source: str
    language: str
    file: str
    row: int


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            yield 0, {name: "" for name in reader.fieldnames or ()}
            # row numbers count records, the header being row 1 (as globeval.data.files does)
            yield from enumerate(reader, start=2)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc})") from exc
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV ({exc})") from exc


def _selected(value: str, wanted: Iterable[str] | None) -> bool:
    return wanted is None or value in wanted


def source_folders(task: str, sources: Iterable[str] | None) -> list[str]:
    """The folders of `task` matching `sources` (folder names or `source` column values)."""
    known = SOURCES[task]
    if sources is None:
        return sorted(known)
    wanted = set(sources)
    return sorted(f for f, name in known.items() if f in wanted or name in wanted)


def check_filters(tasks: Iterable[str], sources: Iterable[str] | None) -> None:
    for task in tasks:
        if task not in TASKS:
            raise DataError(f"lcb: unknown task {task!r}; known: {', '.join(TASKS)}")
    if sources is not None:
        known = {n for t in TASKS for f, name in SOURCES[t].items() for n in (f, name)}
        unknown = sorted(set(sources) - known)
        if unknown:
            raise DataError(
                f"lcb: unknown source(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )


def load_prompts(
    root: Path,
    tasks: Iterable[str] = TASKS,
    sources: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> list[Prompt]:
    """Prompts under `root` (the unzipped test_sets folder), in task/source/language order;
    files a local copy lacks are simply absent (the bundled sample has a few)."""
    tasks = list(tasks)
    check_filters(tasks, sources)
    wanted_languages = set(languages) if languages is not None else None
    out: list[Prompt] = []
    for task in tasks:
        for folder in source_folders(task, sources):
            for path in sorted((root / task / folder).glob("*.csv")):
                if not _selected(path.stem, wanted_languages):
                    continue
                out.extend(_read_prompts(path, task, folder))
    return out


def _read_prompts(path: Path, task: str, folder: str) -> list[Prompt]:
    rows = _rows(path)
    _, header = next(rows)
    for column in ("prompt", "language"):
        if column not in header:
            raise DataError(f"{path}: missing column {column!r}")
    out = []
    for line, rec in rows:
        prompt, language = rec.get("prompt"), (rec.get("language") or "").strip()
        if not prompt or not prompt.strip():
            raise DataError(f"{at(str(path), line, 'prompt')}: empty prompt")
        if language != path.stem:
            raise DataError(
                f"{at(str(path), line, 'language')}: {language!r} in a file named {path.name}"
            )
        out.append(
            Prompt(
                task=task,
                folder=folder,
                source=(rec.get("source") or "").strip() or SOURCES[task][folder],
                language=language,
                prompt=prompt,
                file=str(path),
                row=line,
                location=(rec.get("location") or "").strip(),
                phrasing=(rec.get("phrasing") or "").strip(),
            )
        )
    return out


def read_completions(path: Path) -> list[Completion]:
    """A completion file (`id, model, completion, task, source, language`, as the reference's
    outputs/); every row must name its model, task, source and language. Rows are numbered as
    records, the header being row 1 (as globeval.data.files does); blank lines are skipped, as
    csv.DictReader skips them."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8") as fh:
            return _completions(path, csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc})") from exc
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV ({exc})") from exc


def _completions(path: Path, reader: Iterator[list[str]]) -> list[Completion]:
    header = next(reader, [])
    column = {name: i for i, name in enumerate(header)}  # the last of duplicates, as DictReader
    missing = [c for c in OUTPUT_COLUMNS if c not in column]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)} "
            f"(expected id, {', '.join(OUTPUT_COLUMNS)})"
        )
    named = [(name, column[name]) for name in ("model", "task", "source", "language")]
    i_id, i_completion = column.get("id"), column["completion"]
    i_model, i_task, i_source, i_language = (i for _, i in named)
    width = max(column.values()) + 1
    file = str(path)
    out = []
    line = 1
    for row in reader:
        if not row:
            continue
        line += 1
        if len(row) < width or not (
            row[i_model].strip()
            and row[i_task].strip()
            and row[i_source].strip()
            and row[i_language].strip()
        ):
            for name, i in named:
                if i >= len(row) or not row[i].strip():
                    raise DataError(f"{at(file, line, name)}: empty")
            if i_completion >= len(row):
                raise DataError(f"{at(file, line, 'completion')}: missing (short row)")
        ident = row[i_id] if i_id is not None and i_id < len(row) else ""
        out.append(
            Completion(
                id=ident or str(line),
                model=row[i_model],
                completion=row[i_completion],
                task=row[i_task],
                source=row[i_source],
                language=row[i_language],
                file=file,
                row=line,
            )
        )
    return out


def read_run_completions(run_dir: Path) -> tuple[list[Completion], int]:
    """The generations of a globeval run's `lcb` task, to score again (another LID model, word
    list...); returns them and the number of samples whose generation had failed."""
    from globeval.results.run_folder import SAMPLES_DIR, SUMMARY, read_json, read_samples

    if not (run_dir / SAMPLES_DIR / "lcb.parquet").is_file():
        raise DataError(f"{run_dir}: not a run folder with lcb samples ({SAMPLES_DIR}/lcb.parquet)")
    model = str(read_json(run_dir / SUMMARY).get("model") or run_dir.name)
    out, failed = [], 0
    for i, rec in enumerate(read_samples(run_dir, "lcb")):
        if rec["status"] == "failed":
            failed += 1
            continue
        out.append(
            Completion(
                id=str(rec["sample_id"]),
                model=model,
                completion=rec["response"] or "",
                task=str(rec.get("setting") or ""),
                source=str(rec.get("dataset") or ""),
                language=str(rec["language"]),
                file=str(run_dir),
                row=i,
            )
        )
    return out, failed
