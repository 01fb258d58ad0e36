"""The sequence-classification reward backend on a tiny random reward model (no download)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from globeval.backends.base import BackendError
from globeval.backends.hf_reward import SequenceClassifierRM
from globeval.requests import ChatMessage, RewardRequest
from tiny_models import build_reward_model

PROMPT = (ChatMessage("user", "What is the capital of France?"),)
RESPONSES = [
    "Paris.",
    "The capital of France is Paris.",
    "Столица Франции — Париж.",
    "フランスの首都はパリです。",
    "Lyon, I think, but I am not sure at all about it.",
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_reward_model(tmp_path_factory.mktemp("rm"))


@pytest.fixture(scope="module")
def rm(model_dir: Path) -> SequenceClassifierRM:
    return SequenceClassifierRM(str(model_dir), batch_size=4)


def requests() -> list[RewardRequest]:
    return [RewardRequest(PROMPT, r) for r in RESPONSES]


def test_reward_is_the_models_logit_on_the_templated_conversation(rm: SequenceClassifierRM) -> None:
    import torch

    results = rm.reward(requests())
    text = rm.tokenizer.apply_chat_template(
        [
            {"role": "user", "content": PROMPT[0].content},
            {"role": "assistant", "content": "Paris."},
        ],
        tokenize=False,
    )
    ids = rm.tokenizer(text)["input_ids"]
    assert ids[0] == ids[1] == rm.tokenizer.bos_token_id  # template BOS + tokenizer BOS
    with torch.inference_mode():
        logit = rm.model(input_ids=torch.tensor([ids[1:]])).logits[0, 0].item()
    assert results[0].reward == pytest.approx(logit, abs=1e-5)
    assert results[0].n_tokens == len(ids) - 1 and not results[0].truncated
    assert len({round(r.reward, 6) for r in results}) == len(RESPONSES)


def test_results_do_not_depend_on_batching(model_dir: Path, rm: SequenceClassifierRM) -> None:
    one_by_one = SequenceClassifierRM(str(model_dir), batch_size=1)
    batched = [r.reward for r in rm.reward(requests())]
    single = [r.reward for r in one_by_one.reward(requests())]
    assert batched == pytest.approx(single, abs=1e-5)
    # results come back in request order whatever the length sort did
    reversed_rewards = [r.reward for r in rm.reward(list(reversed(requests())))]
    assert reversed_rewards == pytest.approx(list(reversed(batched)), abs=1e-5)


def test_truncation_is_counted_and_keeps_the_end(model_dir: Path) -> None:
    short = SequenceClassifierRM(str(model_dir), max_length=12)
    results = short.reward(requests())
    assert all(r.truncated and r.n_tokens == 12 for r in results)
    ids, truncated = short.encode(requests()[0])
    full, _ = SequenceClassifierRM(str(model_dir)).encode(requests()[0])
    assert truncated and ids == full[-12:]
    right = SequenceClassifierRM(str(model_dir), max_length=12, truncation="right")
    assert right.encode(requests()[0])[0] == full[:12]
    strict = SequenceClassifierRM(str(model_dir), max_length=12, truncation="error")
    with pytest.raises(BackendError, match="exceed max_length=12"):
        strict.reward(requests())


def test_language_models_are_refused(model_dir: Path) -> None:
    with pytest.raises(BackendError, match="not a reward model"):
        SequenceClassifierRM("model.gguf")
    with pytest.raises(BackendError, match="not one of the model's 1 outputs"):
        SequenceClassifierRM(str(model_dir), label=1)
    with pytest.raises(BackendError, match="could not load reward model"):
        SequenceClassifierRM(str(model_dir / "missing"))


def test_identity_changes_with_what_changes_results(
    model_dir: Path, rm: SequenceClassifierRM
) -> None:
    other = SequenceClassifierRM(str(model_dir), max_length=12)
    assert rm.identity() != other.identity()
    assert rm.identity() == SequenceClassifierRM(str(model_dir), batch_size=1).identity()
