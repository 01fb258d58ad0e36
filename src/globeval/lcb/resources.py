"""The files the Language Confusion Benchmark needs, from the reference repository at a pinned
commit: test sets, English word list and few-shot examples.

Each is taken from an explicit path when given, else from globeval's cache, else downloaded
into the cache (when online) and checked against the checksum of the pinned commit's file.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from globeval.data.download import DownloadError, cache_root, download
from globeval.data.errors import DataError
from globeval.data.files import sha256_of

REPO = "for-ai/language-confusion"
COMMIT = "0cfdbb4a64502648938c456b2fa9689968f22298"
#: sha256 of the files at COMMIT
SHA256 = {
    "test_sets.zip": "3425337489fa65ff15d977e981e9748c86ce8e88ef0f4457ecdb4a65d8702712",
    "words": "1ec8230beef2a7c955742b089fc3cea2833866cf5482bf018d7c4124eef104bd",
    "few_shot_prompting.py": "993439da40fa468887b6fe95bcab1cefc8aec3538ba990629f032648c65b44d7",
}
WORDS_ENV = "GLOBEVAL_LCB_WORDS"
#: a similar (not identical) English list many Unix systems ship, used when the official one
#: cannot be had
SYSTEM_WORDS = Path("/usr/share/dict/words")


def raw_url(path: str) -> str:
    return f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/{path}"


def cache_dir() -> Path:
    return cache_root() / "lcb" / COMMIT[:12]


def fetch(name: str) -> Path:
    """A file of the pinned commit, from the cache or downloaded into it."""
    return download(raw_url(name), cache_dir() / name, sha256=SHA256[name])


@dataclass(frozen=True)
class WordListInfo:
    """Which English word list the word-level check used (path None: none, so no WPR)."""

    path: str | None
    origin: str  # option, env, cache, download, system, none
    sha256: str | None
    official: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _word_info(path: Path, origin: str, note: str = "") -> WordListInfo:
    digest = sha256_of(path)
    return WordListInfo(str(path.resolve()), origin, digest, digest == SHA256["words"], note)


def resolve_word_list(choice: Path | None = None) -> WordListInfo:
    """The official `words` file: from `choice`, $GLOBEVAL_LCB_WORDS, the cache or a download;
    else the system's /usr/share/dict/words; else none (WPR is then not computed)."""
    origin = "option"
    if choice is None and os.environ.get(WORDS_ENV):
        choice, origin = Path(os.environ[WORDS_ENV]), "env"
    if choice is not None:
        path = choice.expanduser()
        if not path.is_file():
            flag = f"${WORDS_ENV}" if origin == "env" else "--words"
            raise DataError(f"{path}: no such word list ({flag})")
        return _word_info(path, origin)
    cached = cache_dir() / "words"
    if cached.is_file():
        return _word_info(cached, "cache")
    try:
        return _word_info(fetch("words"), "download")
    except DownloadError as exc:
        if SYSTEM_WORDS.is_file():
            note = f"official word list unavailable ({exc}); used {SYSTEM_WORDS}"
            return _word_info(SYSTEM_WORDS, "system", note)
        note = f"no English word list ({exc}): WPR not computed"
        return WordListInfo(None, "none", None, False, note)


def _safe_extract(archive: Path, target: Path) -> None:
    """Extract a zip, refusing members that would land outside `target`."""
    root = target.resolve()
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            dest = (root / member.filename).resolve()
            if not dest.is_relative_to(root):
                raise DataError(f"{archive}: member {member.filename!r} escapes the archive")
        zf.extractall(root)


def locate_test_sets(data_dir: Path | None) -> tuple[Path, dict[str, Any]]:
    """The folder holding monolingual/ and crosslingual/: under `data_dir` (that folder, its
    test_sets/ subfolder, or test_sets.zip), else the pinned commit's test_sets.zip."""
    if data_dir is not None:
        path = data_dir.expanduser()
        if path.is_file() and path.suffix == ".zip":
            target = cache_dir() / f"unzipped-{sha256_of(path)[:16]}"
            if not target.is_dir():
                _safe_extract(path, target)
            return _find_root(target, path), {"local": str(path), "sha256": sha256_of(path)}
        return _find_root(path, path), {"local": str(path)}
    target = cache_dir() / "unzipped"
    if not (target / "test_sets").is_dir():
        try:
            archive = fetch("test_sets.zip")
        except DownloadError as exc:
            raise DataError(
                f"{exc}\nWith no network, get test_sets.zip from github.com/{REPO} (commit "
                f"{COMMIT[:12]}) and pass --data-dir test_sets.zip (or its unzipped folder); "
                "or try the bundled sample with --sample."
            ) from exc
        _safe_extract(archive, target)
    origin = {"repo": REPO, "commit": COMMIT, "sha256": SHA256["test_sets.zip"]}
    return _find_root(target, target), origin


def _find_root(folder: Path, given: Path) -> Path:
    for candidate in (folder, folder / "test_sets"):
        if (candidate / "monolingual").is_dir() or (candidate / "crosslingual").is_dir():
            return candidate
    raise DataError(
        f"{given}: no monolingual/ or crosslingual/ folder (expected the unzipped test_sets "
        "of the Language Confusion Benchmark)"
    )


def fewshot_file(choice: Path | None) -> Path:
    """The few-shot examples: a given .py (the repository's few_shot_prompting.py) or .json,
    else the pinned commit's few_shot_prompting.py from the cache or a download."""
    if choice is not None:
        if not choice.is_file():
            raise DataError(f"{choice}: no such few-shot file (-T fewshot_file)")
        return choice
    try:
        return fetch("few_shot_prompting.py")
    except DownloadError as exc:
        raise DataError(
            f"few-shot examples unavailable: {exc}\nWith no network, pass "
            "-T fewshot_file=PATH (the repository's few_shot_prompting.py, or the same "
            "examples as JSON)."
        ) from exc
