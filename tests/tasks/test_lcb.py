"""The lcb task: samples, the paper's generation settings, per-sample diagnostics, summaries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from globeval.data.errors import DataError
from globeval.requests import ChatMessage, GenerateRequest, GenerateResult
from globeval.runner import record_of
from globeval.tasks.base import RunOptions
from globeval.tasks.lcb import LanguageConfusion
from globeval.tasks.registry import create_task


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> None:
    monkeypatch.setenv("GLOBEVAL_OFFLINE", "1")
    monkeypatch.setenv("GLOBEVAL_LCB_WORDS", str(shared_data / "lcb" / "words_en_dict.txt"))
    monkeypatch.delenv("GLOBEVAL_LID_MODEL", raising=False)


def task_of(**kwargs: Any) -> LanguageConfusion:
    task = create_task("lcb", RunOptions(sample=True, **kwargs))
    assert isinstance(task, LanguageConfusion)
    return task


def test_bundled_sample_samples_and_filters() -> None:
    samples, provenance = task_of().load()
    assert len(samples) == 30
    first = samples[0]
    assert first.groups == {"setting": "monolingual", "dataset": "aya_human_annotated"}
    assert first.id.startswith("monolingual/aya/") and first.language == first.id.split("/")[2]
    assert provenance["scoring"]["lid_model"]["name"] == "lid.176.ftz"
    assert provenance["scoring"]["word_list"]["official"] is True
    assert all(len(f["sha256"]) == 64 for f in provenance["files"])
    picked, _ = task_of(
        languages=["ja"], limit=1, task_args={"task": "crosslingual", "source": "okapi"}
    ).load()
    assert [s.id for s in picked] == ["crosslingual/okapi/ja/2"]
    with pytest.raises(DataError, match="unknown language"):
        task_of(languages=["xx"]).load()
    with pytest.raises(DataError, match="unknown source"):
        task_of(task_args={"source": "wiki"}).load()


def test_the_papers_generation_settings_with_the_chat_template() -> None:
    task = task_of(chat=True, languages=["fr"], task_args={"task": "crosslingual"})
    sample = task.load()[0][0]
    (req,) = task.requests(sample)
    assert isinstance(req, GenerateRequest)
    assert (req.max_tokens, req.temperature, req.top_p) == (100, 0.3, 0.75)
    assert req.messages == (ChatMessage("user", sample.payload[0].prompt),)
    assert req.prompt is None and req.stop == ()
    custom = task_of(
        chat=True, max_gen_tokens=20, languages=["fr"], task_args={"temperature": 0, "top_p": 1}
    )
    (req,) = custom.requests(custom.load()[0][0])
    assert (req.max_tokens, req.temperature, req.top_p) == (20, 0.0, 1.0)


def test_base_models_get_the_q_a_format_with_the_published_examples(shared_data: Path) -> None:
    fewshot = shared_data / "lcb" / "few_shot_examples.json"
    task = task_of(
        num_fewshot=1,
        languages=["ja"],
        task_args={"task": "crosslingual", "source": "okapi", "fewshot_file": str(fewshot)},
    )
    samples, provenance = task.load()
    (req,) = task.requests(samples[0])
    assert isinstance(req, GenerateRequest) and req.messages is None
    assert req.stop == ("\nQ:",)
    assert req.prompt is not None
    example_q, example_a = samples[0].payload[1]
    assert req.prompt == (
        f"Q: {example_q.message}\nA: {example_a.message}\n\nQ: {samples[0].payload[0].prompt}\nA:"
    )
    assert example_q.message.startswith("Write your answer in Portuguese.")
    assert provenance["fewshot"]["k"] == 1
    zero = task_of(languages=["ja"], task_args={"task": "crosslingual", "source": "okapi"})
    (req,) = zero.requests(zero.load()[0][0])
    assert req.prompt == f"Q: {zero.load()[0][0].payload[0].prompt}\nA:"  # type: ignore[union-attr]
    with pytest.raises(DataError, match="0 to 5"):
        task_of(num_fewshot=6, task_args={"fewshot_file": str(fewshot)}).load()


def _records(task: LanguageConfusion, texts: dict[str, str]) -> list[dict[str, Any]]:
    samples = {s.id: s for s in task.load()[0]}
    out = []
    for sample_id, text in texts.items():
        sample = samples[sample_id]
        requests = task.requests(sample)
        scored = task.score(sample, requests, [GenerateResult(text)])
        out.append(record_of(task, sample, scored))
    return out


def test_score_and_summary_with_diagnostics() -> None:
    task = task_of(chat=True, languages=["ja", "fr"])
    records = _records(
        task,
        {
            # cross-lingual Japanese answered in English: a line-level failure
            "crosslingual/okapi/ja/2": "Autumn is my favourite season because the leaves change.",
            "crosslingual/okapi/ja/3": "夜はよく眠るために、寝る前にスマホを見ないようにしましょう。",
            # Japanese with an English word: passes the line level, fails the word level
            "monolingual/native/ja/2": "秋になると気温が下がるので、葉のcolorが赤や黄色に変わります。",
            "monolingual/native/ja/3": "はい",  # too short: skipped
            "monolingual/okapi/fr/2": "Les feuilles changent de couleur car la chlorophylle "
            "disparaît en automne.\r\nVoilà pourquoi elles jaunissent puis tombent.",
        },
    )
    by_id = {r["sample_id"]: r for r in records}
    english = by_id["crosslingual/okapi/ja/2"]
    assert english["status"] == "ok" and english["score"] == 0.0 and english["parsed"] == "en"
    assert english["extra"]["lines"][0]["label"] == "en"
    assert english["extra"]["lines"][0]["probability"] > 0.9
    word = by_id["monolingual/native/ja/2"]
    assert word["score"] == 1.0 and word["extra"]["word_pass"] is False
    assert word["extra"]["english_words"] == ["color"]
    skipped = by_id["monolingual/native/ja/3"]
    assert skipped["status"] == "skipped" and skipped["score"] is None
    french = by_id["monolingual/okapi/fr/2"]
    assert french["score"] == 1.0 and len(french["extra"]["lines"]) == 2  # "\r\n" split

    summary = task.summarize(records, seed=0, n_resamples=200)
    assert summary["metric"] == "lpr" and summary["metrics"] == ["lpr", "wpr", "lcpr"]
    assert summary["counts"]["skipped"] == 1 and summary["counts"]["ok"] == 4
    ja = next(row for row in summary["languages"] if row["language"] == "ja")
    assert ja["lpr"]["value"] == pytest.approx(2 / 3) and ja["lpr"]["n"] == 3
    assert ja["wpr"]["value"] == pytest.approx(1 / 2)
    assert ja["lcpr"]["value"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    fr = next(row for row in summary["languages"] if row["language"] == "fr")
    assert fr["wpr"] is None and fr["lcpr"] is None
    cells = {(c["task"], c["source"], c["language"]): c for c in summary["cells"]}
    assert cells[("crosslingual", "okapi", "ja")]["lpr"] == 0.5
    native = cells[("monolingual", "native_prompts", "ja")]
    assert (native["lpr"], native["wpr"], native["n"], native["skipped"]) == (1.0, 0.0, 2, 1)
    assert cells[("monolingual", "all", "all")]["n"] == 3
    assert summary["notes"] and "lid.176.ftz" in summary["notes"][0]


def test_failed_generations_are_counted_not_scored() -> None:
    task = task_of(chat=True, languages=["fr"], task_args={"task": "crosslingual"})
    records = _records(task, {"crosslingual/okapi/fr/2": "Bonjour, je préfère l'automne."})
    failed = {**records[0], "sample_id": "x", "status": "failed", "score": None, "extra": {}}
    summary = task.summarize([*records, failed], seed=0, n_resamples=200)
    assert summary["counts"]["failed"] == 1
    cell = next(c for c in summary["cells"] if c["source"] == "okapi")
    assert (cell["n"], cell["failed"]) == (1, 1)
