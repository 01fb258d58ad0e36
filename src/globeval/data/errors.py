"""Errors about input data that name the file, row and field at fault."""

from __future__ import annotations


class DataError(ValueError):
    """Bad or missing input data; the message says where and how to fix it."""


def at(source: str, row: int | None = None, field: str | None = None) -> str:
    """`file: row 12, field 'answer'` — the prefix of every data error message."""
    where = source
    if row is not None:
        where += f": row {row}"
    if field is not None:
        where += f", field {field!r}"
    return where
