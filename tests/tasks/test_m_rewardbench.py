"""M-RewardBench / RewardBench loading: bundled sample, local copies in every Hub layout, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from globeval.data.errors import DataError
from globeval.requests import GenerateRequest, RewardRequest
from globeval.tasks.base import RunOptions
from globeval.tasks.m_rewardbench import MRewardBench, MRewardBenchTranslation, RewardBench
from globeval.tasks.preference import PreferencePair


def task(cls: type[MRewardBench] = MRewardBench, **kwargs: Any) -> MRewardBench:
    return cls(RunOptions(**kwargs))


def row(i: int, subset: str, column: str = "source", prompt: Any = "Q") -> dict[str, Any]:
    return {
        "id": i,
        "prompt": prompt,
        "chosen": f"good {i}",
        "rejected": f"bad {i}",
        column: subset,
    }


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def test_bundled_sample_covers_seven_languages_and_four_sections() -> None:
    samples, provenance = task(sample=True).load()
    by_lang: dict[str, list[Any]] = {}
    for s in samples:
        by_lang.setdefault(s.language, []).append(s)
    assert sorted(by_lang) == ["ar", "en", "fr", "hi", "ja", "ru", "zh-Hans"]
    assert all(len(v) == 8 for v in by_lang.values())
    assert {s.groups["category"] for s in samples} == {"Chat", "Chat Hard", "Safety", "Reasoning"}
    # English comes in RewardBench's schema (subset column, filtered split), the rest in
    # M-RewardBench's (source column, test split); both give the same subsets per item id
    en = {s.payload.item_id: s.payload.subset for s in by_lang["en"]}
    ja = {s.payload.item_id: s.payload.subset for s in by_lang["ja"]}
    assert en == ja
    assert provenance["bundled_sample"] is True


def test_requests_by_formulation() -> None:
    t = task(sample=True, languages=["fr"])
    (sample, *_) = t.load()[0]
    pair: PreferencePair = sample.payload
    chosen, rejected = t.requests(sample)
    assert isinstance(chosen, RewardRequest) and chosen.response == pair.chosen
    assert isinstance(rejected, RewardRequest) and rejected.response == pair.rejected
    judge = task(sample=True, languages=["fr"], formulation="generative", max_gen_tokens=64)
    (request,) = judge.requests(sample)
    assert isinstance(request, GenerateRequest) and request.messages is not None
    assert request.temperature == 0.0 and request.max_tokens == 64
    system = request.messages[0].content
    assert "The question provided is in French." in system
    assert "responses are in English." in system  # M-RewardBench's run script
    native = task(
        sample=True, formulation="generative", task_args={"judge_languages": "native"}
    ).judge("fra_Latn")
    assert native.languages == ("French", "French")
    assert task(sample=True).judge("eng_Latn").languages is None  # reward-bench's MT-Bench prompt


def test_local_copy_in_the_hub_layouts(tmp_path: Path) -> None:
    # newer revisions: parquet shards of a `test` split, subset in `source`
    shard = tmp_path / "deu_Latn" / "test-00000-of-00001.parquet"
    shard.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([row(1, "hep-go"), row(2, "donotanswer")]), shard)
    # older revisions: raw/filtered JSON (here JSON Lines), subset in `subset`
    write_jsonl(tmp_path / "kor_Hang" / "filtered.json", [row(1, "hep-go", "subset")])
    write_jsonl(tmp_path / "kor_Hang" / "raw.json", [row(1, "hep-go", "subset")] * 3)
    samples, provenance = task(data_dir=tmp_path).load()
    assert sorted((s.language, s.groups["subset"]) for s in samples) == [
        ("de", "donotanswer"),
        ("de", "hep-go"),
        ("ko", "hep-go"),
    ]
    assert "eng_Latn" in provenance["missing_configs"]  # unnamed languages may be absent
    raw, _ = task(data_dir=tmp_path, languages=["ko"], task_args={"split": "raw"}).load()
    assert len(raw) == 3


def test_named_language_must_exist(tmp_path: Path) -> None:
    (tmp_path / "deu_Latn").mkdir()
    with pytest.raises(DataError, match="no rows for config 'jpn_Jpan'"):
        task(data_dir=tmp_path, languages=["ja"]).load()
    with pytest.raises(DataError, match="unknown language 'xx'"):
        task(data_dir=tmp_path, languages=["xx"]).load()


def test_bad_rows_name_file_row_and_field(tmp_path: Path) -> None:
    bad = row(1, "hep-go")
    del bad["chosen"]
    write_jsonl(tmp_path / "fra_Latn" / "test.jsonl", [row(0, "hep-go"), bad])
    with pytest.raises(DataError, match=r"fra_Latn/test.jsonl: row 2: missing column 'chosen'"):
        task(data_dir=tmp_path, languages=["fr"]).load()
    turns = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]
    write_jsonl(tmp_path / "ita_Latn" / "test.jsonl", [row(0, "hep-go", prompt=turns)])
    with pytest.raises(DataError, match="field 'prompt': the conversation must end with a user"):
        task(data_dir=tmp_path, languages=["it"]).load()


def test_rewardbench_prior_sets_and_long_conversations() -> None:
    t = task(RewardBench, sample=True, task_args={"prior_sets": True}, formulation="generative")
    samples, provenance = t.load()
    subsets = {s.groups["subset"] for s in samples}
    assert {"anthropic_helpful", "anthropic_hhh", "shp", "summarize"} <= subsets
    assert {s.groups["category"] for s in samples if s.groups["subset"] == "shp"} == {"Prior Sets"}
    # the judge protocol drops conversations over 4 turns: kept as skipped samples, counted
    long = [s for s in samples if s.payload.turns > 4]
    assert len(long) == 1 and provenance["skipped_over_4_turns"] == {"en": 1}
    assert t.requests(long[0]) == []
    scored = t.score(long[0], [], [])
    assert (
        scored.status == "skipped"
        and scored.score is None
        and "over 4 turns" in (scored.error or "")
    )
    plain = task(RewardBench, sample=True)
    assert len(plain.load()[0]) == 8


@pytest.mark.parametrize(
    "args",
    [
        {"weights": "equal"},
        {"judge_languages": "klingon"},
        {"verdict": "lenient"},
        {"judge_system": "maybe"},
    ],
)
def test_bad_options_fail_before_loading(args: dict[str, str]) -> None:
    with pytest.raises(DataError, match=next(iter(args))):
        task(sample=True, task_args=args)


def test_translation_pairs_are_their_own_rows() -> None:
    samples, _ = task(MRewardBenchTranslation, sample=True).load()
    assert sorted(s.language for s in samples) == [
        "de-en-easy",
        "en-de-hard",
        "en-zh-hard",
        "zh-en-easy",
    ]
