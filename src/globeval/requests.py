"""Request and response types: what a task asks of a model, whatever the backend."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any, Literal

RequestKind = Literal["loglikelihood", "generate", "reward"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str
    content: str


@dataclass(frozen=True, slots=True)
class LoglikelihoodRequest:
    """log P(continuation | context), summed over the continuation's tokens."""

    context: str
    continuation: str
    #: the context was rendered by a chat template and may hold special-token text
    templated: bool = False
    #: how many leading characters of the context many requests share (a few-shot block): a
    #: backend may evaluate that block once and reuse it exactly (0: no hint)
    prefix: int = 0
    kind: RequestKind = field(default="loglikelihood", init=False)


@dataclass(frozen=True, slots=True)
class GenerateRequest:
    """A completion of `prompt` (plain text) or of `messages` (rendered by a chat template)."""

    prompt: str | None = None
    messages: tuple[ChatMessage, ...] | None = None
    max_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int = 0
    #: as LoglikelihoodRequest.prefix, for a plain-text prompt
    prefix: int = 0
    kind: RequestKind = field(default="generate", init=False)

    def __post_init__(self) -> None:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("a GenerateRequest needs exactly one of prompt or messages")


@dataclass(frozen=True, slots=True)
class RewardRequest:
    """A scalar reward for `response` as the assistant's reply to the conversation `prompt`."""

    prompt: tuple[ChatMessage, ...]
    response: str
    kind: RequestKind = field(default="reward", init=False)


Request = LoglikelihoodRequest | GenerateRequest | RewardRequest


@dataclass(frozen=True, slots=True)
class LoglikelihoodResult:
    logprob: float
    is_greedy: bool
    n_tokens: int


@dataclass(frozen=True, slots=True)
class GenerateResult:
    text: str
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True, slots=True)
class RewardResult:
    reward: float
    #: tokens the model read (after truncation)
    n_tokens: int = 0
    #: the input was cut to the model's length limit
    truncated: bool = False


Result = LoglikelihoodResult | GenerateResult | RewardResult


@dataclass(frozen=True, slots=True)
class RequestFailure:
    """A request that could not be served; never cached, so a rerun tries it again."""

    error: str


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """What `dataclasses.asdict` gives for these flat frozen types, as JSON sees it, without
    its deep copies (the engine hashes and stores thousands of requests a second)."""
    names = _FIELD_NAMES.get(type(value))
    if names is None and hasattr(value, "__dataclass_fields__"):
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


# json.dumps builds a new encoder per call when given options: build them once
_KEY_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
_RESULT_ENCODER = json.JSONEncoder(ensure_ascii=False)


def request_key(request: Request) -> str:
    """A stable content hash of a request: the cache key, independent of run and order."""
    payload = _KEY_ENCODER.encode(_plain(request))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def result_to_json(result: Result) -> str:
    return _RESULT_ENCODER.encode(_plain(result))


def result_from_json(kind: RequestKind, text: str) -> Result:
    data: dict[str, Any] = json.loads(text)
    if kind == "loglikelihood":
        return LoglikelihoodResult(**data)
    if kind == "reward":
        return RewardResult(**data)
    return GenerateResult(**data)
