"""A request cache in SQLite: a killed run, rerun, recomputes no finished request.

Plain sqlite3 rather than an ORM: one key-value table, written in WAL mode so that a reader
(or a second run) never blocks a writer, and committed after every batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
"""


def default_cache_path() -> Path:
    root = os.environ.get("GLOBEVAL_CACHE_DIR") or Path.home() / ".cache" / "globeval"
    return Path(root) / "requests.sqlite"


def namespace_of(identity: dict[str, Any]) -> str:
    """A backend's results live under a hash of what makes them what they are."""
    payload = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


class RequestCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), timeout=60, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._conn.commit()

    def get_many(self, namespace: str, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """key -> (kind, result JSON) for the keys present."""
        out: dict[str, tuple[str, str]] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                query = (
                    "SELECT key, kind, result FROM results "
                    f"WHERE namespace = ? AND key IN ({marks})"
                )
                for key, kind, result in self._conn.execute(query, [namespace, *chunk]):
                    out[key] = (kind, result)
        return out

    def put_many(self, namespace: str, items: Iterable[tuple[str, str, str]]) -> None:
        """Store (key, kind, result JSON) triples and commit at once."""
        now = time.time()
        rows = [(namespace, key, kind, result, now) for key, kind, result in items]
        if not rows:
            return
        with self._lock:
            self._conn.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", rows)
            self._conn.commit()

    def count(self, namespace: str | None = None) -> int:
        with self._lock:
            if namespace is None:
                row = self._conn.execute("SELECT COUNT(*) FROM results").fetchone()
            else:
                row = self._conn.execute(
                    "SELECT COUNT(*) FROM results WHERE namespace = ?", (namespace,)
                ).fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
