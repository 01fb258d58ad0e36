"""Content hashes of model files, remembered by (path, size, mtime) so big files hash once."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from globeval.engine.cache import default_cache_path


def _memo_path() -> Path:
    return default_cache_path().parent / "file-hashes.json"


def file_sha256(path: Path) -> str:
    path = path.resolve()
    stat = path.stat()
    key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    memo_file = _memo_path()
    memo: dict[str, str] = {}
    if memo_file.is_file():
        try:
            memo = json.loads(memo_file.read_text())
        except (OSError, ValueError):
            memo = {}
    if key in memo:
        return memo[key]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    memo[key] = digest.hexdigest()
    try:
        memo_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo))
        tmp.replace(memo_file)
    except OSError:
        pass  # a read-only home only costs a rehash next time
    return memo[key]
