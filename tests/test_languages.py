"""Language metadata: coverage of every benchmark's languages and lookups by any code."""

from __future__ import annotations

import langcodes
import pytest

from globeval.languages import (
    RESOURCE_CLASSES,
    SCRIPT_ALIASES,
    UnknownLanguage,
    all_languages,
    lookup,
)
from globeval.tasks.global_mmlu import LANGUAGES as GLOBAL_MMLU
from globeval.tasks.include import LANGUAGE_CODES as INCLUDE

M_REWARDBENCH = [
    "arb_Arab",
    "ces_Latn",
    "deu_Latn",
    "ell_Grek",
    "fra_Latn",
    "heb_Hebr",
    "hin_Deva",
    "ind_Latn",
    "ita_Latn",
    "jpn_Jpan",
    "kor_Hang",
    "nld_Latn",
    "pes_Arab",
    "pol_Latn",
    "por_Latn",
    "ron_Latn",
    "rus_Cyrl",
    "spa_Latn",
    "tur_Latn",
    "ukr_Cyrl",
    "vie_Latn",
    "zho_Hans",
    "zho_Hant",
]
LCB = ["ar", "de", "en", "es", "fr", "hi", "id", "it", "ja", "ko", "pt", "ru", "tr", "vi", "zh"]
M_ARENAHARD = [
    "ar",
    "cs",
    "de",
    "el",
    "en",
    "es",
    "fa",
    "fr",
    "he",
    "hi",
    "id",
    "it",
    "ja",
    "ko",
    "nl",
    "pl",
    "pt",
    "ro",
    "ru",
    "tr",
    "uk",
    "vi",
    "zh",
]
AYA_REDTEAMING = [
    "eng",
    "hin",
    "fra",
    "spa",
    "arb",
    "rus",
    "srp",
    "tgl",
]  # the dataset's file suffixes


@pytest.mark.parametrize(
    ("benchmark", "codes", "count"),
    [
        ("global_mmlu", list(GLOBAL_MMLU), 42),
        ("include", list(INCLUDE.values()), 44),
        ("include", list(INCLUDE), 44),  # INCLUDE's configs are English names
        ("m_rewardbench", M_REWARDBENCH, 23),
        ("lcb", LCB, 15),
        ("m_arenahard", M_ARENAHARD, 23),
        ("aya_redteaming", AYA_REDTEAMING, 8),
    ],
)
def test_every_benchmark_language_is_in_the_table(
    benchmark: str, codes: list[str], count: int
) -> None:
    found = {lookup(code).code for code in codes}
    assert len(found) == count, "two codes of one benchmark resolved to the same language"
    for code in codes:
        lang = lookup(code)
        assert lang.known, code
        assert benchmark in lang.benchmarks, (code, lang.code)
    tagged = {lang.code for lang in all_languages() if benchmark in lang.benchmarks}
    assert tagged == found


def test_every_row_is_complete_and_consistent() -> None:
    for lang in all_languages():
        assert lang.resource_class in RESOURCE_CLASSES, lang.code
        assert lang.family, lang.code
        assert len(lang.iso639_3) == 3, lang.code
        if lang.flores200:
            prefix, script = lang.flores200.split("_")
            assert script == lang.script
            # the FLORES code names the same language (or an individual language of it)
            assert lookup(prefix).iso639_3 == lang.iso639_3
            assert lookup(lang.flores200).code == lang.code
        likely = langcodes.Language.get(lang.code).maximize().script
        assert SCRIPT_ALIASES.get(likely, likely) == lang.script, (lang.code, likely)


@pytest.mark.parametrize(
    ("text", "code", "script"),
    [
        ("arb_Arab", "ar", "Arab"),
        ("zho_Hant", "zh-Hant", "Hant"),
        ("zh-TW", "zh-Hant", "Hant"),
        ("zh-CN", "zh", "Hans"),
        ("tgl_Latn", "tl", "Latn"),
        ("fil", "fil", "Latn"),
        ("North Macedonian", "mk", "Cyrl"),
        ("en-US", "en", "Latn"),
        ("ENG", "en", "Latn"),
        ("sr-Latn", "sr-Latn", "Latn"),
        ("ko-KR", "ko", "Hang"),
    ],
)
def test_lookup_accepts_what_datasets_use(text: str, code: str, script: str) -> None:
    lang = lookup(text)
    assert (lang.code, lang.script) == (code, script)


def test_known_facts() -> None:
    en, sw, si, tl = lookup("en"), lookup("sw"), lookup("si"), lookup("tl")
    assert (en.iso639_1, en.iso639_3, en.flores200, en.resource_class) == (
        "en",
        "eng",
        "eng_Latn",
        5,
    )
    assert (sw.flores200, sw.family, sw.resource_class) == ("swh_Latn", "Atlantic-Congo", 2)
    assert (si.script, si.script_name, si.resource_class) == ("Sinh", "Sinhala", 0)
    assert (tl.name, tl.iso639_3) == ("Tagalog", "tgl")  # langcodes alone would say Filipino
    assert lookup("ja").latin is False and lookup("fr").latin is True


def test_a_language_outside_the_table_gets_langcodes_facts() -> None:
    xh = lookup("xho")
    assert (xh.code, xh.name, xh.script, xh.known) == ("xho", "Xhosa", "Latn", False)
    assert xh.resource_class is None and xh.resource_label == "unknown"


def test_unknown_text_raises() -> None:
    with pytest.raises(UnknownLanguage, match="not a language!"):
        lookup("not a language!")
