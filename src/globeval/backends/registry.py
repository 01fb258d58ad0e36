"""Backends by name, imported only when used so that optional dependencies stay optional."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from globeval.backends.base import Backend, BackendError
from globeval.backends.embedded import DEFAULT_BASE, DEFAULT_CHAT, EMBEDDED

#: name -> (module:class, what it needs installed)
BACKENDS: dict[str, tuple[str, str]] = {
    "llamacpp": ("globeval.backends.llamacpp:LlamaCppBackend", 'pip install "globeval[llama]"'),
    "transformers": ("globeval.backends.hf:TransformersBackend", 'pip install "globeval[hf]"'),
    "openai": ("globeval.backends.openai_api:OpenAIBackend", 'pip install "globeval[api]"'),
    "litellm": ("globeval.backends.litellm_api:LiteLLMBackend", 'pip install "globeval[litellm]"'),
    "hf-rm": ("globeval.backends.hf_reward:SequenceClassifierRM", 'pip install "globeval[hf]"'),
    "dpo": ("globeval.backends.dpo:ImplicitDPOReward", "the packages of the policy's backend"),
}
#: backends that reach a model through a server, which knows it by name (no local file)
REMOTE_BACKENDS = frozenset({"openai", "litellm"})


@dataclass(frozen=True)
class ModelSpec:
    backend: str
    model: str
    args: dict[str, Any] = field(default_factory=dict)
    embedded: str | None = None


def parse_value(text: str) -> Any:
    """`key=value` arguments from the command line: booleans, ints and floats, else strings."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_pairs(pairs: list[str] | None, what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BackendError(f"{what} {pair!r} is not of the form key=value")
        out[key.strip()] = parse_value(value.strip())
    return out


def resolve_model(
    model: str | None, backend: str | None, args: dict[str, Any], want_chat: bool = False
) -> ModelSpec:
    """Decide which backend serves `model`: embedded names and .gguf files go to llama.cpp."""
    if backend in REMOTE_BACKENDS:  # no model: the server's first one
        return ModelSpec(backend, model or "", args)
    if model is None:
        model = DEFAULT_CHAT if want_chat else DEFAULT_BASE
    if backend is not None and backend not in BACKENDS:
        raise BackendError(f"unknown backend {backend!r}; known: {', '.join(sorted(BACKENDS))}")
    if model in EMBEDDED:
        path = str(EMBEDDED[model].path())
        return ModelSpec(backend or "llamacpp", path, args, embedded=model)
    if model.endswith(".gguf") and backend in (None, "llamacpp"):
        if not Path(model).is_file():
            raise BackendError(f"GGUF file not found: {model}")
        return ModelSpec("llamacpp", model, args)
    return ModelSpec(backend or "transformers", model, args)


def create_backend(spec: ModelSpec) -> Backend:
    target, install = BACKENDS[spec.backend]
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BackendError(
            f"backend {spec.backend!r} needs packages that are not installed ({exc.name}): {install}"
        ) from exc
    cls: type[Backend] = getattr(module, class_name)
    try:
        return cls(spec.model, embedded=spec.embedded, **spec.args)  # type: ignore[call-arg]
    except TypeError as exc:
        raise BackendError(f"bad model argument for backend {spec.backend!r}: {exc}") from exc
