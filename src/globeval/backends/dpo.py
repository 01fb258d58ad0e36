"""Implicit DPO rewards from a policy and its reference model (`--backend dpo`).

reward(x, y) = log π(y|x) − log π_ref(y|x), summed over the response's tokens (reward-bench's
DPOInference with a reference model); `norm=mean` divides each model's sum by its token count.
`reference=none` gives reference-free rewards: log π(y|x) alone (reward-bench's `sum`/`avg`
reference-free modes; its L2 `norm` mode needs per-token terms and is not offered).

The response's tokens are those after the rendered prompt: the policy's chat template renders
the conversation without a generation prompt, and the continuation is the assistant's turn as
the template writes it (header, response, end of turn), as reward-bench's `tokenize_row` cuts
it. Header tokens depend on the prompt only, so they add the same amount to both responses of a
pair. The two models are any log-likelihood backends (llama.cpp, transformers), each resolved
like `--model`: `--backend dpo --model POLICY -M reference=REF`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from globeval.backends.base import Backend, BackendError
from globeval.backends.chat_format import PLAIN, Render, plain, split_response
from globeval.requests import (
    ChatMessage,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RequestKind,
    RewardRequest,
    RewardResult,
)

NORMS = ("sum", "mean")


class ImplicitDPOReward(Backend):
    name: ClassVar[str] = "dpo"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"reward"})

    def __init__(
        self,
        model: str,
        embedded: str | None = None,
        reference: str | None = "",
        norm: str = "sum",
        policy_backend: str | None = None,
        reference_backend: str | None = None,
        batch_size: int = 8,
        **backend_args: Any,
    ) -> None:
        from globeval.backends.registry import create_backend, resolve_model

        if reference == "":
            raise BackendError(
                "--backend dpo needs its reference model: -M reference=MODEL "
                "(or -M reference=none for reference-free rewards)"
            )
        if norm not in NORMS:
            raise BackendError(f"norm must be one of {', '.join(NORMS)}")
        self.norm = norm
        self.batch_size = batch_size
        self.policy = create_backend(resolve_model(embedded or model, policy_backend, backend_args))
        self.reference: Backend | None = None
        try:
            if reference is not None:
                spec = resolve_model(str(reference), reference_backend, backend_args)
                self.reference = create_backend(spec)
        except Exception:
            self.policy.close()
            raise
        self.model_label = embedded or model
        self.reference_label = reference

    # -- identity ---------------------------------------------------------------------------
    @staticmethod
    def _of(backend: Backend | None) -> dict[str, Any] | None:
        return None if backend is None else {"backend": backend.name, **backend.identity()}

    def identity(self) -> dict[str, Any]:
        return {
            "policy": self._of(self.policy),
            "reference": self._of(self.reference),
            "norm": self.norm,
            "chat_format": "template" if self.chat_template() else PLAIN,
        }

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "norm": self.norm,
            "policy": {"model": self.model_label, **self.policy.describe()},
            "reference": None
            if self.reference is None
            else {"model": self.reference_label, **self.reference.describe()},
            "chat_template": self.chat_template(),
        }

    def chat_template(self) -> str | None:
        return self.policy.chat_template()

    def render_chat(self, messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
        if self.chat_template() is None:
            return plain(messages, add_generation_prompt)
        return self.policy.render_chat(messages, add_generation_prompt)

    # -- requests ---------------------------------------------------------------------------
    def _loglikelihood_requests(
        self, requests: Sequence[RewardRequest]
    ) -> list[LoglikelihoodRequest]:
        templated = self.chat_template() is not None
        render: Render = self.render_chat
        out = []
        for req in requests:
            context, continuation = split_response(render, req.prompt, req.response)
            out.append(LoglikelihoodRequest(context, continuation, templated=templated))
        return out

    def _value(self, result: LoglikelihoodResult) -> float:
        if self.norm == "mean":
            return result.logprob / max(1, result.n_tokens)
        return result.logprob

    def reward(self, requests: Sequence[RewardRequest]) -> list[RewardResult]:
        lls = self._loglikelihood_requests(requests)
        policy = self.policy.loglikelihood(lls)
        reference = self.reference.loglikelihood(lls) if self.reference is not None else None
        out = []
        for i, p in enumerate(policy):
            value = self._value(p)
            if reference is not None:
                value -= self._value(reference[i])
            out.append(RewardResult(value, n_tokens=p.n_tokens))
        return out

    def close(self) -> None:
        self.policy.close()
        if self.reference is not None:
            self.reference.close()
