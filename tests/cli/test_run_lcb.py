"""End-to-end: `globeval run lcb` on the embedded chat model, killed and resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq

from tests.cli.helpers import CLI, globeval
from tests.cli.test_run import _count


def test_lcb_run_resumes_after_a_kill_and_reports_lpr_wpr_lcpr(
    tmp_path: Path, shared_data: Path
) -> None:
    words = shared_data / "lcb" / "words_en_dict.txt"
    args = [
        "run", "lcb", "--sample", "-l", "ja,zh", "--limit", "1", "--max-gen-tokens", "40",
        "-M", "n_threads=1", "-M", "n_ctx=1024", "-M", "batch_size=1",
        "-T", "lid_model=ftz", "-T", f"words={words}",
    ]  # fmt: skip
    cache = tmp_path / "cache"
    env = {**os.environ, "GLOBEVAL_CACHE_DIR": str(cache)}
    proc = subprocess.Popen(
        [*CLI, *args, "-o", str(tmp_path), "--run-name", "killed", "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = cache / "requests.sqlite"
    deadline = time.monotonic() + 300
    while _count(db) < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = _count(db)
    assert 1 <= finished < 4, f"kill landed at {finished} of 4 generations"

    resumed = globeval(*args, "-o", str(tmp_path), "--run-name", "resumed", cache=cache)
    assert resumed.returncode == 0, resumed.stderr
    run_dir = tmp_path / "resumed"
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["requests"]["from_cache"] == finished
    assert manifest["requests"]["computed"] == 4 - finished
    assert manifest["model"]["embedded"] == "smollm2-135m-instruct"
    assert manifest["chat_template_applied"] is True
    scoring = manifest["data"]["lcb"]["scoring"]
    assert scoring["lid_model"]["name"] == "lid.176.ftz" and scoring["word_list"]["official"]
    assert manifest["data"]["lcb"]["generation"]["temperature"] == 0.3

    # the report: per-language LPR, WPR and LCPR, then the reference's tables per task
    header = next(line for line in resumed.stdout.splitlines() if "language" in line)
    assert all(column in header for column in ("lpr", "wpr", "lcpr"))
    assert "LCB crosslingual" in resumed.stdout and "LCB monolingual" in resumed.stdout
    summary = json.loads((run_dir / "summary.json").read_text())["tasks"]["lcb"]
    cells = {(c["task"], c["source"], c["language"]): c for c in summary["cells"]}
    # the English-centric chat model answers cross-lingual prompts in English: confusion
    assert cells[("crosslingual", "all", "all")]["lpr"] < 1.0
    rows = pq.read_table(run_dir / "samples" / "lcb.parquet").to_pylist()
    assert len(rows) == 4 and {r["status"] for r in rows} <= {"ok", "skipped"}
    confused = [r for r in rows if r["setting"] == "crosslingual" and r["score"] == 0.0]
    assert confused and all(json.loads(r["extra"])["lines"] for r in confused)

    # the same generations, scored again from the run folder, give the same figures
    rescored = globeval(
        "score", "lcb", str(run_dir), "--json", "--lid-model", "ftz", "--words", str(words)
    )
    assert rescored.returncode == 0, rescored.stderr
    for rec in json.loads(rescored.stdout):
        cell = cells[(rec["task"], rec["source"], rec["language"])]
        assert (rec["lpr"], rec["wpr"], rec["n"]) == (cell["lpr"], cell["wpr"], cell["n"])

    shown = globeval("show", str(run_dir))
    assert shown.returncode == 0 and "LCB crosslingual" in shown.stdout

    clean = globeval(*args, "-o", str(tmp_path), "--run-name", "clean", "--no-cache")
    assert clean.returncode == 0, clean.stderr
    clean_summary = json.loads((tmp_path / "clean" / "summary.json").read_text())["tasks"]["lcb"]
    assert clean_summary["cells"] == summary["cells"]
