"""A stand-in for the `litellm` package where it is not installed: `acompletion` sends the
request to an OpenAI-compatible endpoint (as LiteLLM's `openai/` provider does) and raises
exceptions shaped like LiteLLM's, so the backend's mapping of errors is exercised either way."""

from __future__ import annotations

import json
import sys
import types
from typing import Any

import aiohttp


class Timeout(Exception):
    pass


class APIConnectionError(Exception):
    pass


class APIStatusError(Exception):
    def __init__(self, status_code: int, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.response = types.SimpleNamespace(headers=headers)


class _Response:
    def __init__(self, payload: dict[str, Any]) -> None:
        self._payload = payload

    def model_dump(self) -> dict[str, Any]:
        return self._payload


async def acompletion(
    model: str, api_base: str, timeout: float, num_retries: int, drop_params: bool, **body: Any
) -> _Response:
    assert num_retries == 0 and drop_params, "globeval does its own retries"
    provider, _, name = model.partition("/")
    assert provider == "openai", "the stand-in speaks to OpenAI-compatible endpoints only"
    url = f"{api_base.rstrip('/')}/chat/completions"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.post(url, json={"model": name, **body}) as response,
        ):
            text = await response.text()
            if response.status >= 400:
                headers = {k.lower(): v for k, v in response.headers.items()}
                raise APIStatusError(response.status, text[:200], headers)
    except TimeoutError as exc:
        raise Timeout(str(exc)) from exc
    except aiohttp.ClientError as exc:
        raise APIConnectionError(str(exc)) from exc
    try:
        return _Response(json.loads(text))
    except ValueError as exc:  # truncated JSON from the fault-injecting server
        raise APIConnectionError(f"invalid JSON: {exc}") from exc


def install() -> None:
    module = types.ModuleType("litellm")
    module.acompletion = acompletion  # type: ignore[attr-defined]
    module.exceptions = types.SimpleNamespace(  # type: ignore[attr-defined]
        Timeout=Timeout, APIConnectionError=APIConnectionError
    )
    sys.modules["litellm"] = module
