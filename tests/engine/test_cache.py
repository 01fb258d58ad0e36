from __future__ import annotations

import sqlite3
from pathlib import Path

from globeval.engine.cache import RequestCache, namespace_of


def test_namespaces_keep_backends_apart(tmp_path: Path) -> None:
    cache = RequestCache(tmp_path / "c.sqlite")
    a, b = namespace_of({"model": "a"}), namespace_of({"model": "b"})
    cache.put_many(a, [("k1", "generate", '{"text": "x"}')])
    assert cache.get_many(a, ["k1", "k2"]) == {"k1": ("generate", '{"text": "x"}')}
    assert cache.get_many(b, ["k1"]) == {}


def test_writes_are_committed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = RequestCache(path)
    cache.put_many("ns", [(f"k{i}", "generate", "{}") for i in range(3)])
    # another connection (another process after a crash) sees them without a close()
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT COUNT(*) FROM results").fetchone() == (3,)


def test_many_keys_are_looked_up_in_chunks(tmp_path: Path) -> None:
    cache = RequestCache(tmp_path / "c.sqlite")
    cache.put_many("ns", [(f"k{i}", "generate", "{}") for i in range(1200)])
    assert len(cache.get_many("ns", [f"k{i}" for i in range(1500)])) == 1200


def test_namespace_is_order_independent() -> None:
    assert namespace_of({"a": 1, "b": 2}) == namespace_of({"b": 2, "a": 1})
