"""Backends: llama.cpp, transformers and OpenAI-compatible servers behind one protocol."""

from globeval.backends.base import Backend, BackendError, UnsupportedRequest
from globeval.backends.registry import BACKENDS, ModelSpec, create_backend, resolve_model

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendError",
    "ModelSpec",
    "UnsupportedRequest",
    "create_backend",
    "resolve_model",
]
