"""The Ray executor: one run's requests spread over the workers of a Ray cluster.

Each worker is a Ray actor that builds the backend once (a transformers model on a GPU node, a
llama.cpp model on a CPU node) and serves chunks of requests with its own engine, which isolates
failing requests as it does locally. The driver keeps everything else: it loads the data, dedupes
requests, reads and writes the request cache, scores, and writes the one run folder.

Units of work. The driver's engine orders the run's unique requests (log-likelihood contexts
sorted so that a task's and a language's shared few-shot prefixes sit together) and hands them
over in one batch; the executor cuts it into chunks of whole contexts, the longest first, and
keeps two chunks in flight per worker, so a fast worker takes more. A chunk's results enter the
driver's cache as soon as it finishes: a killed run, rerun, sends only unfinished chunks'
requests. The cache namespace is the backend's own, so a Ray run and a local run of the same
model share results.

Faults. Ray restarts a dead worker once and retries its chunk; a chunk that still fails is sent
to another worker; a chunk that fails everywhere comes back as failed requests, counted in the
run, never dropped. A request that the backend cannot serve at all stops the run, as locally.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from globeval.backends.base import Backend, BackendError, UnsupportedRequest
from globeval.backends.registry import REMOTE_BACKENDS, ModelSpec, create_backend
from globeval.engine.engine import request_length
from globeval.requests import (
    ChatMessage,
    LoglikelihoodRequest,
    Request,
    RequestFailure,
    RequestKind,
    Result,
)

#: chunks in flight per worker: one running, one queued, so a worker never waits on the driver
IN_FLIGHT_PER_WORKER = 2
#: attempts per chunk across workers before its requests count as failed
CHUNK_ATTEMPTS = 3


class RayWorker:
    """Holds one backend on a Ray worker (wrapped by ray.remote at run time)."""

    def __init__(self, spec: ModelSpec) -> None:
        if spec.embedded is not None:
            # the model file's path on this node, which may differ from the driver's
            from globeval.backends.embedded import EMBEDDED

            spec = ModelSpec(
                spec.backend, str(EMBEDDED[spec.embedded].path()), spec.args, spec.embedded
            )
        self.backend = create_backend(spec)

    def info(self) -> dict[str, Any]:
        return {
            "identity": self.backend.identity(),
            "describe": self.backend.describe(),
            "chat_template": self.backend.chat_template(),
            "batch_size": self.backend.batch_size,
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }

    def render_chat(self, messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
        return self.backend.render_chat(messages, add_generation_prompt)

    def run(self, requests: list[Request]) -> list[Result | RequestFailure]:
        from globeval.engine import Engine

        results, _ = Engine(self.backend, cache=None, progress=False).run(requests)
        return results

    def close(self) -> None:
        self.backend.close()


def chunk_requests(
    requests: Sequence[Request], per_chunk: int, at_least: int = 1
) -> list[list[int]]:
    """Indices in chunks of at most `per_chunk` contexts (log-likelihood: a context's
    continuations stay together) or requests, longest chunk first; smaller chunks when that
    makes fewer than `at_least` of them, so that a small run still reaches every worker."""
    groups: list[list[int]] = []
    last_context: str | None = None
    for i, req in enumerate(requests):
        if isinstance(req, LoglikelihoodRequest) and groups and req.context == last_context:
            groups[-1].append(i)
        else:
            groups.append([i])
        last_context = req.context if isinstance(req, LoglikelihoodRequest) else None
    size = max(1, min(per_chunk, len(groups) // max(1, at_least)))
    chunks = [
        [i for group in groups[j : j + size] for i in group] for j in range(0, len(groups), size)
    ]

    chunks.sort(key=lambda chunk: -max(request_length(requests[i]) for i in chunk))
    return chunks


class RayExecutorBackend(Backend):
    """A backend whose requests run on Ray workers; see `create_ray_backend`."""

    name: ClassVar[str] = "ray"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"loglikelihood", "generate"})

    def __init__(
        self,
        spec: ModelSpec,
        address: str | None = None,
        workers: int | None = None,
        gpus_per_worker: float | None = None,
        cpus_per_worker: float = 1.0,
        chunk_size: int | None = None,
    ) -> None:
        try:
            import ray
        except ImportError as exc:
            raise BackendError('the Ray executor needs: pip install "globeval[ray]"') from exc
        if spec.backend in REMOTE_BACKENDS:
            raise BackendError(
                f"the Ray executor runs in-process backends; backend {spec.backend!r} already "
                "spreads requests over servers (-M base_urls=...)"
            )
        self._ray = ray
        self._started_cluster = False
        if not ray.is_initialized():
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
            self._started_cluster = address is None
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        gpus = float(resources.get("GPU", 0.0))
        if gpus_per_worker is None:
            gpus_per_worker = 1.0 if gpus >= 1 else 0.0
        if workers is None:
            if gpus_per_worker > 0:
                workers = max(1, int(gpus // gpus_per_worker))
            else:
                workers = max(1, int(float(resources.get("CPU", 1.0)) // cpus_per_worker))
        self.address = address
        self.gpus_per_worker = gpus_per_worker
        # actor handles are dynamic proxies: typed as Any
        actor_class: Any = ray.remote(RayWorker).options(
            num_cpus=cpus_per_worker,
            num_gpus=gpus_per_worker,
            max_restarts=1,
            max_task_retries=1,
        )
        self._actors: list[Any] = [actor_class.remote(spec) for _ in range(workers)]
        try:
            self._infos: list[dict[str, Any]] = ray.get([a.info.remote() for a in self._actors])
        except Exception as exc:
            self.close()
            raise BackendError(
                f"a Ray worker could not build backend {spec.backend!r}: {exc}"
            ) from exc
        identities = {repr(sorted(i["identity"].items())) for i in self._infos}
        if len(identities) > 1:
            self.close()
            raise BackendError(
                "Ray workers hold different models (their identities differ): "
                + "; ".join(sorted(identities))
            )
        self._inner_name = spec.backend
        self._identity = dict(self._infos[0]["identity"])
        self._inner_batch = int(self._infos[0]["batch_size"])
        self.chunk_size = chunk_size or self._inner_batch * 4
        # the driver's engine hands everything over at once; chunks spread it over the workers
        self.batch_size = 1 << 30

    # -- identity ---------------------------------------------------------------------------
    def identity(self) -> dict[str, Any]:
        return self._identity

    def describe(self) -> dict[str, Any]:
        inner = dict(self._infos[0]["describe"])
        inner["executor"] = {
            "kind": "ray",
            "address": self.address or "local",
            "workers": len(self._actors),
            "gpus_per_worker": self.gpus_per_worker,
            "chunk_size": self.chunk_size,
            "hosts": sorted({i["host"] for i in self._infos}),
        }
        return inner

    def chat_template(self) -> str | None:
        template = self._infos[0]["chat_template"]
        return None if template is None else str(template)

    def render_chat(self, messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
        rendered = self._ray.get(
            self._actors[0].render_chat.remote(list(messages), add_generation_prompt)
        )
        return str(rendered)

    # -- requests ---------------------------------------------------------------------------
    def stream(
        self, kind: RequestKind, requests: Sequence[Request]
    ) -> Iterator[tuple[int, Result | RequestFailure]]:
        ray = self._ray
        if not self._actors:
            raise BackendError("every Ray worker died")
        spread = IN_FLIGHT_PER_WORKER * len(self._actors)
        chunks = deque((c, 0) for c in chunk_requests(requests, self.chunk_size, spread))
        idle = deque(actor for actor in self._actors for _ in range(IN_FLIGHT_PER_WORKER))
        running: dict[Any, tuple[list[int], int, Any]] = {}

        def submit() -> None:
            while chunks and idle:
                chunk, tries = chunks.popleft()
                actor = idle.popleft()
                ref = actor.run.remote([requests[i] for i in chunk])
                running[ref] = (chunk, tries, actor)

        submit()
        try:
            while running:
                ready, _ = ray.wait(list(running), num_returns=1)
                ref = ready[0]
                chunk, tries, actor = running.pop(ref)
                try:
                    results = ray.get(ref)
                except ray.exceptions.RayTaskError as exc:
                    cause = exc.as_instanceof_cause()
                    if isinstance(cause, UnsupportedRequest):
                        raise UnsupportedRequest(str(cause).splitlines()[-1]) from None
                    yield from self._retry_or_fail(chunk, tries, exc, chunks)
                    idle.append(actor)
                except ray.exceptions.RayActorError as exc:
                    # the worker is gone (and Ray gave up restarting it): others take its work
                    if actor in self._actors:
                        self._actors.remove(actor)
                    idle = deque(a for a in idle if a is not actor)
                    yield from self._retry_or_fail(chunk, tries, exc, chunks)
                else:
                    idle.append(actor)
                    yield from zip(chunk, results, strict=True)
                if not idle and not running:
                    raise BackendError("every Ray worker died")
                submit()
        finally:
            for ref in running:
                ray.cancel(ref, force=False)

    @staticmethod
    def _retry_or_fail(
        chunk: list[int],
        tries: int,
        error: Exception,
        chunks: deque[tuple[list[int], int]],
    ) -> Iterator[tuple[int, Result | RequestFailure]]:
        if tries + 1 < CHUNK_ATTEMPTS:
            chunks.append((chunk, tries + 1))
            return
        message = f"Ray worker failed {CHUNK_ATTEMPTS} times: {type(error).__name__}: {error}"
        for index in chunk:
            yield index, RequestFailure(message[:500])

    def close(self) -> None:
        ray = self._ray
        for actor in getattr(self, "_actors", []):
            with contextlib.suppress(Exception):  # a dead worker has nothing to close
                ray.get(actor.close.remote(), timeout=30)
            ray.kill(actor)
        self._actors = []
        if self._started_cluster and ray.is_initialized():
            ray.shutdown()


def create_ray_backend(spec: ModelSpec, **options: Any) -> RayExecutorBackend:
    """The executor under the inner backend's name, so that the engine's cache namespace (a
    hash of name and identity) is the same as in a local run of the same model."""
    cls = type(
        "RayExecutorBackend",
        (RayExecutorBackend,),
        {"name": spec.backend, "__module__": __name__},
    )
    backend: RayExecutorBackend = cls(spec, **options)
    return backend
