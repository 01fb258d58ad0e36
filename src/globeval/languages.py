"""Language metadata: ISO 639-1/3, FLORES-200, English name, script, family and resource class.

Names, ISO codes and the usual script come from langcodes (CLDR data); FLORES-200 codes, families
and Joshi et al. (2020) resource classes come from a reviewed table, `data/languages.csv`, that
covers every language of globeval's benchmarks. `lookup` accepts whatever a dataset uses: ISO
639-1 or 639-3, a FLORES-200 code (`arb_Arab`), a BCP 47 tag (`zh-TW`) or an English name.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, replace
from importlib import resources

import langcodes

#: Joshi et al. (2020) class names, 0 (fewest resources) to 5
RESOURCE_CLASSES: dict[int, str] = {
    0: "The Left-Behinds",
    1: "The Scraping-Bys",
    2: "The Hopefuls",
    3: "The Rising Stars",
    4: "The Underdogs",
    5: "The Winners",
}


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # globeval's code: ISO 639-1 where one exists, else 639-3; zh-Hant for Traditional
    name: str
    iso639_1: str | None
    iso639_3: str
    flores200: str | None
    script: str  # ISO 15924
    script_name: str
    family: str | None
    resource_class: int | None  # Joshi et al. 2020, 0-5; None when unknown
    benchmarks: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    note: str = ""
    known: bool = True  # False: built from langcodes alone, not in the reviewed table

    @property
    def latin(self) -> bool:
        return self.script == "Latn"

    @property
    def resource_label(self) -> str:
        if self.resource_class is None:
            return "unknown"
        return f"{self.resource_class} {RESOURCE_CLASSES[self.resource_class]}"


#: where CLDR's script name alone is unclear in a table
SCRIPT_NAMES = {"Hans": "Han (Simplified)", "Hant": "Han (Traditional)"}
#: CLDR's likely script where FLORES-200 (and this table) name another: Korean as Hangul
SCRIPT_ALIASES = {"Kore": "Hang"}


class UnknownLanguage(LookupError):
    pass


def _langcodes_facts(code: str) -> tuple[str, str | None, str, str, str]:
    """(name, iso639_1, iso639_3, script, script name) as langcodes knows them."""
    tag = langcodes.Language.get(code.replace("_", "-"))
    full = tag.maximize()
    lang = tag.language or ""
    iso1 = lang if len(lang) == 2 else None
    script = SCRIPT_ALIASES.get(full.script or "Zyyy", full.script or "Zyyy")
    return tag.display_name(), iso1, tag.to_alpha3(), script, script_name(script)


def script_name(script: str) -> str:
    """The English name of an ISO 15924 code (Han scripts named as such)."""
    return SCRIPT_NAMES.get(script) or langcodes.Language.get(f"und-{script}").script_name()


def _table_path() -> str:
    return str(resources.files("globeval") / "data" / "languages.csv")


@functools.cache
def all_languages() -> tuple[Language, ...]:
    """Every language in the reviewed table, in table order."""
    path = _table_path()
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    out = []
    for n, row in enumerate(csv.DictReader(lines), start=1):
        code = row["code"].strip()
        if not code:
            raise ValueError(f"{path}: row {n}: empty code")
        name, iso1, iso3, script, sname = _langcodes_facts(code)
        flores = row["flores200"].strip() or None
        if flores:
            script = flores.split("_", 1)[1]  # the table's script wins over the likely one
            sname = script_name(script)
        klass = row["joshi_class"].strip()
        out.append(
            Language(
                code=code,
                name=row["name"].strip() or name,
                iso639_1=code if len(code) == 2 else iso1,
                iso639_3=row["iso639_3"].strip() or iso3,
                flores200=flores,
                script=script,
                script_name=sname,
                family=row["family"].strip() or None,
                resource_class=int(klass) if klass else None,
                benchmarks=tuple(row["benchmarks"].split()),
                aliases=tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
                note=row["note"].strip(),
            )
        )
    return tuple(out)


@functools.cache
def _index() -> dict[str, Language]:
    index: dict[str, Language] = {}
    for lang in all_languages():
        keys = [lang.code, lang.iso639_3, lang.name, *lang.aliases]
        if lang.iso639_1:
            keys.append(lang.iso639_1)
        if lang.flores200:
            keys += [lang.flores200, lang.flores200.split("_")[0]]
        for key in keys:
            index.setdefault(key.lower(), lang)  # the first row to claim a key keeps it
    return index


@functools.cache
def lookup(code: str) -> Language:
    """Metadata for a language code or name; languages outside the table get langcodes' facts
    with family and resource class unknown. Raises UnknownLanguage for text that is no language."""
    text = code.strip()
    found = _index().get(text.lower())
    if found:
        return found
    try:
        tag = langcodes.Language.get(text.replace("_", "-"))
        if not tag.is_valid() or not tag.language or tag.language == "und":
            raise ValueError(text)
    except ValueError:
        try:
            tag = langcodes.find(text)
        except LookupError:
            raise UnknownLanguage(f"unknown language {code!r}") from None
    script = tag.maximize().script or "Zyyy"
    script = SCRIPT_ALIASES.get(script, script)
    variant = _index().get(f"{tag.language}-{script}".lower())
    if variant:
        return variant
    same = _index().get((tag.language or "").lower())
    if same and same.script == script:
        return same
    if same:  # the same language in another script (sr-Latn): the table's facts, that script
        return replace(
            same,
            code=f"{same.code}-{script}",
            flores200=None,
            script=script,
            script_name=script_name(script),
        )
    name, iso1, iso3, script, sname = _langcodes_facts(text)
    return Language(
        code=text,
        name=name,
        iso639_1=iso1,
        iso639_3=iso3,
        flores200=None,
        script=script,
        script_name=sname,
        family=None,
        resource_class=None,
        known=False,
    )


def try_lookup(code: str) -> Language | None:
    try:
        return lookup(code)
    except UnknownLanguage:
        return None
