"""The engine: dedupes, orders, batches, caches and resumes requests; knows nothing of benchmarks."""

from globeval.engine.cache import RequestCache, default_cache_path
from globeval.engine.engine import Engine, EngineStats
from globeval.requests import RequestFailure

__all__ = ["Engine", "EngineStats", "RequestCache", "RequestFailure", "default_cache_path"]
