"""Run the globeval CLI in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "globeval.cli.main"]


def globeval(
    *args: str, cache: Path | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    if cache is not None:
        env["GLOBEVAL_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
