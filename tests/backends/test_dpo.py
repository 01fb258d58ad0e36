"""Implicit DPO rewards from two tiny random causal LMs (no download)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from globeval.backends.base import BackendError
from globeval.backends.chat_format import split_response
from globeval.backends.dpo import ImplicitDPOReward
from globeval.backends.hf import TransformersBackend
from globeval.requests import ChatMessage, LoglikelihoodRequest, RewardRequest
from tiny_models import build_causal_lm

PROMPT = (ChatMessage("user", "What is 2 + 2?"),)
REQUESTS = [RewardRequest(PROMPT, "4"), RewardRequest(PROMPT, "The answer is 5.")]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    policy = build_causal_lm(tmp_path_factory.mktemp("policy"), seed=1)
    reference = build_causal_lm(tmp_path_factory.mktemp("reference"), seed=2)
    return str(policy), str(reference)


def loglikelihoods(model: str, requests: list[RewardRequest]) -> list[tuple[float, int]]:
    backend = TransformersBackend(model)
    lls = []
    for req in requests:
        context, continuation = split_response(backend.render_chat, req.prompt, req.response)
        # the assistant's whole turn as the template writes it
        assert continuation == f"<s>assistant: {req.response}\n"
        (result,) = backend.loglikelihood([LoglikelihoodRequest(context, continuation, True)])
        lls.append((result.logprob, result.n_tokens))
    return lls


def test_reward_is_policy_minus_reference(models: tuple[str, str]) -> None:
    policy, reference = models
    p = loglikelihoods(policy, REQUESTS)
    q = loglikelihoods(reference, REQUESTS)
    dpo = ImplicitDPOReward(policy, reference=reference, policy_backend="transformers")
    got = dpo.reward(REQUESTS)
    assert [r.reward for r in got] == pytest.approx(
        [a - b for (a, _), (b, _) in zip(p, q, strict=True)], abs=1e-5
    )
    mean = ImplicitDPOReward(policy, reference=reference, norm="mean").reward(REQUESTS)
    expected = [a / n - b / m for (a, n), (b, m) in zip(p, q, strict=True)]
    assert [r.reward for r in mean] == pytest.approx(expected, abs=1e-5)
    free = ImplicitDPOReward(policy, reference=None).reward(REQUESTS)
    assert [r.reward for r in free] == pytest.approx([a for a, _ in p], abs=1e-5)
    assert dpo.identity() != ImplicitDPOReward(policy, reference=None).identity()


def test_reference_must_be_named(models: tuple[str, str]) -> None:
    with pytest.raises(BackendError, match="-M reference=MODEL"):
        ImplicitDPOReward(models[0])
    with pytest.raises(BackendError, match="norm must be one of"):
        ImplicitDPOReward(models[0], reference=None, norm="l2")
