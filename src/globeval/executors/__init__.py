"""Executors: where a run's requests are computed. `local` (the default) is this process;
`ray` spreads them over the workers of a Ray cluster (globeval/executors/ray_executor.py)."""

from __future__ import annotations

from typing import Any

from globeval.backends.base import Backend, BackendError
from globeval.backends.registry import ModelSpec, create_backend

EXECUTORS = ("local", "ray")


def create_executor_backend(executor: str, spec: ModelSpec, options: dict[str, Any]) -> Backend:
    """The backend a run talks to: the model itself, or a proxy to workers that hold it."""
    if executor == "local":
        return create_backend(spec)
    if executor == "ray":
        from globeval.executors.ray_executor import create_ray_backend

        return create_ray_backend(spec, **options)
    raise BackendError(f"unknown executor {executor!r}; known: {', '.join(EXECUTORS)}")
