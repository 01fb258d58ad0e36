"""Reading a verdict label out of a judgement, as arena-hard-auto's `get_score` does.

Every match of the pattern counts; empty matches are ignored. No match: ask once more (retry).
Exactly one distinct label: that label. Several distinct labels: the judgement contradicts
itself and is dropped, without a retry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

VerdictKind = Literal["label", "none", "contradictory"]


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    label: str | None = None
    #: every distinct label seen, in order (for the record when contradictory)
    seen: tuple[str, ...] = ()


def read_verdict(judgement: str, pattern: re.Pattern[str]) -> Verdict:
    matches = [m for m in pattern.findall(judgement) if m != ""]
    distinct = tuple(dict.fromkeys(matches))
    if not distinct:
        return Verdict("none")
    if len(distinct) == 1:
        return Verdict("label", matches[0].strip("\n"), distinct)
    return Verdict("contradictory", None, distinct)


def accumulated(attempts: list[str]) -> str:
    """The judgement text as arena-hard-auto keeps it: each attempt after a newline."""
    return "".join("\n" + text for text in attempts)
