"""A language identifier with known answers, and small word lists, for rule-by-rule tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from globeval.lcb.metrics import LanguageConfusionScorer
from globeval.lcb.tokenizers import LineTokenizer

#: every line containing one of these words gets that (label, probability); others: ("en", 0.9)
MARKERS = {
    "bonjour": ("fr", 0.95),
    "zhline": ("zh", 0.99),
    "测试": ("zh", 0.99),
    "arline": ("ar", 0.99),
    "borderline": ("fr", 0.3),
    "justabove": ("fr", 0.3001),
}


class MarkerLID:
    """Decides a line's language by marker words; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def predict(self, line: str) -> tuple[str, float]:
        self.asked.append(line)
        for marker, answer in MARKERS.items():
            if marker in line:
                return answer
        return ("en", 0.9)

    def predict_many(self, lines: Sequence[str]) -> list[tuple[str, float]]:
        return [self.predict(line) for line in lines]


def write_words(folder: Path, words: list[str]) -> Path:
    path = folder / "words"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    return path


def marker_scorer(english: set[str] | None = None) -> tuple[LanguageConfusionScorer, MarkerLID]:
    lid = MarkerLID()
    words = frozenset(english) if english is not None else None
    return LanguageConfusionScorer(lid, words, LineTokenizer()), lid
