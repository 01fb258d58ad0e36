"""`LineTokenizer.scan` and `candidates` decide exactly what the reference's full tokenization
decides: whether a line has five tokens, and which of its tokens can be English words."""

from __future__ import annotations

from pathlib import Path

import pytest

from globeval.lcb.data import read_completions
from globeval.lcb.metrics import normalize
from globeval.lcb.tokenizers import MIN_TOKENS, LineTokenizer

# fmt: off
TRICKY = [
    "", " ", "好", "我喜欢苹果", "我们今天去公园散步吧", "我们today去公园玩吧好吗",
    "这是一个 simple 测试 ok", "穿T恤去唱卡拉OK吧", "Python3.11 和 numpy 的版本", "版本 v2.0-beta 发布了",
    "café 和 naïve 都是外来词", "Ελληνικά 文字 和 中文", "一、二、三、四、五", "ＡＢＣ全角字母和ｄｅｆ",
    "第1章 第2节 第3段", "C++ 与 C# 的区别", "100% 的人 都 知道", "email_address 和 user-name",
    "HELLO WORLD 大写字母", "\t制表符\t和\t空格\t", "纯中文没有标点但是很长很长很长的一句话",
]
# fmt: on


def _possible_words(tokens: list[str]) -> list[str]:
    """The tokens that could be words of the English list (lowercase, over three characters,
    once stripped), in order."""
    return [t for t in tokens if len(t.strip()) > 3 and t.strip().islower()]


def _check(tokenizer: LineTokenizer, lines: list[str]) -> None:
    for line in lines:
        full = tokenizer.tokens(line, "zh")
        scan = tokenizer.scan(line, "zh")
        assert scan.kept == (len(full) >= MIN_TOKENS), line
        if scan.kept:
            found = tokenizer.candidates(line, "zh", scan)
            assert _possible_words(list(found)) == _possible_words(full), line


def test_chinese_scan_matches_full_jieba_on_tricky_lines() -> None:
    tokenizer = LineTokenizer()
    _check(tokenizer, TRICKY)
    # lines kept on their pieces alone are not segmented until words are asked for
    scan = tokenizer.scan("一、二、三、四、五", "zh")
    assert scan.kept and scan.tokens is None


def test_chinese_scan_matches_full_jieba_on_published_outputs(shared_data: Path) -> None:
    rows = read_completions(shared_data / "lcb" / "outputs" / "gpt-4-turbo.csv")
    lines = [
        line for r in rows if r.language == "zh" for line in normalize(r.completion).split("\n")
    ]
    assert len(lines) > 1000
    _check(LineTokenizer(), lines)


def test_another_jieba_version_cuts_every_line_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    import jieba

    monkeypatch.setattr(jieba, "__version__", "0.43.0")
    tokenizer = LineTokenizer()
    scan = tokenizer.scan("一、二、三、四、五", "zh")
    assert scan.tokens == tokenizer.tokens("一、二、三、四、五", "zh")
    _check(tokenizer, TRICKY)


def test_other_languages_split_on_whitespace_when_words_are_asked_for() -> None:
    tokenizer = LineTokenizer()
    scan = tokenizer.scan("один два three four пять", "ru")
    assert scan.kept and scan.tokens is None
    found = tokenizer.candidates("один два three four пять", "ru", scan)
    assert found == ["один", "два", "three", "four", "пять"]
    assert not tokenizer.scan("これはテストです", "ja").kept
    # the kept decision is len(line.split()) >= 5, whatever the whitespace
    for line in [
        "a b c d", "a b c d   ", "  a b c d e", "a\tb\u00a0c\u3000d\ne", "a b c d e f g",
        "", "     ", "a  b  c  d", "abcde",
    ]:  # fmt: skip
        assert tokenizer.scan(line, "fr").kept == (len(line.split()) >= MIN_TOKENS), line


def test_jiebas_cached_dictionary_loads_as_initialize_loads_it(tmp_path: Path) -> None:
    import jieba

    from globeval.lcb.tokenizers import _load_cached_dictionary

    jieba.initialize()  # writes the cache when it is not there yet
    fresh = jieba.Tokenizer()
    assert _load_cached_dictionary(fresh, jieba.DEFAULT_DICT)
    assert fresh.initialized and fresh.total == jieba.dt.total and fresh.FREQ == jieba.dt.FREQ
    # no cache where this tokenizer looks, or another dictionary: initialize() does it
    elsewhere = jieba.Tokenizer()
    elsewhere.tmp_dir = str(tmp_path)
    assert not _load_cached_dictionary(elsewhere, jieba.DEFAULT_DICT)
    (tmp_path / "jieba.cache").write_bytes(b"not marshal data")
    assert not _load_cached_dictionary(elsewhere, jieba.DEFAULT_DICT)
    custom = jieba.Tokenizer(str(tmp_path / "dict.txt"))
    assert not _load_cached_dictionary(custom, jieba.DEFAULT_DICT) and not custom.initialized
