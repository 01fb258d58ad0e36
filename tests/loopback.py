"""Servers on loopback for tests: the mock in a thread, llama.cpp servers as subprocesses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from globeval.servers.mock import Faults, MockConfig, MockServer

#: every fault the mock can inject, about one request in three failing
ALL_FAULTS = (
    "429=0.08,500=0.08,timeout=0.02,truncated=0.06,empty=0.05,drop=0.05,"
    "retry_after=0.05,hang_seconds=5"
)


@contextmanager
def mock_server(faults: str = "", **options: object) -> Iterator[MockServer]:
    server = MockServer(MockConfig(faults=Faults.parse(faults), **options))  # type: ignore[arg-type]
    server.start()
    try:
        yield server
    finally:
        server.stop()


def embedded_path(name: str) -> Path:
    from globeval.backends.embedded import EMBEDDED

    return EMBEDDED[name].path()


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: no stray keys or base URLs from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GLOBEVAL_"))}
    env.update(extra)
    return env
