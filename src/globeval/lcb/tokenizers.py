"""Word tokens of a line, as the reference's `tokenize`: jieba for Chinese, fugashi (MeCab with
UniDic) for Japanese, whitespace for every other language.

The tokenizers load on first use: jieba builds its prefix dictionary (about a second) and
fugashi needs a UniDic dictionary package (`unidic-lite` ships one; the full `unidic` package
must have been downloaded with `python -m unidic download`).
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable
from typing import Any

from globeval.data.errors import DataError


class TokenizerUnavailable(DataError):
    """A language's tokenizer is not installed or has no dictionary."""


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


class LineTokenizer:
    """Tokenize lines per language, remembering every (line, language) it has seen: completions
    repeat lines (blank and boilerplate ones above all), and jieba is pure Python."""

    def __init__(self) -> None:
        self._zh: Callable[[str], list[str]] | None = None
        self._ja: Any = None
        self._cache: dict[tuple[str, str], tuple[str, ...]] = {}

    def tokens(self, line: str, language: str) -> tuple[str, ...]:
        key = (line, language)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._tokenize(line, language)
        return found

    def load(self, language: str) -> None:
        """Load a language's tokenizer now rather than on first use."""
        if language == "zh":
            self._jieba()
        elif language == "ja":
            self._fugashi()

    def chinese(self, line: str) -> tuple[str, ...]:
        return tuple(self._jieba()(line))

    def _tokenize(self, line: str, language: str) -> tuple[str, ...]:
        if language == "zh":
            return self.chinese(line)
        if language == "ja":
            return tuple(self._fugashi().parse(line).split())
        return tuple(line.split())

    def _jieba(self) -> Callable[[str], list[str]]:
        if self._zh is None:
            try:
                import jieba
            except ImportError as exc:
                raise TokenizerUnavailable(
                    'Chinese lines need jieba: pip install "globeval[lcb]"'
                ) from exc
            jieba.setLogLevel(logging.WARNING)  # it logs its dictionary build at INFO
            jieba.initialize()
            self._zh = jieba.lcut
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
