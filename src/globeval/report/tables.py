"""Tables for papers: tidy CSV (every column, full precision) and Markdown (percent with CIs)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd


def fmt_ci(value: Any, low: Any, high: Any, scale: float = 100.0, signed: bool = False) -> str:
    def num(x: Any) -> float:
        return float("nan") if x is None else float(x)

    v, lo, hi = num(value), num(low), num(high)
    if math.isnan(v):
        return "-"
    sign = "+" if signed else ""
    text = f"{scale * v:{sign}.1f}"
    if not (math.isnan(lo) or math.isnan(hi)):
        text += f" [{scale * lo:{sign}.1f}, {scale * hi:{sign}.1f}]"
    return text


def languages_wide(languages: pd.DataFrame) -> pd.DataFrame:
    """One row per language, one column per (task, run): 'value [low, high]' in percent."""
    if languages.empty:
        return pd.DataFrame()
    frame = languages.assign(
        resource_class=languages["resource_class"].map(
            lambda c: "?" if pd.isna(c) else str(int(c))
        ),
        script=languages["script"].fillna("?"),
        language_name=languages["language_name"].fillna(""),
        cell=[
            fmt_ci(v, lo, hi)
            for v, lo, hi in zip(
                languages["value"], languages["ci_low"], languages["ci_high"], strict=True
            )
        ],
        column=languages["task"] + " · " + languages["run"],
    )
    wide = frame.pivot_table(
        index=["language", "language_name", "script", "resource_class"],
        columns="column",
        values="cell",
        aggfunc="first",
    )
    wide = wide[list(dict.fromkeys(frame["column"]))].fillna("-").reset_index()
    return wide.rename(columns={"language_name": "name", "resource_class": "class"})


def markdown(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(no rows)\n"
    text: str = frame.to_markdown(index=False)
    return text + "\n"


def write_tables(folder: Path, tables: dict[str, tuple[pd.DataFrame, pd.DataFrame]]) -> list[Path]:
    """Write each table as NAME.csv (tidy) and NAME.md (formatted); returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (tidy, formatted) in tables.items():
        if tidy.empty:
            continue
        csv_path = folder / f"{name}.csv"
        tidy.to_csv(csv_path, index=False)
        md_path = folder / f"{name}.md"
        md_path.write_text(markdown(formatted), encoding="utf-8")
        written += [csv_path, md_path]
    return written
