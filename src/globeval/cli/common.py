"""What every command shares: the app, the consoles and error handling."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from globeval import __version__

app = typer.Typer(
    name="globeval",
    help="Evaluate language models on multilingual benchmarks, per language, with confidence "
    "intervals. Runs offline on an embedded model; scales out to GPUs and servers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# wide tables when piped or captured: rich would wrap at 80 columns
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 140)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _version(value: bool) -> None:
    if value:
        out.print(f"globeval {__version__}")
        raise typer.Exit()
