"""Every module imports on its own, first, in a fresh interpreter: a user's script may start
from any of them, and an import cycle only shows from some starting points."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import globeval

CHECK = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "globeval" or m.startswith("globeval.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
"""


def test_each_module_imports_first() -> None:
    names = [m.name for m in pkgutil.walk_packages(globeval.__path__, "globeval.")]
    assert "globeval.lcb.scoring" in names and len(names) > 50
    proc = subprocess.run(
        [sys.executable, "-c", CHECK, *names], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == ""
