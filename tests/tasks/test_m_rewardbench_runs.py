"""Whole runs of the reward tasks: a tiny reward model, a scripted judge, resume, the CLI."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from globeval.backends import registry
from globeval.backends.base import Backend
from globeval.backends.hf_reward import SequenceClassifierRM
from globeval.cli.main import app
from globeval.requests import (
    GenerateRequest,
    GenerateResult,
    RequestKind,
    RewardRequest,
)
from globeval.results.run_folder import read_samples
from globeval.runner import RunConfig, evaluate
from globeval.tasks.base import RunOptions
from tiny_models import build_reward_model


@pytest.fixture(scope="module")
def rm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_reward_model(tmp_path_factory.mktemp("rm"), seed=3)


def run(tmp_path: Path, name: str, **kwargs: Any) -> Any:
    options = kwargs.pop("options")
    config = RunConfig(
        tasks=kwargs.pop("tasks", ["m_rewardbench"]),
        options=options,
        output_dir=tmp_path / "runs",
        run_name=name,
        cache_path=kwargs.pop("cache_path", tmp_path / "cache.sqlite"),
        bootstrap_resamples=200,
        progress=False,
        **kwargs,
    )
    return evaluate(config)


def test_reward_model_run_scores_every_language(tmp_path: Path, rm_dir: Path) -> None:
    options = RunOptions(sample=True, languages=["en", "ja", "ar"])
    outcome = run(tmp_path, "rm", options=options, model=str(rm_dir), backend="hf-rm")
    task = outcome.summary["tasks"]["m_rewardbench"]
    assert [r["language"] for r in task["languages"]] == ["en", "ar", "ja"]
    assert task["counts"]["samples"] == 24 and task["counts"]["ok"] == 24
    assert {g["section"] for g in task["english_gap"]} >= {"Chat", "score"}
    assert [a["language"] for a in task["agreement_with_english"]] == ["ar", "ja"]
    # per-item records keep both rewards; the item score is the strict comparison
    rows = read_samples(outcome.run_dir, "m_rewardbench")
    direct = SequenceClassifierRM(str(rm_dir))
    sample = next(r for r in rows if r["language"] == "ja" and r["subset"] == "math-prm")
    pair = json.loads(
        (Path(__file__).parents[2] / "src/globeval/data/bundled/m_rewardbench/jpn_Jpan/test.jsonl")
        .read_text()
        .splitlines()[6]
    )
    chosen, rejected = direct.reward(
        [
            RewardRequest(_prompt(pair), pair["chosen"]),
            RewardRequest(_prompt(pair), pair["rejected"]),
        ]
    )
    assert sample["extra"]["reward_chosen"] == pytest.approx(chosen.reward, abs=1e-5)
    assert sample["extra"]["reward_rejected"] == pytest.approx(rejected.reward, abs=1e-5)
    assert sample["score"] == float(chosen.reward > rejected.reward)
    assert outcome.manifest["model"]["backend"] == "hf-rm"


def _prompt(pair: dict[str, Any]) -> tuple[Any, ...]:
    from globeval.requests import ChatMessage

    return (ChatMessage("user", pair["prompt"]),)


def test_an_interrupted_run_resumes_from_the_cache(
    tmp_path: Path, rm_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = RunOptions(sample=True, languages=["en", "fr"])
    kwargs = {"options": options, "model": str(rm_dir), "backend": "hf-rm"}
    reference = run(tmp_path, "whole", cache_path=None, **kwargs)
    calls = {"n": 0}
    original = SequenceClassifierRM.reward

    def crash_after_two_batches(self: SequenceClassifierRM, requests: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt  # a user's Ctrl-C: not a request failure
        return original(self, requests)

    monkeypatch.setattr(SequenceClassifierRM, "reward", crash_after_two_batches)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, "crashed", **kwargs)
    monkeypatch.setattr(SequenceClassifierRM, "reward", original)
    resumed = run(tmp_path, "resumed", **kwargs)
    requests = resumed.summary["requests"]
    assert requests["from_cache"] == 2 * 8  # two batches of batch_size 8 were kept
    assert requests["computed"] == requests["unique"] - 16
    whole = reference.summary["tasks"]["m_rewardbench"]["sections"]
    assert resumed.summary["tasks"]["m_rewardbench"]["sections"] == whole
    again = run(tmp_path, "again", **kwargs)
    assert again.summary["requests"]["computed"] == 0


class ScriptedJudge(Backend):
    """A judge that answers from a script keyed by a word of the prompt."""

    name: ClassVar[str] = "scripted"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"generate"})
    script: ClassVar[dict[str, str]] = {
        "healthy": "Assistant A gives real tips. [[A]]",
        "Australia": "Verdict: [[B]]",
        "tense": "Both answers are fine, I cannot decide.",
        "Summarize": "[[A]] or maybe [[B]]",
    }

    def __init__(self, model: str, embedded: str | None = None) -> None:
        self.model = model

    def identity(self) -> dict[str, Any]:
        return {"script": sorted(self.script.items())}

    def chat_template(self) -> str | None:
        return "scripted"

    def generate(self, requests: Sequence[GenerateRequest]) -> list[GenerateResult]:
        out = []
        for req in requests:
            text = req.messages[-1].content if req.messages else ""
            reply = next((v for k, v in self.script.items() if k in text), "no verdict")
            out.append(GenerateResult(reply))
        return out


def test_scripted_judge_valid_malformed_and_contradictory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.BACKENDS, "scripted", (f"{__name__}:ScriptedJudge", ""))
    options = RunOptions(sample=True, languages=["en"], formulation="generative", seed=7)
    outcome = run(tmp_path, "judge", options=options, model="script", backend="scripted")
    rows = {r["extra"]["item_id"]: r for r in read_samples(outcome.run_dir, "m_rewardbench")}

    def expected(item: str, verdict: str | None) -> float:
        if verdict is None:
            return 0.5
        return 1.0 if verdict == rows[item]["extra"]["chosen_position"] else 0.0

    assert rows["90001"]["score"] == expected("90001", "A")
    assert rows["90002"]["score"] == expected("90002", "B")
    assert rows["90003"]["status"] == "format_error" and rows["90003"]["score"] == 0.5
    assert rows["90004"]["extra"]["contradictory"] is True  # reference parsing: A wins
    assert rows["90004"]["score"] == expected("90004", "A")
    task = outcome.summary["tasks"]["m_rewardbench"]
    # items 3 and 5-8 have no scripted verdict: five unparseable judgments, each 0.5
    assert task["counts"]["format_errors"] == 5
    assert task["counts"]["contradictory_verdicts"] == 1
    positions = {r["extra"]["chosen_position"] for r in rows.values()}
    assert positions == {"A", "B"}  # the order was randomized (seeded)
    assert outcome.manifest["options"]["seed"] == 7

    strict = RunOptions(**{**options.model_dump(), "task_args": {"verdict": "strict"}})
    outcome = run(tmp_path, "strict", options=strict, model="script", backend="scripted")
    rows = {r["extra"]["item_id"]: r for r in read_samples(outcome.run_dir, "m_rewardbench")}
    assert rows["90004"]["status"] == "format_error" and rows["90004"]["score"] == 0.5


def test_cli_prints_the_language_by_section_table(tmp_path: Path, rm_dir: Path) -> None:
    runner = CliRunner()
    base = ["run", "m_rewardbench", "--sample", "-l", "en,hi", "--backend", "hf-rm"]
    common = ["-o", str(tmp_path), "--cache", str(tmp_path / "c.sqlite"), "--no-progress"]
    result = runner.invoke(app, [*base, "--model", str(rm_dir), "--run-name", "a", *common])
    assert result.exit_code == 0, result.output
    assert "score by language × section" in result.output
    assert "English gap" in result.output and "agreement with English" in result.output
    for seed, name in ((4, "b"), (5, "c")):
        other = build_reward_model(tmp_path / f"rm{seed}", seed=seed)
        result = runner.invoke(app, [*base, "--model", str(other), "--run-name", name, *common])
        assert result.exit_code == 0, result.output
    runs = [str(tmp_path / n) for n in "abc"]
    result = runner.invoke(app, ["reward", "compare", *runs, "--json"])
    assert result.exit_code == 0, result.output
    compared = json.loads(result.output)
    assert len(compared["models"]) == 3
    (hi,) = compared["rank_correlation_with_english"]
    assert hi["language"] == "hi" and hi["models"] == 3
    result = runner.invoke(app, ["reward", "compare", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "not a run folder" in result.output


def test_reward_requests_on_a_language_model_explain_the_choices(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    from globeval.backends.base import UnsupportedRequest

    with pytest.raises(UnsupportedRequest, match="--backend hf-rm"):
        run(tmp_path, "lm", options=RunOptions(sample=True, languages=["en"], limit=1))
