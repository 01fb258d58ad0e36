"""Each rule of the reference compute_metrics.py, on hand-written completions."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from globeval.lcb.metrics import (
    WPR_LANGUAGES,
    CompletionVerdict,
    Figures,
    cell_figures,
    harmonic_mean,
    load_english_words,
    normalize,
    reference_figures,
)
from tests.lcb.helpers import marker_scorer, write_words

FIVE = "one two three four five"


def test_normalize_cuts_at_the_next_question_and_deletes_punctuation() -> None:
    text = "  Bonjour, le monde! (oui) — c'est ça...\nQ: What next? A: nothing\nQ: again"
    assert normalize(text) == "Bonjour le monde oui   cest ça"
    assert normalize("a—b،c") == "a bc"
    assert normalize(string.punctuation) == ""
    # only "\nQ:" cuts: a "Q:" at the very start, or without the line break, stays
    assert normalize("Q: x\nQ: y") == "Q x"
    assert normalize("xQ: y") == "xQ y"
    # punctuation outside ASCII is kept, as str.translate(string.punctuation) keeps it
    assert normalize("你好，世界！«oui»") == "你好，世界！«oui»"


def test_lines_under_five_tokens_are_dropped_and_not_identified() -> None:
    scorer, lid = marker_scorer()
    verdict = scorer.score(f"one two three four\n\n{FIVE}\n\n", "en")
    assert [line.text for line in verdict.lines] == [FIVE]
    assert verdict.dropped_lines == 2  # the trailing blank lines went with strip()
    assert lid.asked == [FIVE]


def test_punctuation_is_removed_before_counting_tokens() -> None:
    scorer, _ = marker_scorer()
    # five whitespace tokens, but "—" and "-" alone vanish: three words remain... plus the dash
    # turned into a space: "a — b - c" has 5 tokens before, 3 after
    assert scorer.score("a — b - c", "en").skipped
    assert not scorer.score("a — b - c d e", "en").skipped


def test_a_completion_with_no_kept_line_is_skipped_and_in_no_denominator() -> None:
    scorer, _ = marker_scorer()
    skipped = scorer.score("Too short.\n\nStill short", "fr")
    failing = scorer.score(FIVE, "fr")  # English: a line-level failure
    passing = scorer.score(f"bonjour {FIVE}", "fr")
    assert skipped.skipped and skipped.line_pass is None and skipped.acc is None
    fig = cell_figures("okapi", "fr", [skipped, failing, passing])
    assert fig.lpr == pytest.approx(0.5)  # 1 failure of 2 scored, not of 3
    assert (fig.n, fig.skipped) == (3, 1)
    only_skipped = cell_figures("okapi", "fr", [skipped])
    assert only_skipped.lpr == 1.0 and only_skipped.acc == 1.0  # max(1, 0) and the default


def test_probability_must_exceed_0_3_else_the_line_is_unknown_and_wrong() -> None:
    scorer, _ = marker_scorer()
    at = scorer.score(f"borderline {FIVE}", "fr")
    above = scorer.score(f"justabove {FIVE}", "fr")
    assert at.lines[0].label == "fr" and at.lines[0].language == "unknown"
    assert at.line_pass is False
    assert above.lines[0].language == "fr" and above.line_pass is True


def test_one_wrong_line_fails_the_completion_and_acc_counts_lines() -> None:
    scorer, _ = marker_scorer()
    verdict = scorer.score(f"bonjour {FIVE}\n{FIVE}\nbonjour {FIVE} six", "fr")
    assert verdict.line_errors == 1 and verdict.line_pass is False
    assert verdict.acc == pytest.approx(2 / 3)
    fig = cell_figures("okapi", "fr", [verdict, scorer.score(f"bonjour {FIVE}", "fr")])
    assert fig.lpr == 0.5 and fig.acc == pytest.approx((2 / 3 + 1) / 2)


def test_wpr_counts_english_words_only_in_completions_that_pass_the_line_level() -> None:
    scorer, _ = marker_scorer({"house", "garden"})
    clean = scorer.score("arline a b c d e", "ar")
    english = scorer.score("arline a b house c d", "ar")
    line_fail = scorer.score("a b garden c d e", "ar")  # English line: line failure only
    assert clean.word_pass is True
    assert english.word_pass is False and english.english_words == ("house",)
    assert line_fail.line_pass is False and line_fail.word_pass is None
    assert line_fail.english_words == ("garden",)  # still shown, as a diagnostic
    fig = cell_figures("aya", "ar", [clean, english, line_fail])
    assert fig.lpr == pytest.approx(2 / 3)
    assert fig.wpr == pytest.approx(1 / 2)  # 1 word failure among the 2 line passes


def test_wpr_only_for_ar_hi_ja_ko_ru_zh() -> None:
    assert frozenset({"ar", "hi", "ja", "ko", "ru", "zh"}) == WPR_LANGUAGES
    scorer, _ = marker_scorer({"house"})
    french = scorer.score("bonjour a b house c d", "fr")
    assert french.word_pass is None and french.english_words is None
    assert cell_figures("okapi", "fr", [french]).wpr is None
    assert cell_figures("okapi", "ar", []).wpr == 1.0
    assert cell_figures("okapi", "ar", [], wpr=False).wpr is None  # no word list


def test_word_set_is_lowercase_words_longer_than_three_letters(tmp_path: Path) -> None:
    path = write_words(tmp_path, ["House", "house", "cat", "cats", "NASA", "naïve", " tree "])
    assert load_english_words(path) == frozenset({"house", "cats", "naïve", "tree"})


def test_chinese_lines_are_cut_by_jieba_and_its_spaces_count_as_tokens() -> None:
    scorer, _ = marker_scorer({"simple"})
    # four whitespace tokens, but jieba also returns the three spaces: 8 tokens, kept
    verdict = scorer.score("这是一个 simple 测试 ok", "zh")
    assert len(scorer.tokenizer.tokens("这是一个 simple 测试 ok", "zh")) == 8
    assert len(verdict.lines) == 1
    assert verdict.english_words == ("simple",)
    # jieba splits an English word out of Chinese text
    assert scorer.tokenizer.tokens("我们today去公园玩吧好吗", "zh") == [
        "我们", "today", "去", "公园", "玩吧", "好", "吗",
    ]  # fmt: skip
    # one Chinese word-run of 3 jieba tokens is too short, though it has 5 characters
    assert scorer.score("我喜欢苹果", "zh").skipped


def test_japanese_lines_are_cut_by_fugashi() -> None:
    scorer, _ = marker_scorer({"computer"})
    assert scorer.tokenizer.tokens("これはテストです", "ja") == ["これ", "は", "テスト", "です"]
    assert scorer.score("これはテストです", "ja").skipped  # 4 tokens
    verdict = scorer.score("私はcomputerが好きです", "ja")  # 6 tokens; the marker LID says en
    assert len(scorer.tokenizer.tokens("私はcomputerが好きです", "ja")) == 6
    assert len(verdict.lines) == 1 and verdict.line_pass is False
    assert verdict.english_words == ("computer",)


def test_whitespace_languages_ignore_jieba_even_for_han_text() -> None:
    scorer, _ = marker_scorer()
    assert scorer.tokenizer.tokens("这是 一个 测试", "ko") == ["这是", "一个", "测试"]


def test_each_distinct_line_is_identified_once_per_batch() -> None:
    scorer, lid = marker_scorer()
    line = f"bonjour {FIVE}"
    verdicts = scorer.score_many([(f"{line}\n{line}", "fr"), (line, "fr"), (FIVE, "en")])
    assert sorted(lid.asked) == sorted([line, FIVE])
    assert [len(v.lines) for v in verdicts] == [2, 1, 1]
    assert [v.line_pass for v in verdicts] == [True, True, True]


def _fig(source: str, language: str, lpr: float, wpr: float | None) -> Figures:
    return Figures(source, language, lpr, wpr, acc=lpr, n=100, skipped=1)


def test_averages_are_per_source_per_language_and_overall_over_languages() -> None:
    cells = [
        _fig("okapi", "zh", 0.5, 1.0),
        _fig("aya", "zh", 0.9, 0.8),
        _fig("aya", "fr", 1.0, None),
        _fig("aya", "ar", 0.7, 0.6),
    ]
    out = {(f.source, f.language): f for f in reference_figures(cells)}
    order = [(f.source, f.language) for f in reference_figures(cells)]
    assert order == [
        ("aya", "ar"), ("aya", "fr"), ("aya", "zh"), ("okapi", "zh"),
        ("aya", "all"), ("okapi", "all"),
        ("all", "ar"), ("all", "fr"), ("all", "zh"),
        ("all", "all"),
    ]  # fmt: skip
    assert out[("aya", "all")].lpr == pytest.approx((0.9 + 1.0 + 0.7) / 3)
    assert out[("aya", "all")].wpr == pytest.approx((0.8 + 0.6) / 2)  # fr has no WPR
    assert out[("all", "zh")].lpr == pytest.approx(0.7)
    assert out[("all", "fr")].wpr is None
    # overall = mean of the per-language averages (zh 0.7, fr 1.0, ar 0.7), not of the cells
    assert out[("all", "all")].lpr == pytest.approx((0.7 + 1.0 + 0.7) / 3)
    assert out[("all", "all")].wpr == pytest.approx((0.9 + 0.6) / 2)
    assert (out[("all", "all")].n, out[("all", "all")].skipped) == (400, 4)


def test_lcpr_is_the_harmonic_mean_of_lpr_and_wpr() -> None:
    assert harmonic_mean(0.5, 1.0) == pytest.approx(2 / 3)
    assert harmonic_mean(0.0, 0.0) == 0.0
    assert harmonic_mean(0.9, None) is None
    assert _fig("aya", "ar", 0.6, 0.9).lcpr == pytest.approx(0.72)


def test_verdict_dict_carries_the_diagnostics() -> None:
    scorer, _ = marker_scorer({"house"})
    verdict: CompletionVerdict = scorer.score("arline a b house c d\nshort", "ar")
    data = verdict.to_dict()
    assert data["lines"] == [
        {
            "text": "arline a b house c d",
            "label": "ar",
            "probability": 0.99,
            "language": "ar",
        }
    ]
    assert data["english_words"] == ["house"] and data["dropped_lines"] == 1
    assert (data["line_pass"], data["word_pass"], data["skipped"]) == (True, False, False)
