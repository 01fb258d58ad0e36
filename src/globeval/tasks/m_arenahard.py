"""m-ArenaHard (Aya Expanse report, arXiv 2412.04261): answers to be judged pairwise.

Data: CohereLabs/m-ArenaHard, 23 language configs, split test, columns question_id, category,
cluster, prompt: the 500 Arena-Hard-Auto v0.1 prompts machine-translated, with the same
question_id in every language. The English source set in arena-hard-auto's own layout
(`question.jsonl`, prompt in turns[0].content) is read as the `en` config when given as
--data-dir.
Protocol (arena-hard-auto v0.1 gen_answer): one user turn, temperature 0, up to 4096 new tokens
(--max-gen-tokens to change). Answers are stored per sample; `globeval judge arena` compares
them with a baseline's answers (see globeval/judging/arena.py for the judging protocol).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from globeval.data.errors import DataError, at
from globeval.data.files import Row, find_split_files, read_rows
from globeval.data.hub import DatasetRef, load_split
from globeval.tasks.base import Sample
from globeval.tasks.global_mmlu import bundled_dir
from globeval.tasks.open_ended import OpenEndedTask

LANGUAGES = (
    "ar", "cs", "de", "el", "en", "es", "fa", "fr", "he", "hi", "id", "it",
    "ja", "ko", "nl", "pl", "pt", "ro", "ru", "tr", "uk", "vi", "zh",
)  # fmt: skip
#: arena-hard-auto's own file for the English source set
ARENA_HARD_QUESTIONS = "question.jsonl"


@dataclass(frozen=True, slots=True)
class ArenaQuestion:
    question_id: str
    prompt: str
    category: str
    cluster: str


def parse_question(row: Row) -> ArenaQuestion:
    """An m-ArenaHard row (prompt column) or an arena-hard question.jsonl row (turns list)."""
    data = row.data
    qid = data.get("question_id")
    if qid is None or str(qid).strip() == "":
        raise DataError(f"{at(row.source, row.index, 'question_id')}: missing or empty")
    if "prompt" in data:
        prompt = data["prompt"]
    elif "turns" in data:
        turns = data["turns"]
        if not isinstance(turns, list) or not turns or not isinstance(turns[0], dict):
            raise DataError(
                f"{at(row.source, row.index, 'turns')}: expected a list of {{content: ...}}"
            )
        if len(turns) > 1:
            raise DataError(
                f"{at(row.source, row.index, 'turns')}: {len(turns)} turns; "
                "arena-hard v0.1 prompts have one"
            )
        prompt = turns[0].get("content")
    else:
        raise DataError(f"{at(row.source, row.index)}: needs a 'prompt' or a 'turns' column")
    if not isinstance(prompt, str) or not prompt.strip():
        raise DataError(f"{at(row.source, row.index, 'prompt')}: missing or empty")
    return ArenaQuestion(
        question_id=str(qid),
        prompt=prompt,
        category=str(data.get("category") or ""),
        cluster=str(data.get("cluster") or ""),
    )


class MArenaHard(OpenEndedTask):
    name: ClassVar[str] = "m_arenahard"
    title: ClassVar[str] = "m-ArenaHard (23 languages, answers for pairwise judging)"
    dataset: ClassVar[str] = "CohereLabs/m-ArenaHard"
    #: a README-only commit made after all 23 language configs were uploaded (read from the
    #: Hub's commit pages; not downloadable here, so unverified offline: --revision overrides)
    revision: ClassVar[str] = "311766b11a03ccaffe88257d98a0f12520f45127"
    languages: ClassVar[tuple[str, ...]] = LANGUAGES
    bundled: ClassVar[str] = "m_arenahard"
    default_max_tokens: ClassVar[int] = 4096

    def selected_languages(self, data_dir: Path | None) -> list[str]:
        chosen = self.options.languages or list(self.languages)
        if self.options.sample and data_dir is not None:
            available = sorted(p.name for p in data_dir.iterdir() if p.is_dir())
            return [lang for lang in chosen if lang in available] or available
        if data_dir is not None and not self.options.languages:
            present = [lang for lang in self.languages if find_split_files(data_dir, lang, "test")]
            if (data_dir / ARENA_HARD_QUESTIONS).is_file() and "en" not in present:
                present.append("en")
            if not present:
                raise DataError(
                    f"{data_dir}: no m-ArenaHard data found (expected DIR/<lang>/test.* or "
                    f"DIR/{ARENA_HARD_QUESTIONS})"
                )
            return sorted(present)
        unknown = [lang for lang in chosen if lang not in self.languages]
        if unknown and data_dir is None:
            raise DataError(
                f"{self.name}: unknown language(s) {', '.join(unknown)}; "
                f"known: {', '.join(self.languages)}"
            )
        return chosen

    def _rows(self, lang: str, data_dir: Path | None, revision: str) -> tuple[list[Row], Any]:
        if data_dir is not None and not find_split_files(data_dir, lang, "test"):
            questions = data_dir / ARENA_HARD_QUESTIONS
            if lang == "en" and questions.is_file():
                with questions.open("rb") as fh:
                    sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
                origin = {"local_file": str(questions), "sha256": sha256}
                return read_rows(questions), origin
        split = load_split(DatasetRef(self.dataset, lang, "test", revision), data_dir)
        return split.rows, split.origin

    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        data_dir = bundled_dir(self.bundled) if self.options.sample else self.options.data_dir
        revision = self.options.revision or self.revision
        provenance: dict[str, Any] = {"dataset": self.dataset, "revision": revision, "splits": []}
        if self.options.sample:
            provenance["bundled_sample"] = True
        samples: list[Sample] = []
        for lang in self.selected_languages(data_dir):
            rows, origin = self._rows(lang, data_dir, revision)
            provenance["splits"].append(origin)
            seen: set[str] = set()
            for row in rows:
                if self.options.limit is not None and len(seen) >= self.options.limit:
                    break
                question = parse_question(row)
                if question.question_id in seen:
                    raise DataError(
                        f"{at(row.source, row.index, 'question_id')}: duplicate "
                        f"{question.question_id!r}"
                    )
                seen.add(question.question_id)
                samples.append(
                    Sample(
                        id=f"{lang}/{question.question_id}",
                        language=lang,
                        config=lang,
                        source=row.source,
                        row=row.index,
                        payload=question,
                    )
                )
        provenance["max_gen_tokens"] = self.options.max_gen_tokens or self.default_max_tokens
        return samples, provenance

    def record_extra(self, sample: Sample) -> dict[str, Any]:
        question: ArenaQuestion = sample.payload
        return {
            "question_id": question.question_id,
            "category": question.category,
            "cluster": question.cluster,
        }
