"""Shared fixtures: an isolated cache per test, tiny models, the shared benchmark data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test gets its own request cache; nothing touches ~/.cache/globeval."""
    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("GLOBEVAL_CACHE_DIR")
    os.environ["GLOBEVAL_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("GLOBEVAL_CACHE_DIR", None)
    else:
        os.environ["GLOBEVAL_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random Llama with a multilingual byte-level BPE tokenizer and a chat template."""
    from tests.tiny_models import build_causal_lm

    return build_causal_lm(tmp_path_factory.mktemp("tiny-lm"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The benchmark files shared beside the checkout (../shared/data)."""
    path = Path(os.environ.get("GLOBEVAL_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.fail(f"shared benchmark data not found at {path} (set GLOBEVAL_SHARED_DATA)")
    return path
