"""Helpers shared by the benchmark scripts: where scratch files go, timing, tables."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: scratch space for benchmark environments and data (git-ignored)
BENCH = Path(os.environ.get("GLOBEVAL_BENCH_DIR", REPO / ".bench"))


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Run a command to completion and return its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env={**os.environ, **(env or {})}, cwd=cwd)
    return time.perf_counter() - start


def venv(name: str, packages: list[str]) -> Path:
    """A virtualenv under .bench/ with `packages`, created once; returns its python."""
    root = BENCH / name
    python = root / "bin" / "python"
    marker = root / ".installed"
    if not marker.is_file() or marker.read_text() != "\n".join(packages):
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
        marker.write_text("\n".join(packages))
    return python


def load_note() -> str:
    load1, load5, _ = os.getloadavg()
    return f"load average {load1:.2f} (1 min), {load5:.2f} (5 min) on {os.cpu_count()} cores"
