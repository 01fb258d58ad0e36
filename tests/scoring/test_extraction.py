"""Tests for globeval.scoring.extraction: free-text answers -> choice letters."""

from __future__ import annotations

import pytest

from globeval.scoring.extraction import (
    ANSWER_WORDS,
    LETTERS,
    extract_choice,
    normalize_letters,
)

GLOBAL_MMLU_CODES = (
    "am ar bn cs de el en es fa fil fr ha he hi id ig it ja ko ky lt mg ms ne nl ny pl pt ro ru "
    "si sn so sr sv sw te tr uk vi yo zh"
)
INCLUDE_EXTRA_CODES = "sq hy az eu be bg hr et fi ka hu kk ml mk ms ta tl ur uz"
ALL_LANGUAGES = sorted(set(GLOBAL_MMLU_CODES.split()) | set(INCLUDE_EXTRA_CODES.split()))


@pytest.mark.parametrize(
    ("response", "language", "expected"),
    [
        # English
        ("B", "en", "B"),
        ("(B)", "en", "B"),
        ("B.", "en", "B"),
        ("B)", "en", "B"),
        ("[B]", "en", "B"),
        ("  c  ", "en", "C"),
        ("Answer: B", "en", "B"),
        ("ANSWER: d", "en", "D"),
        ("The correct answer is C.", "en", "C"),
        ("I think the answer is B because Paris is the capital.", "en", "B"),
        ("The answer is option (D).", "en", "D"),
        ("Answer:\n\nA", "en", "A"),
        ("C. Paris", "en", "C"),
        ("C) Paris", "en", "C"),
        ("(b) Paris is correct", "en", "B"),
        ("B\nBecause Paris is the capital of France.", "en", "B"),
        # markdown and LaTeX
        ("**Answer: B**", "en", "B"),
        ("The answer is **C**.", "en", "C"),
        ("\\boxed{C}", "en", "C"),
        ("Therefore the final answer is $\\boxed{D}$.", "en", "D"),
        ("So we get $\\boxed{\\text{A}}$", "en", "A"),
        # French, German, Spanish
        ("Réponse : C", "fr", "C"),
        ("La bonne réponse est (B)", "fr", "B"),
        ("REPONSE: a", "fr", "A"),
        ("Antwort: D", "de", "D"),
        ("Die richtige Antwort ist C.", "de", "C"),
        ("Die Antwort lautet B", "de", "B"),
        ("Respuesta: A", "es", "A"),
        ("La respuesta correcta es la B", "es", "B"),
        # Arabic: native and Latin letters
        ("الإجابة: ب", "ar", "B"),
        ("الإجابة الصحيحة هي (ج)", "ar", "C"),
        ("الجواب هو د", "ar", "D"),
        ("الإجابة هي C", "ar", "C"),
        ("أ) باريس", "ar", "A"),
        ("د", "ar", "D"),
        # Hindi: Devanagari (क ख ग घ and अ ब स द) and Latin
        ("उत्तर: ख", "hi", "B"),
        ("सही उत्तर (ग) है", "hi", "C"),
        ("उत्तर: घ।", "hi", "D"),
        ("उत्तर: ब", "hi", "B"),
        ("उत्तर: C", "hi", "C"),
        # Bengali
        ("উত্তর: খ", "bn", "B"),
        ("সঠিক উত্তর হলো গ", "bn", "C"),
        ("উত্তরঃ ঘ", "bn", "D"),
        ("উত্তর: A", "bn", "A"),
        # Japanese
        ("Ｃ", "ja", "C"),
        ("答え：B", "ja", "B"),
        ("正解はC", "ja", "C"),
        ("正解はＤです。", "ja", "D"),
        ("答えは「イ」です", "ja", "B"),
        ("解答：ウ", "ja", "C"),
        # Chinese
        ("答案：C", "zh", "C"),
        ("答案是 D", "zh", "D"),
        ("答案：Ｃ", "zh", "C"),
        ("正确答案是B。", "zh", "B"),
        ("答案为（A）", "zh", "A"),
        ("答案选C", "zh", "C"),
        # Korean
        ("정답: B", "ko", "B"),
        ("정답은 B입니다", "ko", "B"),
        ("정답은 (다)", "ko", "C"),
        ("정답: 나", "ko", "B"),
        # Russian: Cyrillic labels and Latin letters
        ("Ответ: Б", "ru", "B"),
        ("Ответ: B", "ru", "B"),
        ("Правильный ответ — В", "ru", "C"),
        ("ответ: г", "ru", "D"),
        ("Б. Париж", "ru", "B"),
        ("Ответ: вариант А", "ru", "A"),
        # Greek
        ("Απάντηση: Β", "el", "B"),
        ("Η σωστή απάντηση είναι η Γ", "el", "C"),
        ("Απάντηση: D", "el", "D"),
        # Hebrew
        ("התשובה היא ב", "he", "B"),
        ("תשובה: ג", "he", "C"),
        ("התשובה הנכונה היא D", "he", "D"),
        # Swahili, Yoruba, Turkish
        ("Jibu: C", "sw", "C"),
        ("Jibu sahihi ni B", "sw", "B"),
        ("Ìdáhùn: D", "yo", "D"),
        ("Idahun ni B", "yo", "B"),
        ("Cevap: B", "tr", "B"),
        ("Doğru cevap C şıkkıdır", "tr", "C"),
        ("Cevap B'dir", "tr", "B"),
        # a few more languages and scripts
        ("A resposta correta é a B", "pt", "B"),
        ("A helyes válasz a B", "hu", "B"),
        ("Đáp án: C", "vi", "C"),
        ("Відповідь: В", "uk", "C"),
        ("Отговорът е Б", "bg", "B"),
        ("پاسخ صحیح گزینه «ب» است", "fa", "B"),
        ("Պատասխան՝ Բ", "hy", "B"),
        ("პასუხი: ბ", "ka", "B"),
        ("Ⓓ", "ko", "D"),
    ],
)
def test_extracts_expected_letter(response: str, language: str, expected: str) -> None:
    assert extract_choice(response, language) == expected


@pytest.mark.parametrize(
    ("response", "language"),
    [
        ("", "en"),
        ("   \n ", "en"),
        ("A good question. I think it's Paris", "en"),
        ("I think it's Paris.", "en"),
        ("A is correct", "en"),
        ("Answer: I don't know", "en"),
        ("The answer is a bit tricky, so I pick Paris.", "en"),
        ("The answer is Paris.", "en"),
        ("e.g. the capital of France", "en"),
        (
            "Paris has been the capital of France for centuries. B vitamins are unrelated, "
            "and a city like Lyon is not the capital. I hope this helps!",
            "en",
        ),
        ("Answer: Paris (B)", "en"),
        ("<think>Answer: A</think>", "en"),
        ("Ответ: в общем, Париж", "ru"),
        ("В Москве", "ru"),
        ("الإجابة بسيطة", "ar"),
        ("정답은 나도 모르겠다", "ko"),
        ("丁寧に答えます", "ja"),
    ],
)
def test_no_parseable_answer_is_none(response: str, language: str) -> None:
    assert extract_choice(response, language) is None


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Answer: A. Wait, let me reconsider. The correct answer is C.", "C"),
        ("The answer is B.\n\nOn reflection, the final answer is D", "D"),
        ("Answer: D\nAnswer: A", "A"),
        ("<think>Answer: A</think>\nThe answer is D", "D"),
    ],
)
def test_last_answer_phrase_wins(response: str, expected: str) -> None:
    assert extract_choice(response, "en") == expected


@pytest.mark.parametrize(
    ("response", "language", "n_choices", "expected"),
    [
        ("Answer: E", "en", 4, None),
        ("E", "en", 4, None),
        ("E) Paris", "en", 4, None),
        ("Answer: E", "en", 5, "E"),
        ("Answer: C", "en", 2, None),
        ("Answer: J", "en", 10, "J"),
        ("I", "en", 4, None),
        ("I", "en", 10, "I"),
        ("Ответ: Д", "ru", 4, None),
        ("Ответ: Д", "ru", 5, "E"),
        ("Answer: B, but E would also be possible", "en", 4, "B"),
        ("Answer: B ... actually the answer is E", "en", 4, None),
    ],
)
def test_letter_must_be_within_n_choices(
    response: str, language: str, n_choices: int, expected: str | None
) -> None:
    assert extract_choice(response, language, n_choices) == expected


@pytest.mark.parametrize("n_choices", [0, -1, len(LETTERS) + 1])
def test_invalid_n_choices_raises(n_choices: int) -> None:
    with pytest.raises(ValueError):
        extract_choice("A", "en", n_choices)


@pytest.mark.parametrize(
    ("response", "language", "expected"),
    [
        ("Answer: B", "xx", "B"),  # unknown language: English words still work
        ("Réponse : B", "xx", None),  # ... but no other language's words
        ("Réponse : B", "fr-CA", "B"),  # region subtags are ignored
        ("答案是C", "zho", "C"),  # ISO 639-3 alias
        ("Antwort: C", "DE", "C"),
        ("Answer: C", "ja", "C"),  # English answer word in any language
    ],
)
def test_language_resolution(response: str, language: str, expected: str | None) -> None:
    assert extract_choice(response, language) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ｃ", "C"),
        ("Ⓑ", "B"),
        ("(ب)", "(B)"),
        ("ج) القاهرة", "C) القاهرة"),
        ("Б. Париж", "B. Париж"),
        ("(ख)", "(B)"),
        ("Γ)", "C)"),
        ("(ג)", "(C)"),
        ("(다)", "(C)"),
        ("「ウ」", "「C」"),
        ("(ค)", "(C)"),
        ("ԱՊատասխան", "ԱՊատասխան"),
        ("(բ)", "(B)"),
        ("(გ)", "(C)"),
        ("Ответ: Б", "Ответ: B"),  # at the end after a separator
    ],
)
def test_normalize_letters_maps_labels(text: str, expected: str) -> None:
    assert normalize_letters(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "В Москве в 1990 г. было тепло, т.е. хорошо и т.д.",
        "قال و ذهب إلى البيت",
        "나는 학교에 간다",
        "丁寧に甲斐",
        "Η Αθήνα είναι η πρωτεύουσα",
        "कखग शब्द",
        "Hello world, I am A-ok",
    ],
)
def test_normalize_letters_leaves_words_alone(text: str) -> None:
    assert normalize_letters(text) == text


def test_normalize_letters_with_language_maps_answer_phrase() -> None:
    assert normalize_letters("正解はウです", "ja") == "正解はCです"
    assert normalize_letters("正解はウです") == "正解はウです"
    assert normalize_letters("Правильный ответ — В, потому что", "ru") == (
        "Правильный ответ — C, потому что"
    )


def test_letters_table() -> None:
    assert LETTERS[:4] == ("A", "B", "C", "D")
    assert len(LETTERS) >= 10
    assert LETTERS[9] == "J"


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_answer_words_cover_language(language: str) -> None:
    words = ANSWER_WORDS[language]
    assert words
    assert all(isinstance(w, str) and w.strip() for w in words)
    # Each language's own first answer word works in an explicit phrase.
    assert extract_choice(f"{words[0]}: B", language) == "B"
    assert extract_choice(f"{words[0]}: (C)", language) == "C"


def test_english_answer_word_present() -> None:
    assert "Answer" in ANSWER_WORDS["en"]
