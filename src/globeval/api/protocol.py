"""The OpenAI wire format: request bodies from globeval requests, results from response bodies.

Log-likelihood over `/v1/completions`. The prompt is context + continuation, sent with
`echo=True, logprobs=1, max_tokens=1`; servers that support it (vLLM, SGLang, llama.cpp's
servers) return the prompt's tokens with their log-probabilities and character offsets
(`text_offset`). The continuation's tokens are those that end after the context does, as if
the whole string were tokenized once (lm-eval's rule); the one generated token is left out.
A token that straddles the boundary counts for the continuation. When a server returns no
offsets, they are rebuilt from the token strings, and refused if those do not spell the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from globeval.api.errors import ApiError, MalformedResponse
from globeval.requests import (
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
)


class LogprobsError(ApiError):
    """The server's log-probabilities cannot be used for this request (not worth a retry);
    `unsupported` when the server returns none at all."""

    retryable = False

    def __init__(self, message: str, unsupported: bool = False) -> None:
        super().__init__(message)
        self.unsupported = unsupported


def _sampling(req: GenerateRequest, max_tokens_field: str, send_seed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        max_tokens_field: req.max_tokens,
        "temperature": req.temperature,
        "top_p": req.top_p,
    }
    if req.stop:
        body["stop"] = list(req.stop)
    if send_seed:
        body["seed"] = req.seed
    return body


def chat_body(
    model: str,
    req: GenerateRequest,
    extra: dict[str, Any],
    max_tokens_field: str = "max_tokens",
    send_seed: bool = True,
) -> dict[str, Any]:
    messages = [{"role": m.role, "content": m.content} for m in req.messages or ()]
    return {
        "model": model,
        "messages": messages,
        **_sampling(req, max_tokens_field, send_seed),
        **extra,
    }


def completion_body(
    model: str,
    req: GenerateRequest,
    extra: dict[str, Any],
    max_tokens_field: str = "max_tokens",
    send_seed: bool = True,
) -> dict[str, Any]:
    return {
        "model": model,
        "prompt": req.prompt,
        **_sampling(req, max_tokens_field, send_seed),
        **extra,
    }


def loglikelihood_body(
    model: str, context: str, continuation: str, extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        "model": model,
        "prompt": context + continuation,
        # one generated token: some servers refuse max_tokens=0, and llama.cpp reads 0 as "no limit"
        "max_tokens": 1,
        "temperature": 0.0,
        "logprobs": 1,
        "echo": True,
        **extra,
    }


def _first_choice(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MalformedResponse(f"expected a JSON object, got {type(data).__name__}")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise MalformedResponse("the response has no choices")
    choice = choices[0]
    if not isinstance(choice, dict):
        raise MalformedResponse("choices[0] is not an object")
    return choice


def usage_of(data: dict[str, Any]) -> tuple[int, int]:
    usage = data.get("usage") or {}
    if not isinstance(usage, dict):
        return 0, 0
    return int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)


def parse_generation(data: Any, chat: bool) -> GenerateResult:
    choice = _first_choice(data)
    if chat:
        message = choice.get("message")
        if not isinstance(message, dict):
            raise MalformedResponse("choices[0] has no message")
        text = message.get("content")
    else:
        text = choice.get("text")
    if text is not None and not isinstance(text, str):
        raise MalformedResponse(f"the completion text is a {type(text).__name__}, not a string")
    prompt_tokens, completion_tokens = usage_of(data)
    return GenerateResult(
        # a refusal or a tool call carries no content: an empty answer, scored as such
        text=text or "",
        finish_reason=str(choice.get("finish_reason") or "stop"),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )


def _offsets(tokens: Sequence[str], offsets: Any, prompt: str) -> list[int]:
    if isinstance(offsets, list) and len(offsets) == len(tokens):
        return [int(o) for o in offsets]
    rebuilt, position = [], 0
    for token in tokens:
        rebuilt.append(position)
        position += len(token)
    if not "".join(tokens).startswith(prompt):
        raise LogprobsError(
            "the server returned no text offsets and its token strings do not spell the prompt"
        )
    return rebuilt


def continuation_tokens(
    tokens: Sequence[str], offsets: Sequence[int], boundary: int, end: int
) -> list[int]:
    """Indices of the tokens that carry the text in [boundary, end)."""
    picked = []
    for i, (token, start) in enumerate(zip(tokens, offsets, strict=True)):
        if start >= end:
            continue  # the generated token
        # an empty token string is a partial UTF-8 sequence; it belongs where it starts
        if start + len(token) > boundary or (not token and start >= boundary):
            picked.append(i)
    return picked


def parse_loglikelihood(data: Any, req: LoglikelihoodRequest, context: str) -> LoglikelihoodResult:
    """`context` is the request's context after trailing spaces moved onto the continuation."""
    choice = _first_choice(data)
    logprobs = choice.get("logprobs")
    if not isinstance(logprobs, dict) or not logprobs.get("token_logprobs"):
        raise LogprobsError(
            "the server returned no prompt log-probabilities for echo=True, logprobs=1",
            unsupported=True,
        )
    tokens = [str(t) for t in logprobs.get("tokens") or []]
    token_logprobs = logprobs["token_logprobs"]
    if len(tokens) != len(token_logprobs):
        raise MalformedResponse("tokens and token_logprobs differ in length")
    prompt = req.context + req.continuation
    offsets = _offsets(tokens, logprobs.get("text_offset"), prompt)
    picked = continuation_tokens(tokens, offsets, len(context), len(prompt))
    if not picked:
        raise LogprobsError("no prompt token covers the continuation")
    tops = logprobs.get("top_logprobs") or [None] * len(tokens)
    total = 0.0
    greedy = True
    for i in picked:
        value = token_logprobs[i]
        if value is None:
            raise LogprobsError("the continuation starts at the first token, which has no logprob")
        total += float(value)
        top = tops[i] if i < len(tops) else None
        # greedy when no other candidate beats the token (the server lists the top ones)
        greedy = greedy and isinstance(top, dict) and bool(top)
        if greedy and isinstance(top, dict):
            greedy = float(value) >= max(float(v) for v in top.values()) - 1e-6
    return LoglikelihoodResult(logprob=total, is_greedy=greedy, n_tokens=len(picked))
