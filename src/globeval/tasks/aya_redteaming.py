"""Aya red-teaming (Aakanksha et al. 2024, arXiv 2406.18682): responses to harmful prompts.

Data: CohereForAI/aya_redteaming, one file per language, aya_{eng,hin,fra,spa,arb,rus,srp,tgl}.jsonl,
fields prompt, language, harm_category (a string-encoded list: a prompt may have several of the
9 categories), global_or_local, literal_translation, semantic_translation, explanation.
Protocol: one user turn, temperature 0, up to 512 new tokens (--max-gen-tokens to change); the
responses are stored per sample and `globeval judge harm` labels each one harmful, safe or a
refusal (see globeval/judging/harm.py for the judge prompt, which can be replaced).
Groupings: harm_category (categories joined with " | "), global_or_local.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from globeval.data.errors import DataError, at
from globeval.data.files import SUFFIXES, Row, read_rows
from globeval.tasks.base import Sample
from globeval.tasks.global_mmlu import bundled_dir, parse_string_list
from globeval.tasks.open_ended import OpenEndedTask

#: ISO 639-1 code -> the dataset's file code (ISO 639-3)
FILE_CODES = {
    "en": "eng",
    "hi": "hin",
    "fr": "fra",
    "es": "spa",
    "ar": "arb",
    "ru": "rus",
    "sr": "srp",
    "tl": "tgl",
}
SCOPES = ("global", "local")
CATEGORY_SEPARATOR = " | "


@dataclass(frozen=True, slots=True)
class RedTeamPrompt:
    prompt: str
    language_name: str
    harm_categories: tuple[str, ...]
    global_or_local: str
    translation: str


def parse_prompt(row: Row) -> RedTeamPrompt:
    data = row.data
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise DataError(f"{at(row.source, row.index, 'prompt')}: missing or empty")
    categories = parse_string_list(
        data.get("harm_category"), at(row.source, row.index, "harm_category")
    )
    if not categories:
        raise DataError(f"{at(row.source, row.index, 'harm_category')}: no harm category")
    scope = str(data.get("global_or_local") or "").strip().lower()
    if scope not in SCOPES:
        raise DataError(
            f"{at(row.source, row.index, 'global_or_local')}: {data.get('global_or_local')!r} "
            "is not 'global' or 'local'"
        )
    return RedTeamPrompt(
        prompt=prompt,
        language_name=str(data.get("language") or ""),
        harm_categories=tuple(c.strip() for c in categories),
        global_or_local=scope,
        translation=str(data.get("semantic_translation") or data.get("literal_translation") or ""),
    )


class AyaRedTeaming(OpenEndedTask):
    name: ClassVar[str] = "aya_redteaming"
    title: ClassVar[str] = "Aya red-teaming (8 languages, responses for harm judging)"
    dataset: ClassVar[str] = "CohereForAI/aya_redteaming"
    #: no verified full commit id is known to globeval; the manifest records the resolved one
    revision: ClassVar[str] = "main"
    languages: ClassVar[tuple[str, ...]] = tuple(FILE_CODES)
    group_fields: ClassVar[tuple[str, ...]] = ("harm_category", "global_or_local")
    bundled: ClassVar[str] = "aya_redteaming"
    default_max_tokens: ClassVar[int] = 512

    def selected_languages(self) -> list[str]:
        chosen = self.options.languages or list(self.languages)
        by_file_code = {v: k for k, v in FILE_CODES.items()}
        out = []
        for lang in chosen:
            code = lang if lang in FILE_CODES else by_file_code.get(lang)
            if code is None:
                raise DataError(
                    f"{self.name}: unknown language {lang!r}; known: "
                    + ", ".join(f"{k} ({v})" for k, v in FILE_CODES.items())
                )
            out.append(code)
        return out

    def _local_rows(self, data_dir: Path, lang: str) -> tuple[list[Row], dict[str, Any]] | None:
        for suffix in SUFFIXES:
            path = data_dir / f"aya_{FILE_CODES[lang]}{suffix}"
            if path.is_file():
                return read_rows(path), {"local_file": str(path)}
        return None

    def _hub_rows(self, lang: str, revision: str) -> tuple[list[Row], dict[str, Any]]:
        file_name = f"aya_{FILE_CODES[lang]}.jsonl"
        try:
            import datasets

            ds = datasets.load_dataset(
                self.dataset, data_files=file_name, split="train", revision=revision
            )
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(
                f"could not load {file_name} of {self.dataset} (revision {revision}) from the "
                f"Hugging Face Hub: {reason}\nWith no network, download it on a machine with "
                f"network (huggingface-cli download {self.dataset} --repo-type dataset "
                "--local-dir DIR) and pass --data-dir DIR, or try the bundled sample with --sample."
            ) from exc
        source = f"hf://datasets/{self.dataset}@{revision}/{file_name}"
        rows = [Row(dict(rec), source, i) for i, rec in enumerate(ds)]
        return rows, {"repo": self.dataset, "file": file_name, "revision": revision}

    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        data_dir = bundled_dir(self.bundled) if self.options.sample else self.options.data_dir
        revision = self.options.revision or self.revision
        provenance: dict[str, Any] = {"dataset": self.dataset, "revision": revision, "files": []}
        if self.options.sample:
            provenance["bundled_sample"] = True
        samples: list[Sample] = []
        for lang in self.selected_languages():
            if data_dir is not None:
                found = self._local_rows(data_dir, lang)
                if found is None:
                    if self.options.sample and not self.options.languages:
                        continue
                    raise DataError(
                        f"{data_dir}: no aya_{FILE_CODES[lang]}.jsonl (or .parquet/.json/.csv) "
                        f"for language {lang!r}"
                    )
                rows, origin = found
            else:
                rows, origin = self._hub_rows(lang, revision)
            provenance["files"].append(origin)
            for n, row in enumerate(rows):
                if self.options.limit is not None and n >= self.options.limit:
                    break
                item = parse_prompt(row)
                samples.append(
                    Sample(
                        id=f"{lang}/{row.index}",
                        language=lang,
                        config=FILE_CODES[lang],
                        source=row.source,
                        row=row.index,
                        payload=item,
                        groups={
                            "harm_category": CATEGORY_SEPARATOR.join(item.harm_categories),
                            "global_or_local": item.global_or_local,
                        },
                    )
                )
        provenance["max_gen_tokens"] = self.options.max_gen_tokens or self.default_max_tokens
        return samples, provenance

    def record_extra(self, sample: Sample) -> dict[str, Any]:
        item: RedTeamPrompt = sample.payload
        return {
            "language_name": item.language_name,
            "harm_categories": list(item.harm_categories),
            "translation": item.translation,
        }
