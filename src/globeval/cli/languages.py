"""`globeval languages`: the language metadata every analysis uses."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from globeval.cli.common import _fail, app, out


@app.command("languages")
def list_languages(
    codes: Annotated[
        list[str] | None,
        typer.Argument(help="Codes or names to look up (ISO 639-1/3, FLORES-200, BCP 47, name)."),
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option("--benchmark", "-b", help="Only the languages of this benchmark."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List languages with ISO 639-1/3, FLORES-200, script, family and resource class
    (Joshi et al. 2020: 0 = left behind ... 5 = winners)."""
    from globeval.languages import UnknownLanguage, all_languages, lookup

    if codes:
        try:
            langs = [lookup(c) for c in codes]
        except UnknownLanguage as exc:
            raise _fail(str(exc).strip("'\"")) from None
    else:
        langs = list(all_languages())
    if benchmark:
        langs = [lang for lang in langs if benchmark in lang.benchmarks]
        if not langs:
            known = sorted({b for lang in all_languages() for b in lang.benchmarks})
            raise _fail(f"no languages for benchmark {benchmark!r}; known: {', '.join(known)}")
    if as_json:
        print(json.dumps([asdict(lang) for lang in langs], indent=2, ensure_ascii=False))
        return
    table = Table(title=f"languages ({len(langs)})", title_justify="left")
    for column in (
        "code",
        "name",
        "639-1",
        "639-3",
        "FLORES-200",
        "script",
        "family",
        "class",
        "benchmarks",
    ):
        table.add_column(column)
    for lang in langs:
        table.add_row(
            escape(lang.code),
            escape(lang.name),
            lang.iso639_1 or "-",
            lang.iso639_3,
            lang.flores200 or "-",
            f"{lang.script} ({escape(lang.script_name)})",
            lang.family or "?",
            "?" if lang.resource_class is None else str(lang.resource_class),
            " ".join(lang.benchmarks) or ("(not in the table)" if not lang.known else "-"),
        )
    out.print(table)
