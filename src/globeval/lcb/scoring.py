"""The resources behind every LCB figure (LID model, word list, tokenizers), resolved once and
recorded with the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from globeval.lcb.metrics import LanguageConfusionScorer, load_english_words
from globeval.lcb.resources import WordListInfo, resolve_word_list
from globeval.lcb.tokenizers import LineTokenizer
from globeval.scoring.langid import FastTextLID, LidModelInfo, resolve_lid_model


@dataclass
class ScoringSetup:
    lid: LidModelInfo
    words: WordListInfo
    tokenizer: LineTokenizer = field(default_factory=LineTokenizer)
    _scorer: LanguageConfusionScorer | None = None

    @classmethod
    def resolve(cls, lid_model: str | None = None, words: Path | None = None) -> ScoringSetup:
        return cls(resolve_lid_model(lid_model), resolve_word_list(words))

    def scorer(self) -> LanguageConfusionScorer:
        """Load the LID model and word set on first use."""
        if self._scorer is None:
            english = load_english_words(Path(self.words.path)) if self.words.path else None
            self._scorer = LanguageConfusionScorer(FastTextLID(self.lid), english, self.tokenizer)
        return self._scorer

    @property
    def wpr(self) -> bool:
        """Whether WPR can be computed (a word list was found)."""
        return self.words.path is not None

    def describe(self) -> dict[str, Any]:
        """What the manifest and score output record: which files produced the figures."""
        return {
            "reference": "for-ai/language-confusion compute_metrics.py @ 0cfdbb4a",
            "lid_model": self.lid.to_dict(),
            "word_list": self.words.to_dict(),
            "tokenizers": self.tokenizer.describe(),
        }

    def notes(self) -> list[str]:
        return [n for n in (self.lid.note, self.words.note) if n]
