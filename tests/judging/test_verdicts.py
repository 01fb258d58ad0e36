"""Tests for globeval.judging.verdicts: arena-hard-auto's get_score rules."""

from __future__ import annotations

import re

import pytest

from globeval.judging.prompts import ARENA_HARD_V01
from globeval.judging.verdicts import accumulated, read_verdict

PATTERN = re.compile(ARENA_HARD_V01.verdict_pattern)


@pytest.mark.parametrize(
    ("text", "kind", "label"),
    [
        ("My final verdict is tie: [[A=B]]", "label", "A=B"),
        ("[[B>>A]]", "label", "B>>A"),
        ("First [[A>B]] and again [[A>B]].", "label", "A>B"),  # repeated label: one distinct
        ("No verdict here.", "none", None),
        ("[[]] is empty", "none", None),
        ("[[A>B]] then [[B>A]]", "contradictory", None),
        ("[[A]]", "label", "A"),  # matched, but not one of the five: the caller drops it
        ("[[a>b]]", "none", None),  # the pattern is case-sensitive, as in the reference
        ("verdict: [[A>B]", "none", None),
    ],
)
def test_read_verdict(text: str, kind: str, label: str | None) -> None:
    verdict = read_verdict(text, PATTERN)
    assert verdict.kind == kind
    assert verdict.label == label


def test_contradictory_lists_every_label_seen() -> None:
    assert read_verdict("[[A>B]] [[A=B]] [[A>B]]", PATTERN).seen == ("A>B", "A=B")


def test_accumulated_text_is_what_arena_hard_stores() -> None:
    assert accumulated(["first", "second"]) == "\nfirst\nsecond"
    # the retry's text is read together with the first attempt's
    assert read_verdict(accumulated(["[[A>B]]", "[[B>A]]"]), PATTERN).kind == "contradictory"
