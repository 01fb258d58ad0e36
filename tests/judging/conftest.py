"""Judging tests: the scripted judge backend is registered, and every test has its own cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from globeval.backends.registry import BACKENDS
from tests.judging.scripted_judges import ScriptedJudge


@pytest.fixture(autouse=True)
def scripted_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = f"{ScriptedJudge.__module__}:ScriptedJudge"
    monkeypatch.setitem(BACKENDS, "scripted", (target, "tests only"))
    monkeypatch.setenv("GLOBEVAL_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "requests.sqlite"


__all__ = ["ScriptedJudge"]
