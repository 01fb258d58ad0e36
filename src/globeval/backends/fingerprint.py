"""Content hashes of model files, remembered by (path, size, mtime) so big files hash once."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from globeval.data.files import sha256_of
from globeval.engine.cache import default_cache_path

#: the files of a model folder that decide its outputs
MODEL_FILE_SUFFIXES = (".safetensors", ".bin", ".json", ".model")


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
    memo[key] = sha256_of(path)
    try:
        memo_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo))
        tmp.replace(memo_file)
    except OSError:
        pass  # a read-only home only costs a rehash next time
    return memo[key]


def model_source_identity(source: str, config: Any, revision: str | None) -> dict[str, Any]:
    """What identifies a transformers model: a local folder by the hashes of its files, a Hub
    id by the commit its config was loaded from (else the revision asked for)."""
    folder = Path(source)
    if folder.is_dir():
        digest = hashlib.sha256()
        for f in sorted(folder.iterdir()):
            if f.is_file() and f.suffix in MODEL_FILE_SUFFIXES:
                digest.update(f.name.encode())
                digest.update(file_sha256(f).encode())
        return {"model_sha256": digest.hexdigest()}
    commit = getattr(config, "_commit_hash", None)
    return {"model_id": source, "model_revision": commit or revision or "main"}
