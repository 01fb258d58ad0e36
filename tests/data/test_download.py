"""Downloads into the cache: once, checked, and never a hang when offline."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from globeval.data.download import DownloadError, download


def test_download_checks_the_checksum_and_reuses_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GLOBEVAL_OFFLINE", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    source = tmp_path / "src.txt"
    source.write_bytes(b"hello")
    digest = hashlib.sha256(b"hello").hexdigest()
    dest = tmp_path / "cache" / "hello.txt"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(source.as_uri(), dest, sha256="0" * 64)
    assert not dest.exists() and list((tmp_path / "cache").iterdir()) == []
    assert download(source.as_uri(), dest, sha256=digest).read_bytes() == b"hello"
    source.unlink()
    assert download(source.as_uri(), dest) == dest  # cached: the URL is not read again
    with pytest.raises(DownloadError, match="could not download"):
        download(source.as_uri(), tmp_path / "other.txt")


def test_offline_mode_never_tries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBEVAL_OFFLINE", "1")
    source = tmp_path / "src.txt"
    source.write_bytes(b"x")
    with pytest.raises(DownloadError, match="GLOBEVAL_OFFLINE"):
        download(source.as_uri(), tmp_path / "dest")
