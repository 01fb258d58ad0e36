"""Fetch a file by URL into globeval's cache, once: atomic writes, optional checksum, and a clear
error (never a hang) when there is no network."""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from globeval.data.errors import DataError
from globeval.data.files import sha256_of
from globeval.engine.cache import default_cache_path

OFFLINE_VARIABLES = ("GLOBEVAL_OFFLINE", "HF_HUB_OFFLINE")


class DownloadError(DataError):
    """A file could not be downloaded (no network, offline mode, or a bad checksum)."""


def cache_root() -> Path:
    """$GLOBEVAL_CACHE_DIR, else ~/.cache/globeval: where downloaded resources live."""
    return default_cache_path().parent


def offline() -> bool:
    return any(os.environ.get(name, "").strip() not in ("", "0") for name in OFFLINE_VARIABLES)


def download(url: str, dest: Path, sha256: str | None = None, timeout: float = 30.0) -> Path:
    """`dest` if it is already there, else `url` saved to `dest` (checked against `sha256`)."""
    if dest.is_file():
        return dest
    if offline():
        raise DownloadError(f"{url}: not downloaded ({' or '.join(OFFLINE_VARIABLES)} is set)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, tmp.open("wb") as fh:
            shutil.copyfileobj(response, fh, length=1 << 20)
        if sha256 is not None and (got := sha256_of(tmp)) != sha256:
            raise DownloadError(f"{url}: checksum mismatch (expected {sha256}, got {got})")
        tmp.replace(dest)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(f"could not download {url}: {reason}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return dest
