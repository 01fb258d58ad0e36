"""Where the word list and test sets come from, offline and online-less."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from globeval.data.errors import DataError
from globeval.lcb import resources
from globeval.lcb.resources import (
    SHA256,
    cache_dir,
    fewshot_file,
    locate_test_sets,
    resolve_word_list,
)
from tests.lcb.helpers import write_words


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBEVAL_OFFLINE", "1")
    monkeypatch.delenv("GLOBEVAL_LCB_WORDS", raising=False)


def test_word_list_from_option_then_env_then_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path
) -> None:
    mine = write_words(tmp_path, ["house"])
    info = resolve_word_list(mine)
    assert (info.origin, info.official) == ("option", False)
    monkeypatch.setenv("GLOBEVAL_LCB_WORDS", str(shared_data / "lcb" / "words_en_dict.txt"))
    info = resolve_word_list()
    assert (info.origin, info.official, info.sha256) == ("env", True, SHA256["words"])
    monkeypatch.delenv("GLOBEVAL_LCB_WORDS")
    cached = cache_dir() / "words"
    cached.parent.mkdir(parents=True)
    cached.write_text("garden\n")
    assert resolve_word_list().origin == "cache"
    with pytest.raises(DataError, match="no such word list"):
        resolve_word_list(tmp_path / "nope")


def test_offline_without_a_word_list_falls_back_to_the_system_list_then_to_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = write_words(tmp_path, ["house"])
    monkeypatch.setattr(resources, "SYSTEM_WORDS", system)
    info = resolve_word_list()
    assert info.origin == "system" and info.path == str(system.resolve())
    assert "official word list unavailable" in info.note
    monkeypatch.setattr(resources, "SYSTEM_WORDS", tmp_path / "absent")
    info = resolve_word_list()
    assert info.path is None and info.origin == "none" and "WPR not computed" in info.note


def _csv_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def test_test_sets_from_a_folder_or_a_zip(tmp_path: Path) -> None:
    row = "prompt,source,language\nHello there?,okapi,en\n"
    archive = _csv_zip(tmp_path / "test_sets.zip", {"test_sets/monolingual/okapi/en.csv": row})
    root, origin = locate_test_sets(archive)
    assert (root / "monolingual" / "okapi" / "en.csv").read_text() == row
    assert origin["sha256"]
    assert locate_test_sets(root.parent)[0] == root  # the folder holding test_sets/
    with pytest.raises(DataError, match="no monolingual/ or crosslingual/ folder"):
        locate_test_sets(tmp_path / "nothing")


def test_a_zip_member_escaping_the_folder_is_refused(tmp_path: Path) -> None:
    archive = _csv_zip(tmp_path / "evil.zip", {"../../outside.csv": "x"})
    with pytest.raises(DataError, match="escapes the archive"):
        locate_test_sets(archive)
    assert not (tmp_path / "outside.csv").exists()


def test_offline_without_data_says_how_to_get_it() -> None:
    with pytest.raises(DataError, match=r"--data-dir test_sets.zip"):
        locate_test_sets(None)
    with pytest.raises(DataError, match="-T fewshot_file=PATH"):
        fewshot_file(None)
