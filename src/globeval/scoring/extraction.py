"""Parse a model's free-text multiple-choice answer into a choice letter.

Chat and API models answer generatively, in many languages and scripts. This module turns
such an answer into one of :data:`LETTERS`, or ``None`` when the response has no parseable
answer (a *format error*): it never guesses.

Extraction order (:func:`extract_choice`):

0. Unicode NFKC (fullwidth ``Ｃ``, circled ``Ⓒ``, ``：`` ... become ASCII); if the response
   contains ``</think>``, only the text after the last one is used.
1. Strip; remove markdown emphasis (``**``, ``__``) and LaTeX wrappers such as
   ``\\text{X}`` (keep X). ``\\boxed{X}`` counts as an explicit answer, like "Answer: X".
   Native option labels that stand as labels are mapped to Latin (:func:`normalize_letters`).
2. Explicit answer phrase: an answer word of the language (:data:`ANSWER_WORDS`, English
   always included, case-insensitive), optional filler words ("is", "est", "ist", "la",
   "correct", "option", "は", "是" ...), an optional separator (``:`` ``-`` ``=`` ...) and a
   label (Latin or native, optionally in brackets or quotes). The LAST phrase wins.
3. The whole response is a label with optional punctuation/brackets: ``B``, ``(B)``, ``[B]``.
4. The response starts with a label followed by ``.``, ``)``, ``:``, a line break, or
   (uppercase B, C, D, F, G, H, J only) a space and text: ``C. Paris``, ``C) Paris``.
5. Otherwise ``None``.

No other lone capital is ever taken: "A good question. I think it's Paris" is ``None``.
A letter outside the first ``n_choices`` gives ``None``. Unknown languages use English words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import NamedTuple

__all__ = ["ANSWER_WORDS", "LETTERS", "extract_choice", "normalize_letters"]

LETTERS: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J")

ANSWER_WORDS: dict[str, tuple[str, ...]] = {
    "am": ("መልስ", "መልሱ", "ምላሽ"),
    "ar": ("الإجابة", "الاجابة", "إجابة", "اجابة", "الجواب", "جواب"),
    "az": ("Cavab", "Cavabı", "Cavabi"),
    "be": ("Адказ",),
    "bg": ("Отговор", "Отговорът", "Отговора"),
    "bn": ("উত্তর",),
    "cs": ("Odpověď", "Odpověd", "Odpoved"),
    "de": ("Antwort", "Lösung", "Loesung"),
    "el": ("Απάντηση", "Απαντηση"),
    "en": ("Answer",),
    "es": ("Respuesta",),
    "et": ("Vastus",),
    "eu": ("Erantzuna", "Erantzun"),
    "fa": ("پاسخ", "جواب"),
    "fi": ("Vastaus",),
    "fil": ("Sagot", "Kasagutan"),
    "fr": ("Réponse", "Reponse"),
    "ha": ("Amsa", "Amsar"),
    "he": ("תשובה", "התשובה"),
    "hi": ("उत्तर", "जवाब"),
    "hr": ("Odgovor",),
    "hu": ("Válasz", "Valasz", "Megoldás", "Megoldas"),
    "hy": ("Պատասխան", "Պատասխանը", "Պատասխանն"),
    "id": ("Jawaban", "Jawabannya"),
    "ig": ("Azịza", "Aziza"),
    "it": ("Risposta",),
    "ja": ("答え", "解答", "回答", "正解", "答"),
    "ka": ("პასუხი", "პასუხია"),
    "kk": ("Жауап", "Жауабы"),
    "ko": ("정답", "답변", "답"),
    "ky": ("Жооп", "Жообу"),
    "lt": ("Atsakymas", "Atsakymą", "Atsakyma"),
    "mg": ("Valiny",),
    "mk": ("Одговор", "Одговорот"),
    "ml": ("ഉത്തരം",),
    "ms": ("Jawapan", "Jawapannya"),
    "ne": ("उत्तर", "जवाफ"),
    "nl": ("Antwoord",),
    "ny": ("Yankho",),
    "pl": ("Odpowiedź", "Odpowiedz"),
    "pt": ("Resposta",),
    "ro": ("Răspuns", "Răspunsul", "Raspuns", "Raspunsul"),
    "ru": ("Ответ",),
    "si": ("පිළිතුර",),
    "sn": ("Mhinduro",),
    "so": ("Jawaab", "Jawaabta", "Jawaabtu"),
    "sq": ("Përgjigja", "Përgjigje", "Pergjigja", "Pergjigje"),
    "sr": ("Odgovor", "Одговор"),
    "sv": ("Svar", "Svaret"),
    "sw": ("Jibu",),
    "ta": ("பதில்", "விடை"),
    "te": ("సమాధానం", "జవాబు"),
    "th": ("คำตอบ",),
    "tl": ("Sagot", "Kasagutan"),
    "tr": ("Cevap", "Cevabı", "Cevabi", "Yanıt", "Yanit"),
    "uk": ("Відповідь",),
    "ur": ("جواب",),
    "uz": ("Javob", "Javobi", "Жавоб"),
    "vi": ("Đáp án", "Dap an", "Câu trả lời", "Trả lời", "Tra loi"),
    "yo": ("Ìdáhùn", "Idahun", "Èsì", "Esi"),
    "zh": ("正确答案", "正確答案", "答案", "答"),
}

# Words allowed between the answer word and the letter ("The answer IS THE CORRECT OPTION B"),
# "|"-separated.
_FILLERS: dict[str, str] = {
    "en": "is|would be|should be|be|the|correct|right|final|best|therefore|thus|so|option"
    "|choice|letter|probably|likely",
    "am": "ትክክለኛው|ትክክለኛ|አማራጭ",
    "ar": "هي|هو|الصحيحة|الصحيح|الخيار|خيار|إذن",
    "az": "düzgün|doğru|variant|variantı",
    "be": "правільны|правільная|гэта|варыянт",
    "bg": "е|правилният|правилен|верният|вариант",
    "bn": "হলো|হল|হচ্ছে|সঠিক|বিকল্প",
    "cs": "je|správná|spravna|tedy|možnost",
    "de": "ist|lautet|die|richtige|korrekte|also|Option|Buchstabe|wäre",
    "el": "είναι|ειναι|η|το|σωστή|σωστη|επιλογή|επιλογη",
    "es": "es|la|correcta|opción|opcion|final|sería|letra|entonces",
    "et": "on|õige|variant",
    "eu": "da|zuzena|aukera",
    "fa": "صحیح|درست|گزینه|است|می‌باشد",
    "fi": "on|oikea|vaihtoehto|siis",
    "fil": "ay|ang|tamang|tama|opsyon|titik",
    "fr": "est|la|le|bonne|correcte|finale|option|choix|lettre|donc|serait",
    "ha": "ita|ce|shi|ne|daidai|zaɓi|zabi",
    "he": "היא|הוא|הנכונה|נכונה|אפשרות|האפשרות",
    "hi": "है|सही|विकल्प|होगा",
    "hr": "je|točan|točno|opcija",
    "hu": "a|az|helyes|opció|tehát",
    "hy": "է|ճիշտ|տարբերակ|տարբերակը",
    "id": "adalah|yang|benar|tepat|pilihan|opsi|ialah|yaitu",
    "ig": "bụ|bu|ziri ezi|nhọrọ|nhoro",
    "it": "è|e'|la|corretta|giusta|esatta|opzione|lettera|quindi",
    "ja": "は|が|選択肢|の",
    "ka": "არის|სწორი|ვარიანტი",
    "kk": "дұрыс|нұсқа",
    "ko": "은|는|이|으로|보기|선택지",
    "ky": "туура|вариант",
    "lt": "yra|teisingas|variantas",
    "mg": "dia|marina|ny|safidy",
    "mk": "е|точен|точниот|правилен",
    "ml": "ശരിയായ|ആണ്",
    "ms": "ialah|adalah|yang|betul|tepat|pilihan",
    "ne": "हो|सही|विकल्प",
    "nl": "is|het|de|juiste|correcte|goede|optie|dus|luidt",
    "ny": "ndi|ndilo|lolondola|chisankho",
    "pl": "to|jest|poprawna|prawidłowa|właściwa|opcja|więc",
    "pt": "é|e|a|correta|correcta|certa|alternativa|opção|opcao|letra|final|seria",
    "ro": "este|corect|corectă|varianta|opțiunea|optiunea|litera",
    "ru": "правильный|верный|это|вариант|буква",
    "si": "නිවැරදි|වේ",
    "sn": "ndeye|ndiyo|ndi|chaiyo|sarudzo",
    "so": "waa|saxda|saxa|ah|doorashada",
    "sq": "është|eshte|e|saktë|sakte|opsioni",
    "sr": "je|је|tačan|тачан|tačno|opcija|опција",
    "sv": "är|rätt|korrekt|alternativ|alternativet",
    "sw": "ni|sahihi|chaguo",
    "ta": "சரியான",
    "te": "సరైన|ఎంపిక",
    "th": "ที่ถูกต้อง|คือ|ข้อ",
    "tl": "ay|ang|tamang|tama|opsyon|titik",
    "tr": "doğru|dogru|şıkkı|şık|seçeneği|seçenek|olarak",
    "uk": "правильна|правильний|це|варіант",
    "ur": "ہے|درست|صحیح|آپشن",
    "uz": "to'g'ri|to‘g‘ri|variant",
    "vi": "là|đúng|chính xác|la|dung",
    "yo": "ni|tó tọ́|tí ó tọ́|to to",
    "zh": "是|为|為|应该是|應該是|应选|應選|选项|選項|选|選",
}

# ISO 639-3 / 639-2 codes accepted as aliases ("code:target").
_ALIAS_TEXT = """
amh:am ara:ar aze:az bel:be bul:bg ben:bn ces:cs cze:cs deu:de ger:de ell:el gre:el eng:en
spa:es est:et eus:eu baq:eu fas:fa per:fa pes:fa fin:fi fra:fr fre:fr hau:ha heb:he iw:he
hin:hi hrv:hr hun:hu hye:hy arm:hy ind:id in:id ibo:ig ita:it jpn:ja kat:ka geo:ka kaz:kk
kor:ko kir:ky lit:lt mlg:mg plt:mg mkd:mk mac:mk mal:ml msa:ms may:ms zsm:ms nep:ne npi:ne
nld:nl dut:nl nya:ny pol:pl por:pt ron:ro rum:ro rus:ru sin:si sna:sn som:so sqi:sq alb:sq
srp:sr swe:sv swa:sw swh:sw tam:ta tel:te tha:th tgl:tl tur:tr ukr:uk urd:ur uzb:uz uzn:uz
vie:vi yor:yo zho:zh chi:zh cmn:zh yue:zh
"""
_ALIASES: dict[str, str] = {k: v for k, v in (p.split(":") for p in _ALIAS_TEXT.split())}


class _Script(NamedTuple):
    """Native option labels of one script: ``labels[i]`` are the tokens for ``LETTERS[i]``."""

    labels: tuple[tuple[str, ...], ...]
    cont: str  # character class of same-script letters/marks (a label must not touch one)
    weak: frozenset[str] = frozenset()  # tokens that are also common words
    after: str = ""  # extra pattern a following same-script letter may start (suffixes)


def _labels(spec: str) -> tuple[tuple[str, ...], ...]:
    """Parse "A1 A2, B1, C1 ..." into per-letter token tuples."""
    return tuple(tuple(group.split()) for group in spec.split(","))


def _cased(upper: str, cont: str, extra: dict[int, str] | None = None) -> _Script:
    """A cased script; its lowercase labels are weak (they double as words)."""
    groups = []
    for i, up in enumerate(upper.split()):
        toks = [up, up.lower()]
        if extra and i in extra:
            toks += [extra[i], extra[i].lower()]
        groups.append(tuple(toks))
    weak = frozenset(t for g in groups for t in g if t != t.upper())
    return _Script(tuple(groups), cont, weak)


_SCRIPTS: tuple[_Script, ...] = (
    # Arabic abjad order (Arabic; Persian and Urdu "الف ب ج د").
    _Script(
        _labels("أ ا إ آ الف, ب, ج, د, هـ ه ھ, و, ز, ح, ط, ي ی"),
        r"[\u0610-\u061A\u0620-\u065F\u066E-\u06D3\u06D5-\u06FF\u0750-\u077F\u08A0-\u08FF]",
        frozenset({"و"}),
    ),
    _Script(
        _labels("א, ב, ג, ד, ה, ו, ז, ח, ט, י"),
        r"[\u0591-\u05C7\u05D0-\u05EA\u05F0-\u05F2]",
        frozenset({"ו", "ה"}),
    ),
    # Devanagari क ख ग घ, and the Hindi exam style अ ब स द.
    _Script(_labels("क अ, ख ब, ग स, घ द, ङ, च, छ, ज, झ, ञ"), r"[\u0900-\u0963\u0966-\u097F]"),
    _Script(_labels("ক, খ, গ, ঘ, ঙ, চ, ছ, জ, ঝ, ঞ"), r"[\u0980-\u0982\u0984-\u09FF]"),
    _Script(_labels("அ, ஆ, இ, ஈ, உ, ஊ, எ, ஏ, ஐ, ஒ"), r"[\u0B80-\u0BFF]"),
    _Script(_labels("ก, ข, ค, ง, จ, ฉ, ช, ซ, ฌ, ญ"), r"[\u0E01-\u0E4E]"),
    _Script(_labels("ሀ, ለ, ሐ, መ, ሠ, ረ, ሰ, ሸ, ቀ, በ"), r"[\u1200-\u135F\u1380-\u139F\u2D80-\u2DDF]"),
    _Script(_labels("ა, ბ, გ, დ, ე, ვ, ზ, თ, ი, კ"), r"[\u10A0-\u10FF\u1C90-\u1CBF\u2D00-\u2D2F]"),
    # Korean 가 나 다 라; a following 입니다 / 이다 ... is allowed.
    _Script(
        _labels("가, 나, 다, 라, 마, 바, 사, 아, 자, 차"),
        r"[\uAC00-\uD7A3\u1100-\u11FF\u3130-\u318F]",
        after="입니|이다|이에요|예요|이며|이고|번",
    ),
    _Script(_labels("ア, イ, ウ, エ, オ, カ, キ, ク, ケ, コ"), r"[\u30A0-\u30FF\u31F0-\u31FF]"),
    # Heavenly stems 甲 乙 丙 丁 (Chinese, Japanese).
    _Script(
        _labels("甲, 乙, 丙, 丁, 戊, 己, 庚, 辛, 壬, 癸"),
        r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]",
    ),
    # Cyrillic А Б В Г (С is also read as its Latin lookalike C).
    _cased("А Б В Г Д Е Ж З И К", r"[\u0400-\u052F\u0300-\u036F]", {2: "С"}),
    _cased("Α Β Γ Δ Ε Ζ Η Θ Ι Κ", r"[\u0370-\u03FF\u1F00-\u1FFF\u0300-\u036F]"),
    _cased("Ա Բ Գ Դ Ե Զ Է Ը Թ Ժ", r"[\u0531-\u0556\u0561-\u0587]"),
)

_LATIN_CONT = r"[A-Za-z0-9\u00C0-\u024F\u1E00-\u1EFF\u0300-\u036F]"
_OPEN = "([{<«「『【\"'“‘`"
_CLOSE = ")]}>»」』】\"'”’`"
_SEP = r"[:=\-–—>→⇒ঃ։՝፡፦|]"
_PUNCT = r".,;:!?)\]}>»」』】\"'”’`。、，．！？।॥։።*_"

# token -> index into LETTERS, for native labels.
_NATIVE: dict[str, int] = {
    tok: i for s in _SCRIPTS for i, toks in enumerate(s.labels) for tok in toks
}


def _alt(tokens: list[str]) -> str:
    """Alternation of escaped tokens, longest first."""
    return "|".join(re.escape(t) for t in sorted(set(tokens), key=lambda t: (-len(t), t)))


def _token_patterns() -> tuple[str, str, str]:
    """(strong, weak, any) label alternations, each token guarded against same-script text."""
    strong = [rf"[A-HJ-Z](?!{_LATIN_CONT})", rf"I(?!{_LATIN_CONT}|['’]|\s+[a-z])"]
    weak = [rf"[a-z](?!{_LATIN_CONT})"]
    anything = ["[A-Za-z]"]
    for s in _SCRIPTS:
        toks = [t for group in s.labels for t in group]
        guard = f"(?!(?!{s.after}){s.cont})" if s.after else f"(?!{s.cont})"
        strong_toks = [t for t in toks if t not in s.weak]
        weak_toks = [t for t in toks if t in s.weak]
        if strong_toks:
            strong.append(f"(?:{_alt(strong_toks)}){guard}")
        if weak_toks:
            weak.append(f"(?:{_alt(weak_toks)}){guard}")
        anything.append(_alt(toks))
    return "|".join(strong), "|".join(weak), "|".join(anything)


_STRONG, _WEAK, _ANY = _token_patterns()
_O = f"[{re.escape(_OPEN)}]"
_C = f"[{re.escape(_CLOSE)}]"
# A label after an answer phrase: bracketed, a strong token, or a weak token before punctuation.
_LABEL = (
    rf"(?:{_O}\s*(?P<w>{_ANY})\s*{_C}|(?P<s>{_STRONG})"
    rf"|(?P<k>{_WEAK})(?=[ \t]*(?:[{re.escape(_PUNCT)}]|\n|\Z)))"
)

_NAT = _alt(list(_NATIVE))
_LINE_START = r"^[ \t>*_#•\-]*"
# Contexts in which a native token is an option label (see normalize_letters).
_NATIVE_CONTEXTS = re.compile(
    rf"(?<={_O})\s*(?P<a>{_NAT})(?=\s*{_C})"  # (Б)  [ب]  「ア」
    rf"|(?:^|(?<=[\s>*_#•\-]))(?P<b>{_NAT})(?=\))"  # Б)  ب)
    rf"|{_LINE_START}(?P<c>{_NAT})(?=[.:](?:\s|$))"  # Б. Париж  (line start)
    rf"|{_LINE_START}(?P<d>{_NAT})(?=[ \t]*[.:]?[ \t]*$)"  # a line that is just the label
    rf"|(?<={_SEP})[ \t]*(?P<e>{_NAT})(?=[ \t]*[.!。।]?\s*\Z)",  # "...: ب" at the very end
    re.MULTILINE,
)

_THINK_END = "</think>"
_LATEX_WRAP = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf|mbox|fbox)\s*\{([^{}]*)\}")
_BOXED = re.compile(r"\\boxed\s*\{([^{}]*)\}")
_LATEX_DELIM = re.compile(r"\\[()\[\]]")
_SHORT_MATH = re.compile(r"\$+\s*([^$\s]{1,8})\s*\$+")
_EMPHASIS = re.compile(r"\*\*|__")
_BARE = re.compile(rf"[\s{re.escape(_OPEN + _PUNCT)}\-]*(?P<t>[A-Za-z])[\s{re.escape(_PUNCT)}\-]*")
_LEADING = re.compile(
    rf"[ \t>*#•\-]*(?:{_O}\s*(?P<w>[A-Za-z])\s*{_C}"
    rf"|(?P<p>[A-Za-z])(?:[)\]:]|\.(?![A-Za-z]))"
    r"|(?P<n>[A-Z])[ \t]*(?:\n|$)"
    r"|(?P<m>[BCDFGHJ])(?:[ \t]+[-–—])?[ \t]+(?=\S))"
)


def _resolve(language: str) -> str:
    """Map a language tag ("pt-BR", "zho", "EN") to a key of ANSWER_WORDS, or "" if unknown."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    code = _ALIASES.get(code, code)
    return code if code in ANSWER_WORDS else ""


def _phrase(word: str) -> str:
    return r"\s+".join(re.escape(unicodedata.normalize("NFKC", w)) for w in word.split())


def _filler(word: str) -> str:
    spaced = not re.search(r"[\u0E00-\u0E7F\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7A3]", word)
    return _phrase(word) + (r"(?![^\W\d_])" if spaced else "")


@cache
def _answer_regex(code: str) -> re.Pattern[str]:
    """The compiled answer-phrase regex for a resolved language code (cached)."""
    words = list(ANSWER_WORDS["en"]) + list(ANSWER_WORDS.get(code, ()))
    fillers = _FILLERS["en"].split("|") + _FILLERS.get(code, "").split("|")
    words_re = "|".join(_phrase(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
    fill_re = "|".join(_filler(f) for f in sorted(set(fillers) - {""}, key=lambda f: (-len(f), f)))
    return re.compile(
        rf"(?i:{words_re})(?:\s*(?:{_SEP}\s*)?(?i:{fill_re}))*\s*(?:{_SEP}\s*)?{_LABEL}"
    )


def _index(token: str) -> int:
    """Index into LETTERS of a Latin or native label token."""
    if token in _NATIVE:
        return _NATIVE[token]
    return ord(token.upper()) - ord("A")


def normalize_letters(text: str, language: str | None = None) -> str:
    """Map lookalike and native option labels in ``text`` to Latin capitals.

    NFKC turns fullwidth/circled/styled letters into ASCII (``Ｃ``, ``Ⓒ`` -> ``C``). Native
    labels (Arabic أ ب ج د, Devanagari क ख ग घ, Cyrillic А Б В Г, Greek, Hebrew, Korean 가 나,
    katakana ア イ, Thai, Armenian, Georgian ...) are mapped only where they stand as labels:
    in brackets, before ``)``, at a line start before ``.``/``:``, alone on a line, at the end
    after a separator, or (when ``language`` is given) right after an answer phrase.
    Ordinary words are left alone.
    """
    text = unicodedata.normalize("NFKC", text)

    def repl(m: re.Match[str]) -> str:
        name = m.lastgroup
        assert name is not None
        start, end = m.span(name)
        tok = m.group(name)
        prefix = m.group(0)[: start - m.start()]
        return prefix + LETTERS[_NATIVE[tok]] + m.group(0)[end - m.start() :]

    text = _NATIVE_CONTEXTS.sub(repl, text)
    if language is None:
        return text
    pieces: list[str] = []
    pos = 0
    for m in _answer_regex(_resolve(language)).finditer(text):
        name = "w" if m.group("w") else "s" if m.group("s") else "k"
        tok = m.group(name)
        if tok in _NATIVE:
            pieces += [text[pos : m.start(name)], LETTERS[_NATIVE[tok]]]
            pos = m.end(name)
    pieces.append(text[pos:])
    return "".join(pieces)


def _clean(response: str) -> str:
    """Step 0-1: NFKC, drop reasoning, markdown emphasis and LaTeX wrappers."""
    text = unicodedata.normalize("NFKC", response)
    if _THINK_END in text:
        text = text.rsplit(_THINK_END, 1)[1]
    text = _EMPHASIS.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _LATEX_WRAP.sub(r"\1", text)
    text = _BOXED.sub(r" Answer: \1 ", text)
    text = _LATEX_DELIM.sub(" ", text)
    text = _SHORT_MATH.sub(r"\1", text)
    return text.strip()


def extract_choice(response: str, language: str, n_choices: int = 4) -> str | None:
    """Return the chosen letter (``"A"`` .. ``LETTERS[n_choices - 1]``) or ``None``.

    ``None`` means a format error: no explicit answer phrase, bare label or leading label,
    or a letter outside the first ``n_choices``. See the module docstring for the order.
    """
    if not 1 <= n_choices <= len(LETTERS):
        raise ValueError(f"n_choices must be in 1..{len(LETTERS)}, got {n_choices}")
    text = normalize_letters(_clean(response))
    if not text:
        return None
    token: str | None = None
    matches = list(_answer_regex(_resolve(language)).finditer(text))
    last = matches[-1] if matches else None
    if last is not None:
        token = last.group("w") or last.group("s") or last.group("k")
    elif bare := _BARE.fullmatch(text):
        token = bare.group("t")
    elif lead := _LEADING.match(text):
        token = lead.group("w") or lead.group("p") or lead.group("n") or lead.group("m")
    if token is None:
        return None
    index = _index(token)
    return LETTERS[index] if 0 <= index < n_choices else None
