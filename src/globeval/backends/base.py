"""The one protocol every backend implements; the engine never asks which one it holds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    Request,
    RequestFailure,
    RequestKind,
    Result,
    RewardRequest,
    RewardResult,
)


class BackendError(RuntimeError):
    """A backend could not be built or could not serve a request."""


class UnsupportedRequest(BackendError):
    """The backend cannot serve this kind of request (for example log-likelihood on a chat API)."""


class Backend(ABC):
    """A model behind a small set of request types.

    Implementations must be deterministic for loglikelihood requests: the same request gives
    the same result whatever the batch it arrives in (the engine caches results by request).
    """

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[RequestKind]]

    #: how many unique contexts (loglikelihood) or prompts (generate) the engine sends at once
    batch_size: int = 1
    #: the backend keeps its KV cache from one batch to the next and reuses a held prefix: the
    #: engine then sends requests in prompt order (shared few-shot blocks adjacent)
    holds_prefix_cache: ClassVar[bool] = False

    @abstractmethod
    def identity(self) -> dict[str, Any]:
        """Everything that changes results (model hash, dtype, ...): the cache namespace."""

    def describe(self) -> dict[str, Any]:
        """What the run manifest records about this backend (identity plus context)."""
        return {"backend": self.name, **self.identity(), "chat_template": self.chat_template()}

    def chat_template(self) -> str | None:
        """The model's chat template, or None when it has none."""
        return None

    def render_chat(self, messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
        """Render messages with the model's chat template into one prompt string."""
        raise UnsupportedRequest(f"backend {self.name!r} has no chat template to apply")

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        raise UnsupportedRequest(
            f"backend {self.name!r} cannot compute log-likelihoods; "
            "use the generative formulation (--formulation generative)"
        )

    def generate(self, requests: Sequence[GenerateRequest]) -> list[GenerateResult]:
        raise UnsupportedRequest(f"backend {self.name!r} cannot generate text")

    def reward(self, requests: Sequence[RewardRequest]) -> list[RewardResult]:
        raise UnsupportedRequest(
            f"backend {self.name!r} cannot score responses with a reward; use --backend hf-rm "
            "(a sequence-classification reward model), --backend dpo (a policy and its "
            "reference model) or a generative judge (--formulation generative)"
        )

    def stream(
        self, kind: RequestKind, requests: Sequence[Request]
    ) -> Iterator[tuple[int, Result | RequestFailure]]:
        """Yield (index, result) as requests finish, in any order.

        The engine stores each result as it arrives, so a killed run loses no finished request.
        The default serves the batch with one call; concurrent backends (HTTP APIs) override
        this to yield as responses come back, and yield RequestFailure for a request that
        failed for good instead of raising, which would fail the whole batch.
        """
        method = getattr(self, kind, None)
        if method is None:
            raise UnsupportedRequest(f"backend {self.name!r} cannot serve {kind!r} requests")
        yield from enumerate(method(list(requests)))

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the model; the default holds nothing to release."""


def split_trailing_space(context: str, continuation: str) -> tuple[str, str]:
    """Move trailing whitespace of the context onto the continuation, as lm-eval does.

    Tokenizers attach a leading space to the following word, so "Answer: A" tokenizes as
    "Answer:" + " A"; a context ending in a space would otherwise split differently.
    """
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces:
        return context[:-n_spaces], context[-n_spaces:] + continuation
    return context, continuation
