"""Tests for globeval.executors.ray_executor on a local Ray cluster with the embedded model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from globeval.backends.registry import resolve_model
from globeval.executors.ray_executor import RayExecutorBackend, chunk_requests, create_ray_backend
from globeval.requests import GenerateRequest, LoglikelihoodRequest, LoglikelihoodResult
from globeval.runner import RunConfig, evaluate
from globeval.tasks.base import RunOptions


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_chunks_keep_a_contexts_continuations_together_and_reach_every_worker() -> None:
    requests = [LoglikelihoodRequest(f"ctx{c}", f" {x}") for c in range(5) for x in "ABCD"]
    chunks = chunk_requests(requests, per_chunk=100, at_least=4)
    assert len(chunks) == 5  # one context each: five chunks for four workers' slots
    for chunk in chunks:
        assert len({requests[i].context for i in chunk}) == 1 and len(chunk) == 4
    gens = [GenerateRequest(prompt="x" * n) for n in (1, 50, 3, 20)]
    longest_first = chunk_requests(gens, per_chunk=1)
    assert [c[0] for c in longest_first] == [1, 3, 2, 0]


def run_config(tmp_path: Path, name: str, executor: str, cache: Path | None) -> RunConfig:
    return RunConfig(
        tasks=["global_mmlu"],
        options=RunOptions(sample=True, languages=["en", "ja"], limit=1),
        model_args={"n_threads": 1, "n_ctx": 512},
        output_dir=tmp_path / "runs",
        run_name=name,
        cache_path=cache,
        progress=False,
        executor=executor,
        executor_args={"workers": 2} if executor == "ray" else {},
    )


def logprobs(run_dir: Path) -> list[float]:
    frame = pd.read_parquet(run_dir / "samples" / "global_mmlu.parquet")
    extras = [json.loads(x) if isinstance(x, str) else x for x in frame.extra]
    return [lp for extra in extras for lp in extra["logprobs"]]


def test_a_run_on_ray_equals_a_local_run_and_resumes_from_its_cache(
    ray_cluster: None, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite"
    on_ray = evaluate(run_config(tmp_path, "ray", "ray", cache))
    assert on_ray.manifest["requests"]["computed"] == 8
    executor = on_ray.manifest["model"]["executor"]
    assert executor["kind"] == "ray" and executor["workers"] == 2
    local = evaluate(run_config(tmp_path, "local", "local", None))
    # llama.cpp reuses the KV cache of the previous request's shared prefix, and its numbers
    # move by a few hundredths of a nat with what it evaluated before: workers that saw other
    # requests first agree with a local run to that precision, not to the last bit
    assert logprobs(on_ray.run_dir) == pytest.approx(logprobs(local.run_dir), abs=0.1)
    # the Ray run's results sit in the cache under the backend's own namespace: a rerun,
    # local or on Ray, computes nothing
    resumed = evaluate(run_config(tmp_path, "resumed", "local", cache))
    assert resumed.manifest["requests"]["from_cache"] == 8
    assert resumed.summary["tasks"]["global_mmlu"] == on_ray.summary["tasks"]["global_mmlu"]


def test_a_worker_killed_mid_run_hands_its_chunks_to_the_others(ray_cluster: None) -> None:
    import ray

    spec = resolve_model("gemma-3-270m", None, {"n_threads": 1, "n_ctx": 256})
    # one request per chunk: both workers always have one running and one queued
    backend: RayExecutorBackend = create_ray_backend(spec, workers=2, chunk_size=1)
    requests = [LoglikelihoodRequest(f"Q{i}: 2 + {i} =", f" {2 + i}") for i in range(12)]
    try:
        seen = {}
        for index, result in backend.stream("loglikelihood", requests):
            assert isinstance(result, LoglikelihoodResult)
            seen[index] = result
            if len(seen) == 1:
                ray.kill(backend._actors[0], no_restart=True)
        assert sorted(seen) == list(range(12))
        assert len(backend._actors) == 1  # the dead worker left the pool
    finally:
        backend.close()
