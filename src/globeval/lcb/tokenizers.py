"""Word tokens of a line, as the reference's `tokenize`: jieba for Chinese, fugashi (MeCab with
UniDic) for Japanese, whitespace for every other language.

The tokenizers load on first use: jieba builds its prefix dictionary (about a second) and
fugashi needs a UniDic dictionary package (`unidic-lite` ships one; the full `unidic` package
must have been downloaded with `python -m unidic download`).

Scoring needs two things of a line's tokens: whether there are at least five, and which of them
are English words, the latter only for completions that pass the line level.
`LineTokenizer.scan` and `LineTokenizer.candidates` give exactly those, and for Chinese they
skip jieba's costly part where neither depends on it. jieba cuts a line into pieces with its
`re_han_default` pattern and tokenizes each piece on its own (`Tokenizer.cut`): every piece
gives at least one token, so a line of five pieces or more is kept without being segmented;
and only a piece of Han characters, ASCII letters and digits that has a lowercase letter can
give a word of the English list (all lowercase, by the reference's filter; the other pieces give
one character or one space per token), so only those are segmented when words are looked for.
This holds for jieba 0.42.1 (the last release), whose `cut` is read that way; with any other
version every line is cut whole.
"""

from __future__ import annotations

import importlib.metadata
import logging
import marshal
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from globeval.data.errors import DataError

#: a line needs this many tokens to be scored
MIN_TOKENS = 5
#: the jieba release whose piece-by-piece cutting `scan` and `candidates` rely on
JIEBA_PIECEWISE = "0.42.1"


class TokenizerUnavailable(DataError):
    """A language's tokenizer is not installed or has no dictionary."""


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _load_cached_dictionary(tokenizer: Any, default_dictionary: str) -> bool:
    """What jieba 0.42.1's `initialize` does when its default dictionary's cache file exists,
    three times faster: `marshal.load` on the open file reads it in small pieces, and
    `marshal.loads` on its bytes does not (a second instead of a third). False, for
    `initialize` to do it, when the tokenizer uses another dictionary or the cache is not
    there or not readable."""
    if tokenizer.initialized:
        return True
    if tokenizer.dictionary != default_dictionary or tokenizer.cache_file:
        return False
    cache = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    try:
        freq, total = marshal.loads(cache.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return False
    if not isinstance(freq, dict) or not isinstance(total, int):
        return False
    with tokenizer.lock:
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
    return True


class LineScan(NamedTuple):
    """What scoring needs first of a line's tokens."""

    #: whether the line has at least MIN_TOKENS tokens
    kept: bool
    #: every token, when finding whether the line is kept took them all (Japanese, and Chinese
    #: lines of fewer than five pieces); None when it did not: `LineTokenizer.candidates`
    #: tokenizes what it needs of the line, when it is asked
    tokens: Sequence[str] | None


_KEPT = LineScan(True, None)
_DROPPED = LineScan(False, None)


def _enough_words(line: str) -> bool:
    """At least MIN_TOKENS whitespace tokens: splitting off the first four tells whether there
    is a fifth, without making a string of every word."""
    return len(line.split(None, MIN_TOKENS - 1)) == MIN_TOKENS


class LineTokenizer:
    """Tokenize lines per language (callers tokenize each distinct line once)."""

    def __init__(self) -> None:
        self._zh: Callable[[str], list[str]] | None = None
        self._pieces: Any = None  # jieba's piece pattern, when it cuts piece by piece
        self._ja: Any = None

    def tokens(self, line: str, language: str) -> list[str]:
        """Every token of the line, as the reference's `tokenize` gives them."""
        if language == "zh":
            return self._jieba()(line)
        if language == "ja":
            return self._fugashi().parse(line).split()  # type: ignore[no-any-return]
        return line.split()

    def scan(self, line: str, language: str) -> LineScan:
        if language == "ja" or (language == "zh" and not self._at_least_five_pieces(line)):
            tokens = self.tokens(line, language)
            return LineScan(True, tokens) if len(tokens) >= MIN_TOKENS else _DROPPED
        return _KEPT if language == "zh" or _enough_words(line) else _DROPPED

    def kept(self, lines: Iterable[str], language: str) -> list[tuple[str, LineScan]]:
        """The lines `scan` keeps, with what it found: a loop per language, since a completion
        has many lines and a call per line costs as much as scanning it."""
        if language in ("zh", "ja"):
            scan = self.scan
            return [(line, found) for line in lines if (found := scan(line, language)).kept]
        return [(line, _KEPT) for line in lines if _enough_words(line)]

    def candidates(self, line: str, language: str, scan: LineScan) -> Sequence[str]:
        """The line's tokens that can be words of the English list: all of them, or for a
        Chinese line kept on its pieces, the tokens of its pieces that have a lowercase letter."""
        if scan.tokens is not None:
            return scan.tokens
        if language != "zh":
            return self.tokens(line, language)
        cut, pieces = self._jieba(), self._pieces
        found: list[str] = []
        for piece in pieces.split(line):
            if piece and pieces.match(piece) and any(map(str.islower, piece)):
                found += cut(piece)
        return found

    def _at_least_five_pieces(self, line: str) -> bool:
        self._jieba()
        if self._pieces is None:
            return False
        return sum(1 for piece in self._pieces.split(line) if piece) >= MIN_TOKENS

    def load(self, language: str) -> None:
        """Load a language's tokenizer now rather than on first use."""
        if language == "zh":
            self._jieba()
        elif language == "ja":
            self._fugashi()

    def _jieba(self) -> Callable[[str], list[str]]:
        if self._zh is None:
            try:
                import jieba
            except ImportError as exc:
                raise TokenizerUnavailable(
                    'Chinese lines need jieba: pip install "globeval[lcb]"'
                ) from exc
            jieba.setLogLevel(logging.WARNING)  # it logs its dictionary build at INFO
            known = getattr(jieba, "__version__", None) == JIEBA_PIECEWISE
            if not (known and _load_cached_dictionary(jieba.dt, jieba.DEFAULT_DICT)):
                jieba.initialize()
            self._zh = jieba.lcut
            if known:
                self._pieces = jieba.re_han_default
        return self._zh

    def _fugashi(self) -> Any:
        if self._ja is None:
            try:
                from fugashi import Tagger
            except ImportError as exc:
                raise TokenizerUnavailable(
                    'Japanese lines need fugashi and unidic-lite: pip install "globeval[lcb]"'
                ) from exc
            try:
                self._ja = Tagger("-O wakati -b 50000")
            except RuntimeError as exc:
                raise TokenizerUnavailable(
                    "fugashi found no UniDic dictionary: pip install unidic-lite, or run "
                    f"`python -m unidic download` for the full unidic package ({exc})"
                ) from exc
        return self._ja

    def describe(self) -> dict[str, Any]:
        """Which tokenizers and dictionaries produced the tokens, for the manifest."""
        out: dict[str, Any] = {
            "zh": {"tokenizer": "jieba", "version": _version("jieba")},
            "ja": {
                "tokenizer": "fugashi",
                "version": _version("fugashi"),
                "dictionary": self.japanese_dictionary(),
            },
            "other": "whitespace",
        }
        return out

    def japanese_dictionary(self) -> str | None:
        """The dictionary file the Japanese tagger loaded; before it loads, the UniDic package
        fugashi will pick (the full unidic first, then unidic-lite)."""
        if self._ja is not None:
            return str(self._ja.dictionary_info[0]["filename"])
        for package in ("unidic", "unidic-lite"):
            version = _version(package)
            if version is not None:
                return f"{package} {version}"
        return None
