"""LPR, WPR and LCPR exactly as the reference `compute_metrics.py` (for-ai/language-confusion
@ 0cfdbb4a) computes them.

Per completion:
  text  = completion.split("\\nQ:")[0].strip(), then every character of string.punctuation
          deleted, "—" replaced by a space and "،" deleted; lines = text.split("\\n")
  kept  = lines with at least 5 tokens (jieba for zh, fugashi for ja, whitespace otherwise);
          a completion with no kept line is skipped: it is in no denominator
  line  = fastText's top-1 label when its probability is > 0.3, else "unknown" (always wrong);
          the completion fails the line level when any kept line's language is not the target
  word  = a completion that passes the line level fails the word level when any token
          (stripped) is in the English word set {w in word list: w.islower() and len(w) > 3}

Per (source, language) cell:
  LPR = 1 - line failures / max(1, non-skipped)
  WPR = 1 - word failures / max(1, non-skipped - line failures), only for ar hi ja ko ru zh
  acc = mean over non-skipped completions of (1 - wrong lines / kept lines), 1.0 when none
Averages, each a plain mean over what it averages (WPR where defined): per source over its
cells, per language over its cells, overall over the per-language averages.
LCPR (the paper's summary) = harmonic mean of LPR and WPR, where WPR is defined.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

from globeval.lcb.parallel import map_batches
from globeval.lcb.tokenizers import LineScan, LineTokenizer

R = TypeVar("R")

#: the reference reports WPR only for these: word-level checks are unreliable in Latin script
WPR_LANGUAGES = frozenset({"ar", "hi", "ja", "ko", "ru", "zh"})
LID_THRESHOLD = 0.3
UNKNOWN = "unknown"
ALL = "all"

# string.punctuation is ASCII, and no byte of a multi-byte UTF-8 sequence is: deleting its bytes
# from the UTF-8 encoding deletes exactly what str.translate deletes, several times faster
_PUNCTUATION = string.punctuation.encode()
_DASH, _ARABIC_COMMA = "—".encode(), "،".encode()


def normalize(text: str) -> str:
    text = text.split("\nQ:")[0].strip()
    raw = text.encode("utf-8", "surrogatepass").translate(None, _PUNCTUATION)
    return raw.replace(_DASH, b" ").replace(_ARABIC_COMMA, b"").decode("utf-8", "surrogatepass")


def load_english_words(path: Path) -> frozenset[str]:
    """The reference's word set: lowercase entries longer than three characters."""
    with path.open(encoding="utf-8") as fh:
        words = (line.strip() for line in fh)
        return frozenset(w for w in words if w.islower() and len(w) > 3)


class LanguageIdentifier(Protocol):
    def predict_many(self, lines: Sequence[str]) -> list[tuple[str, float]]: ...


class Outcome(Protocol):
    """What a cell's figures need of each completion (a verdict, or a stored record of one)."""

    @property
    def skipped(self) -> bool: ...
    @property
    def line_pass(self) -> bool | None: ...
    @property
    def word_pass(self) -> bool | None: ...
    @property
    def acc(self) -> float | None: ...


class LineVerdict(NamedTuple):
    """A kept line: its text (after normalization), the LID's top label and probability, and
    the language it counts as (`unknown` when the probability is 0.3 or less). A named tuple:
    a batch makes hundreds of thousands, and they build and pickle several times faster than
    frozen dataclasses."""

    text: str
    label: str
    probability: float

    @property
    def language(self) -> str:
        return self.label if self.probability > LID_THRESHOLD else UNKNOWN


class CompletionOutcome(NamedTuple):
    """What a cell's figures need of a completion, and nothing more (see `Outcome`)."""

    skipped: bool
    line_pass: bool | None
    word_pass: bool | None
    acc: float | None


@dataclass(frozen=True, slots=True)
class CompletionVerdict:
    """Why a completion passed or failed: its kept lines and the English words found."""

    language: str
    lines: tuple[LineVerdict, ...]
    #: English words in the kept lines, for WPR languages when a word list is loaded; else None
    english_words: tuple[str, ...] | None
    #: lines dropped for having fewer than 5 tokens
    dropped_lines: int = 0

    @property
    def skipped(self) -> bool:
        return not self.lines

    @property
    def line_errors(self) -> int:
        return _line_errors(self.language, ((line.label, line.probability) for line in self.lines))

    @property
    def line_pass(self) -> bool | None:
        return None if self.skipped else self.line_errors == 0

    @property
    def word_pass(self) -> bool | None:
        """None when the word level does not apply: skipped, failed at the line level, not a
        WPR language, or no word list."""
        if not self.line_pass or self.english_words is None:
            return None
        return not self.english_words

    @property
    def acc(self) -> float | None:
        return None if self.skipped else 1 - self.line_errors / len(self.lines)

    def outcome(self) -> CompletionOutcome:
        english = None if self.english_words is None else bool(self.english_words)
        return _outcome(len(self.lines), self.line_errors, english)

    def to_dict(self) -> dict[str, Any]:
        return {
            "skipped": self.skipped,
            "line_pass": self.line_pass,
            "word_pass": self.word_pass,
            "line_errors": self.line_errors,
            "acc": self.acc,
            "dropped_lines": self.dropped_lines,
            "lines": [
                {
                    "text": line.text,
                    "label": line.label,
                    "probability": round(line.probability, 6),
                    "language": line.language,
                }
                for line in self.lines
            ],
            "english_words": None if self.english_words is None else list(self.english_words),
        }


def _line_errors(language: str, identified: Iterable[tuple[str, float]]) -> int:
    """How many kept lines, by their (label, probability), do not count as `language`."""
    return sum(
        (label if probability > LID_THRESHOLD else UNKNOWN) != language
        for label, probability in identified
    )


def _outcome(n_lines: int, errors: int, english_found: bool | None) -> CompletionOutcome:
    """A completion's outcome from its kept lines, wrong lines, and whether English words were
    found (None where the word level was not checked)."""
    if not n_lines:
        return CompletionOutcome(True, None, None, None)
    word_pass = None if errors or english_found is None else not english_found
    return CompletionOutcome(False, errors == 0, word_pass, 1 - errors / n_lines)


#: a completion's verdict as plain tuples: kept lines (text, label, probability), English words
#: found, dropped lines
_Found = tuple[tuple[tuple[str, str, float], ...], tuple[str, ...] | None, int]


class LanguageConfusionScorer:
    """Scores completions against their target language; batches do each distinct line once."""

    def __init__(
        self,
        lid: LanguageIdentifier,
        english_words: frozenset[str] | None,
        tokenizer: LineTokenizer | None = None,
    ) -> None:
        self.lid = lid
        self.english_words = english_words
        self.tokenizer = tokenizer or LineTokenizer()

    def score(self, completion: str, language: str) -> CompletionVerdict:
        return self.score_many([(completion, language)])[0]

    def score_many(
        self, items: Sequence[tuple[str, str]], workers: int = 1
    ) -> list[CompletionVerdict]:
        """Verdicts for (completion, target language) pairs, in order. `workers` > 1 scores
        chunks of them in worker processes (this one included)."""
        found = self._map(self._verdict_chunk, [items], workers)
        return [
            CompletionVerdict(language, tuple(map(LineVerdict._make, lines)), english, dropped)
            for (_, language), (lines, english, dropped) in zip(items, found, strict=True)
        ]

    def outcomes(
        self, batches: Iterable[Sequence[tuple[str, str]]], workers: int = 1
    ) -> list[CompletionOutcome]:
        """What `score_many(...)[i].outcome()` gives for the items of every batch, in order,
        without the diagnostics: workers send back four values per completion instead of its
        lines. Batches are taken one at a time: workers score the first while the next are
        read."""
        return self._map(self._outcome_chunk, batches, workers)

    def _map(
        self,
        fn: Callable[[Sequence[tuple[str, str]]], list[R]],
        batches: Iterable[Sequence[tuple[str, str]]],
        workers: int,
    ) -> list[R]:
        # jieba costs several times what LID does per character; this process takes Chinese
        # first and loads jieba after the workers have started, so they need not wait for it
        return map_batches(fn, batches, workers, _weight, _is_chinese)

    def _verdict_chunk(self, items: Sequence[tuple[str, str]]) -> list[_Found]:
        """Each completion's kept lines (text, label, probability), English words and
        dropped-line count, as plain tuples: they pickle ten times faster than verdicts."""
        kept, predicted = self._identify(items)
        out: list[_Found] = []
        for (_, language), (lines, dropped) in zip(items, kept, strict=True):
            english = None
            if self.english_words is not None and language in WPR_LANGUAGES:
                english = self._english_words(language, lines)
            found = tuple((line, *predicted[line]) for line, _ in lines)
            out.append((found, english, dropped))
        return out

    def _outcome_chunk(self, items: Sequence[tuple[str, str]]) -> list[CompletionOutcome]:
        """Each completion's outcome, looking for English words only where WPR reads them:
        in completions of a WPR language that pass the line level."""
        kept, predicted = self._identify(items)
        words = self.english_words
        out = []
        for (_, language), (lines, _) in zip(items, kept, strict=True):
            errors = _line_errors(language, (predicted[line] for line, _ in lines))
            english = None
            if lines and not errors and words is not None and language in WPR_LANGUAGES:
                english = self._has_english(words, language, lines)
            out.append(_outcome(len(lines), errors, english))
        return out

    def _identify(
        self, items: Sequence[tuple[str, str]]
    ) -> tuple[list[tuple[list[tuple[str, LineScan]], int]], dict[str, tuple[str, float]]]:
        """Each completion's kept lines (with what their scan found) and dropped-line count,
        and the LID's answer for each distinct kept line (identified once)."""
        keep = self.tokenizer.kept
        kept_lines = []
        for text, language in items:
            lines = normalize(text).split("\n")
            kept = keep(lines, language)
            kept_lines.append((kept, len(lines) - len(kept)))
        distinct = list(dict.fromkeys(line for kept, _ in kept_lines for line, _ in kept))
        return kept_lines, dict(zip(distinct, self.lid.predict_many(distinct), strict=True))

    def _english_words(
        self, language: str, lines: Iterable[tuple[str, LineScan]]
    ) -> tuple[str, ...]:
        words, candidates = self.english_words or frozenset(), self.tokenizer.candidates
        found = (t.strip() for line, scan in lines for t in candidates(line, language, scan))
        return tuple(dict.fromkeys(t for t in found if t in words))

    def _has_english(
        self, words: frozenset[str], language: str, lines: Iterable[tuple[str, LineScan]]
    ) -> bool:
        candidates = self.tokenizer.candidates
        return any(
            not words.isdisjoint(map(str.strip, candidates(line, language, scan)))
            for line, scan in lines
        )


def _weight(item: tuple[str, str]) -> float:
    return len(item[0]) * (4 if item[1] == "zh" else 1)


def _is_chinese(item: tuple[str, str]) -> bool:
    return item[1] == "zh"


def harmonic_mean(lpr: float, wpr: float | None) -> float | None:
    if wpr is None:
        return None
    return 0.0 if lpr + wpr == 0 else 2 * lpr * wpr / (lpr + wpr)


@dataclass(frozen=True, slots=True)
class Figures:
    """One line of the reference's output: a (source, language) cell or an average ("all")."""

    source: str
    language: str
    lpr: float
    wpr: float | None
    acc: float
    #: completions, and how many of them were skipped (no line of 5 tokens or more)
    n: int
    skipped: int

    @property
    def lcpr(self) -> float | None:
        return harmonic_mean(self.lpr, self.wpr)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "language": self.language,
            "lpr": self.lpr,
            "wpr": self.wpr,
            "lcpr": self.lcpr,
            "acc": self.acc,
            "n": self.n,
            "skipped": self.skipped,
        }


def cell_figures(
    source: str, language: str, verdicts: Sequence[Outcome], wpr: bool = True
) -> Figures:
    """A cell's figures; `wpr=False` when no word list was available."""
    scored = [v for v in verdicts if not v.skipped]
    line_failures = sum(v.line_pass is False for v in scored)
    word_failures = sum(v.word_pass is False for v in scored)
    accs = [v.acc for v in scored if v.acc is not None]
    word_rate = None
    if wpr and language in WPR_LANGUAGES:
        word_rate = 1 - word_failures / max(1, len(scored) - line_failures)
    return Figures(
        source=source,
        language=language,
        lpr=1 - line_failures / max(1, len(scored)),
        wpr=word_rate,
        acc=sum(accs) / len(accs) if accs else 1.0,
        n=len(verdicts),
        skipped=len(verdicts) - len(scored),
    )


def _average(source: str, language: str, parts: Sequence[Figures]) -> Figures:
    wprs = [f.wpr for f in parts if f.wpr is not None]
    return Figures(
        source=source,
        language=language,
        lpr=sum(f.lpr for f in parts) / len(parts),
        wpr=sum(wprs) / len(wprs) if wprs else None,
        acc=sum(f.acc for f in parts) / len(parts),
        n=sum(f.n for f in parts),
        skipped=sum(f.skipped for f in parts),
    )


def reference_figures(cells: Iterable[Figures]) -> list[Figures]:
    """Cells sorted by (source, language), then per-source averages, per-language averages and
    the overall average (the mean of the per-language averages), in the reference's order."""
    ordered = sorted(cells, key=lambda f: (f.source, f.language))
    by_source: dict[str, list[Figures]] = {}
    by_language: dict[str, list[Figures]] = {}
    for cell in ordered:
        by_source.setdefault(cell.source, []).append(cell)
        by_language.setdefault(cell.language, []).append(cell)
    per_source = [_average(src, ALL, parts) for src, parts in by_source.items()]
    per_language = [_average(ALL, lang, parts) for lang, parts in by_language.items()]
    out = [*ordered, *per_source, *per_language]
    if per_language:  # every cell is in exactly one language: counts add up to the cells'
        out.append(_average(ALL, ALL, per_language))
    return out
