"""Global-MMLU (Singh et al. 2024, arXiv 2412.03304) and Global-MMLU-Lite.

Data: CohereForAI/Global-MMLU (42 language configs; splits test and dev, dev = 5 per subject)
and CohereLabs/Global-MMLU-Lite (200 culturally sensitive + 200 agnostic per language).
Protocol: lm-evaluation-harness's global_mmlu tasks, byte for byte —
  prompt  "{question.strip()}\\nA. {a}\\nB. {b}\\nC. {c}\\nD. {d}\\nAnswer:", choices " A".." D";
  k-shot  full: the first k dev items of the same subject (lm-eval `first_n`);
          Lite: lm-eval's seeded random draw from the dev items of the same subject_category.
Subsets: full, annotated, cs (culturally sensitive), ca (culturally agnostic).
Groupings: subject_category, subject, cultural_sensitivity_label.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from globeval.data.errors import DataError, at
from globeval.data.files import Row
from globeval.data.hub import DatasetRef, load_split
from globeval.requests import Request, Result
from globeval.tasks.base import Sample, Scored, Task
from globeval.tasks.multiple_choice import (
    DEFAULT_INSTRUCTION,
    LETTERS,
    Question,
    build_requests,
    fewshot_block,
    lm_eval_random_fewshot,
    question_text,
    score_choice,
)

LANGUAGES = tuple(
    [
        "am",
        "ar",
        "bn",
        "cs",
        "de",
        "el",
        "en",
        "es",
        "fa",
        "fil",
        "fr",
        "ha",
        "he",
        "hi",
        "id",
        "ig",
        "it",
        "ja",
        "ko",
        "ky",
        "lt",
        "mg",
        "ms",
        "ne",
        "nl",
        "ny",
        "pl",
        "pt",
        "ro",
        "ru",
        "si",
        "sn",
        "so",
        "sr",
        "sv",
        "sw",
        "te",
        "tr",
        "uk",
        "vi",
        "yo",
        "zh",
    ]
)
LITE_LANGUAGES = tuple(
    ["ar", "bn", "de", "en", "es", "fr", "hi", "id", "it", "ja", "ko", "pt", "sw", "yo", "zh"]
)
ANNOTATION_FIELDS = (
    "required_knowledge",
    "time_sensitive",
    "reference",
    "culture",
    "region",
    "country",
)
SUBSETS = ("full", "annotated", "cs", "ca")


@dataclass(frozen=True, slots=True)
class GlobalMMLUItem(Question):
    subject: str
    subject_category: str
    label: str  # "CS", "CA", or "-" when not annotated
    is_annotated: bool
    annotations: dict[str, list[str]]


def parse_string_list(value: Any, where: str) -> list[str]:
    """The annotation columns hold Python-style lists as strings ("['a', 'b']"); parse them
    as literals only (never evaluated as code)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = ast.literal_eval(str(value))
    except (ValueError, SyntaxError) as exc:
        raise DataError(f"{where}: not a list literal: {str(value)[:60]!r}") from exc
    if not isinstance(parsed, list | tuple):
        raise DataError(f"{where}: expected a list, got {type(parsed).__name__}")
    return [str(v) for v in parsed]


def parse_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise DataError(f"{where}: expected true/false, got {value!r}")


def parse_row(row: Row) -> GlobalMMLUItem:
    data = row.data
    for column in ("question", "option_a", "option_b", "option_c", "option_d", "answer"):
        if column not in data:
            raise DataError(f"{at(row.source, row.index)}: missing column {column!r}")
        if data[column] is None:
            raise DataError(f"{at(row.source, row.index, column)}: value is empty")
    answer = str(data["answer"]).strip().upper()
    if len(answer) != 1 or answer not in LETTERS[:4]:
        raise DataError(
            f"{at(row.source, row.index, 'answer')}: answer {data['answer']!r} is not one of A-D"
        )
    annotations = {
        name: parse_string_list(data.get(name), at(row.source, row.index, name))
        for name in ANNOTATION_FIELDS
    }
    return GlobalMMLUItem(
        question=str(data["question"]),
        choices=tuple(str(data[f"option_{c}"]) for c in "abcd"),
        answer=LETTERS.index(answer),
        subject=str(data.get("subject") or ""),
        subject_category=str(data.get("subject_category") or ""),
        label=str(data.get("cultural_sensitivity_label") or "-"),
        is_annotated=parse_bool(
            data.get("is_annotated", False), at(row.source, row.index, "is_annotated")
        ),
        annotations=annotations,
    )


def bundled_dir(name: str) -> Path:
    return Path(str(resources.files("globeval") / "data" / "bundled" / name))


class GlobalMMLU(Task):
    name: ClassVar[str] = "global_mmlu"
    title: ClassVar[str] = "Global-MMLU (42 languages, CS/CA annotated)"
    dataset: ClassVar[str] = "CohereForAI/Global-MMLU"
    revision: ClassVar[str] = "827d2a34d41c8951a76321e63bb0c3be703f51aa"
    languages: ClassVar[tuple[str, ...]] = LANGUAGES
    group_fields: ClassVar[tuple[str, ...]] = (
        "subject_category",
        "cultural_sensitivity_label",
        "subject",
    )
    task_args: ClassVar[dict[str, str]] = {
        "subset": "full (default), annotated, cs (culturally sensitive) or ca (agnostic)",
        "instruction": "generative formulation: the instruction placed before the question",
    }
    bundled: ClassVar[str] = "global_mmlu"
    #: lm-eval draws Lite's few-shot examples at random, the full set's in order
    random_fewshot: ClassVar[bool] = False
    fewshot_group: ClassVar[str] = "subject"

    def selected_languages(self) -> list[str]:
        chosen = self.options.languages or list(self.languages)
        unknown = [lang for lang in chosen if lang not in self.languages]
        if unknown and not (self.options.data_dir or self.options.sample):
            raise DataError(
                f"{self.name}: unknown language(s) {', '.join(unknown)}; "
                f"known: {', '.join(self.languages)}"
            )
        return chosen

    def subset(self) -> str:
        subset = str(self.options.task_args.get("subset", "full")).lower()
        if subset not in SUBSETS:
            raise DataError(f"{self.name}: subset {subset!r} is not one of {', '.join(SUBSETS)}")
        return subset

    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        data_dir = bundled_dir(self.bundled) if self.options.sample else self.options.data_dir
        revision = self.options.revision or self.revision
        subset = self.subset()
        k = self.options.num_fewshot
        samples: list[Sample] = []
        provenance: dict[str, Any] = {"dataset": self.dataset, "revision": revision, "splits": []}
        if self.options.sample:
            provenance["bundled_sample"] = True
        languages = self.selected_languages()
        if self.options.sample:
            available = {p.name for p in data_dir.iterdir() if p.is_dir()} if data_dir else set()
            languages = [lang for lang in languages if lang in available] or sorted(available)
        for lang in languages:
            test = load_split(DatasetRef(self.dataset, lang, "test", revision), data_dir)
            provenance["splits"].append(test.origin)
            items = [(row, parse_row(row)) for row in test.rows]
            shots = self._fewshot(lang, [it for _, it in items], data_dir, revision, provenance)
            kept = 0
            for (row, item), examples in zip(items, shots, strict=True):
                if not self._in_subset(item, subset):
                    continue
                if self.options.limit is not None and kept >= self.options.limit:
                    break
                kept += 1
                sample_id = str(row.data.get("sample_id") or f"{lang}/{row.index}")
                samples.append(
                    Sample(
                        id=sample_id,
                        language=lang,
                        config=lang,
                        source=row.source,
                        row=row.index,
                        payload=(item, tuple(examples)),
                        groups={
                            "subject_category": item.subject_category,
                            "cultural_sensitivity_label": item.label,
                            "subject": item.subject,
                        },
                    )
                )
        provenance["subset"] = subset
        provenance["num_fewshot"] = k
        return samples, provenance

    @staticmethod
    def _in_subset(item: GlobalMMLUItem, subset: str) -> bool:
        if subset == "annotated":
            return item.is_annotated
        if subset == "cs":
            return item.label == "CS"
        if subset == "ca":
            return item.label == "CA"
        return True

    def _fewshot(
        self,
        lang: str,
        items: Sequence[GlobalMMLUItem],
        data_dir: Path | None,
        revision: str,
        provenance: dict[str, Any],
    ) -> list[list[GlobalMMLUItem]]:
        k = self.options.num_fewshot
        if k == 0:
            return [[] for _ in items]
        dev = load_split(DatasetRef(self.dataset, lang, "dev", revision), data_dir)
        provenance["splits"].append(dev.origin)
        pool: dict[str, list[GlobalMMLUItem]] = {}
        for row in dev.rows:
            item = parse_row(row)
            pool.setdefault(getattr(item, self.fewshot_group), []).append(item)
        if self.random_fewshot:
            # one seeded sampler per (language, category) task, drawn in evaluation order
            out: list[list[GlobalMMLUItem]] = [[] for _ in items]
            for key, group_pool in pool.items():
                idx = [i for i, it in enumerate(items) if getattr(it, self.fewshot_group) == key]
                if len(group_pool) < k:
                    raise DataError(f"{lang} dev split: {key!r} has {len(group_pool)} < {k} items")
                draws = lm_eval_random_fewshot(
                    [items[i] for i in idx], group_pool, k, seed=self.options.seed
                )
                for i, drawn in zip(idx, draws, strict=True):
                    out[i] = drawn
            missing = {getattr(it, self.fewshot_group) for it in items} - set(pool)
            if missing:
                raise DataError(f"{lang} dev split has no items for {sorted(missing)}")
            return out
        shots = []
        for item in items:
            group_pool = pool.get(getattr(item, self.fewshot_group), [])
            if len(group_pool) < k:
                raise DataError(
                    f"{lang} dev split: {getattr(item, self.fewshot_group)!r} has "
                    f"{len(group_pool)} items, fewer than --num-fewshot {k}"
                )
            shots.append(group_pool[:k])
        return shots

    def requests(self, sample: Sample) -> list[Request]:
        item, examples = sample.payload
        block = fewshot_block(examples)
        instruction = str(self.options.task_args.get("instruction", DEFAULT_INSTRUCTION))
        return build_requests(
            block + question_text(item),
            len(item.choices),
            self.options.formulation,
            self.options.chat,
            instruction,
            self.options.max_gen_tokens,
            shared=len(block),
        )

    def score(
        self, sample: Sample, requests: Sequence[Request], results: Sequence[Result]
    ) -> Scored:
        item, _ = sample.payload
        return score_choice(sample, item, requests, results)


class GlobalMMLULite(GlobalMMLU):
    name: ClassVar[str] = "global_mmlu_lite"
    title: ClassVar[str] = "Global-MMLU-Lite (200 CS + 200 CA per language)"
    dataset: ClassVar[str] = "CohereLabs/Global-MMLU-Lite"
    revision: ClassVar[str] = "7e5e098f4ea4655446dfb385766ee48d3fb14dad"
    languages: ClassVar[tuple[str, ...]] = LITE_LANGUAGES
    random_fewshot: ClassVar[bool] = True
    fewshot_group: ClassVar[str] = "subject_category"
