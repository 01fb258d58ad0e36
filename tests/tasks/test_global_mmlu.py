from __future__ import annotations

import json
from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.requests import LoglikelihoodRequest
from globeval.tasks.base import RunOptions
from globeval.tasks.global_mmlu import GlobalMMLU, GlobalMMLULite, bundled_dir

BUNDLED = bundled_dir("global_mmlu")

# Expected prompts written out by hand from lm-eval's global_mmlu template
# "{{question.strip()}}\nA. {{option_a}}\nB. {{option_b}}\nC. {{option_c}}\nD. {{option_d}}\nAnswer:"
# with fewshot_split dev, sampler first_n, target_delimiter " ", fewshot_delimiter "\n\n".
EN_ZERO_SHOT = "What is 15 + 27?\nA. 32\nB. 42\nC. 41\nD. 52\nAnswer:"
EN_TWO_SHOT = (
    "What is 7 + 5?\nA. 10\nB. 11\nC. 12\nD. 13\nAnswer: C\n\n"
    "What is 9 × 6?\nA. 54\nB. 56\nC. 45\nD. 63\nAnswer: A\n\n"
    "What is 15 + 27?\nA. 32\nB. 42\nC. 41\nD. 52\nAnswer:"
)


def load(**kwargs: object) -> list:  # type: ignore[type-arg]
    task = GlobalMMLU(RunOptions(sample=True, **kwargs))  # type: ignore[arg-type]
    samples, _ = task.load()
    return samples


def test_zero_shot_prompt_is_lm_evals_byte_for_byte() -> None:
    task = GlobalMMLU(RunOptions(sample=True, languages=["en"]))
    sample = task.load()[0][0]
    reqs = task.requests(sample)
    assert reqs == [LoglikelihoodRequest(EN_ZERO_SHOT, f" {c}") for c in "ABCD"]


def test_k_shot_uses_the_first_k_dev_items_of_the_same_subject() -> None:
    task = GlobalMMLU(RunOptions(sample=True, languages=["en"], num_fewshot=2))
    samples = task.load()[0]
    first = task.requests(samples[0])[0]
    assert isinstance(first, LoglikelihoodRequest)
    assert first.context == EN_TWO_SHOT
    geography = next(s for s in samples if s.groups["subject"] == "high_school_geography")
    ctx = task.requests(geography)[0]
    assert isinstance(ctx, LoglikelihoodRequest)
    assert "What is 7 + 5?" not in ctx.context  # math examples never precede a geography item


def test_question_whitespace_is_stripped_as_in_lm_eval() -> None:
    task = GlobalMMLU(RunOptions(sample=True, languages=["en"]))
    (sample,) = [
        s for s in task.load()[0] if s.payload[0].question != s.payload[0].question.strip()
    ]
    req = task.requests(sample)[0]
    assert isinstance(req, LoglikelihoodRequest)
    assert req.context.startswith(sample.payload[0].question.strip() + "\nA. ")


@pytest.mark.parametrize(
    ("subset", "per_language"), [("full", 8), ("annotated", 7), ("cs", 3), ("ca", 4)]
)
def test_subsets_filter_by_annotation(subset: str, per_language: int) -> None:
    samples = load(task_args={"subset": subset})
    languages = {s.language for s in samples}
    assert languages == {"ar", "en", "fr", "hi", "ja", "ru", "zh"}
    assert len(samples) == per_language * len(languages)
    if subset == "cs":
        assert {s.groups["cultural_sensitivity_label"] for s in samples} == {"CS"}


def test_string_encoded_annotation_lists_are_parsed() -> None:
    sample = next(
        s for s in load(languages=["en"]) if s.groups["cultural_sensitivity_label"] == "CS"
    )
    item = sample.payload[0]
    assert item.annotations["required_knowledge"] == [
        "regional",
        "cultural",
        "regional",
        "regional",
    ]
    assert item.annotations["country"] == ["France", "France", "-", "France"]


def test_limit_is_per_language() -> None:
    samples = load(limit=2)
    assert len(samples) == 14


def test_unknown_subset_is_an_error() -> None:
    with pytest.raises(DataError, match="subset 'xx'"):
        load(task_args={"subset": "xx"})


def _write_copy(tmp_path: Path, mutate: dict[str, object], drop: str | None = None) -> Path:
    rows = [json.loads(line) for line in (BUNDLED / "en/test.jsonl").read_text().splitlines()]
    rows[2].update(mutate)
    if drop:
        del rows[2][drop]
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "test.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return tmp_path


def test_answer_letter_outside_a_to_d_names_file_row_and_field(tmp_path: Path) -> None:
    data = _write_copy(tmp_path, {"answer": "E"})
    task = GlobalMMLU(RunOptions(data_dir=data, languages=["en"]))
    with pytest.raises(
        DataError, match=r"en/test\.jsonl: row 3, field 'answer': answer 'E' is not one of A-D"
    ):
        task.load()


def test_missing_column_names_file_and_row(tmp_path: Path) -> None:
    data = _write_copy(tmp_path, {}, drop="option_c")
    task = GlobalMMLU(RunOptions(data_dir=data, languages=["en"]))
    with pytest.raises(DataError, match=r"en/test\.jsonl: row 3: missing column 'option_c'"):
        task.load()


def test_bad_list_literal_names_the_field(tmp_path: Path) -> None:
    data = _write_copy(tmp_path, {"region": "['Europe', "})
    task = GlobalMMLU(RunOptions(data_dir=data, languages=["en"]))
    with pytest.raises(DataError, match=r"row 3, field 'region': not a list literal"):
        task.load()


def test_lite_draws_few_shot_examples_like_lm_evals_seeded_sampler() -> None:
    import random

    task = GlobalMMLULite(RunOptions(sample=True, languages=["en"], num_fewshot=2))
    samples = task.load()[0]
    dev = [json.loads(line) for line in (BUNDLED / "en/dev.jsonl").read_text().splitlines()]
    # lm-eval: one Random(1234) per (language, subject_category) task, sample(pool, k) per doc
    for category in ("STEM", "Social Sciences"):
        pool = [d["question"] for d in dev if d["subject_category"] == category]
        rnd = random.Random(1234)
        for sample in [s for s in samples if s.groups["subject_category"] == category]:
            expected = rnd.sample(pool, 2)
            assert [ex.question for ex in sample.payload[1]] == expected


def test_unknown_language_without_local_data_is_an_error() -> None:
    task = GlobalMMLU(RunOptions(languages=["xx"]))
    with pytest.raises(DataError, match="unknown language"):
        task.load()
