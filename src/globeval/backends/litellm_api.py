"""Providers without an OpenAI-compatible endpoint, through LiteLLM (`pip install "globeval[litellm]"`).

The model is LiteLLM's `provider/name` (anthropic/claude-3-5-haiku-20241022,
gemini/gemini-1.5-flash, bedrock/..., cohere/command-r); LiteLLM reads each provider's key from
its usual environment variable (ANTHROPIC_API_KEY, GEMINI_API_KEY, ...), never from arguments.
Everything else is the OpenAI backend's: concurrency, adaptive 429 back-off, retries, rate
limits, usage and cost. Chat messages only (pass --apply-chat-template for plain prompts);
providers return no prompt log-probabilities, so log-likelihood tasks take the generative
formulation. LiteLLM's own retries are off (globeval retries), and parameters a provider does
not take (a seed, say) are dropped by LiteLLM rather than refused.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from globeval.api.errors import ApiConnectionError, ApiError, ApiStatusError, ApiTimeout
from globeval.api.transport import Redactor, Transport, parse_retry_after
from globeval.backends.base import BackendError, UnsupportedRequest
from globeval.backends.openai_api import GENERATIVE_HINT, OpenAIBackend, public_url
from globeval.requests import LoglikelihoodRequest, LoglikelihoodResult


def _provider_secrets() -> list[str]:
    return [
        value
        for name, value in os.environ.items()
        if value and name.endswith(("_API_KEY", "_TOKEN", "_SECRET_ACCESS_KEY"))
    ]


class LiteLLMTransport:
    """The Transport interface over `litellm.acompletion`."""

    def __init__(self, timeout: float, api_base: str | None) -> None:
        # LiteLLM fetches a price list from GitHub at import unless told to use its own copy
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        try:
            import litellm
        except ImportError as exc:
            raise BackendError(
                'the litellm backend needs: pip install "globeval[litellm]"'
            ) from exc
        self._litellm: Any = litellm
        self.timeout = timeout
        self.api_base = api_base
        self.redact = Redactor(_provider_secrets())

    def _error(self, exc: Exception) -> ApiError:
        exceptions = self._litellm.exceptions
        message = self.redact(str(exc))[:300]
        if isinstance(exc, exceptions.Timeout):
            return ApiTimeout(message)
        if isinstance(exc, exceptions.APIConnectionError):
            return ApiConnectionError(message)
        status = getattr(exc, "status_code", None)
        if not isinstance(status, int):
            return ApiConnectionError(f"{type(exc).__name__}: {message}")
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None) or {}
        return ApiStatusError(status, message, parse_retry_after(headers.get("retry-after")))

    async def post(self, base_url: str, path: str, body: dict[str, Any]) -> Any:
        if path != "/chat/completions":
            raise ApiStatusError(404, "LiteLLM is used for chat completions only")
        args = dict(body)
        model = args.pop("model")
        try:
            response = await self._litellm.acompletion(
                model=model,
                api_base=self.api_base,
                timeout=self.timeout,
                num_retries=0,
                drop_params=True,
                **args,
            )
        except Exception as exc:  # every LiteLLM error, mapped to retry or give up
            raise self._error(exc) from exc
        return response.model_dump()

    async def get(self, base_url: str, path: str) -> Any:
        raise ApiStatusError(404, "LiteLLM lists no models: pass --model provider/name")

    async def alive(self, base_url: str, timeout: float = 5.0) -> bool:
        return True  # a provider has no health endpoint: failures show on requests

    async def close(self) -> None:
        return None


class LiteLLMBackend(OpenAIBackend):
    name: ClassVar[str] = "litellm"

    def __init__(
        self, model: str, embedded: str | None = None, api_base: str | None = None, **options: Any
    ) -> None:
        if not model or "/" not in model:
            raise BackendError(
                "the litellm backend needs --model provider/name, e.g. "
                "anthropic/claude-3-5-haiku-20241022 or gemini/gemini-1.5-flash"
            )
        for argument in ("base_url", "base_urls", "api_key_env", "transport"):
            if argument in options:
                raise BackendError(f"the litellm backend takes no {argument} (use api_base)")
        self.api_base = api_base
        provider = model.split("/", 1)[0]
        super().__init__(
            model, embedded, base_url=f"litellm://{provider}", api_key_env="", **options
        )

    def _make_transport(self, kind: str, key: str | None, timeout: float) -> Transport:
        return LiteLLMTransport(timeout, self.api_base)

    def identity(self) -> dict[str, Any]:
        return {**super().identity(), "engine": "litellm"}

    def describe(self) -> dict[str, Any]:
        described = super().describe()
        described.pop("api_key_env", None)
        described.pop("api_key_set", None)
        described["api_base"] = public_url(self.api_base) if self.api_base else None
        return described

    async def _loglikelihood(self, req: LoglikelihoodRequest) -> LoglikelihoodResult:
        raise UnsupportedRequest(
            f"LiteLLM providers return no prompt log-probabilities: {GENERATIVE_HINT}"
        )
