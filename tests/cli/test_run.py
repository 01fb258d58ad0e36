"""End-to-end: `globeval run` on the embedded model and the bundled sample, as the Quickstart."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq

from tests.cli.helpers import CLI, globeval


def read_run(run_dir: Path) -> tuple[dict, dict, list[dict]]:  # type: ignore[type-arg]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    rows = pq.read_table(run_dir / "samples" / "global_mmlu.parquet").to_pylist()
    for row in rows:
        row["extra"] = json.loads(row["extra"])
    return manifest, summary, rows


def test_quickstart_run_prints_per_language_table_and_writes_the_run(tmp_path: Path) -> None:
    proc = globeval("run", "global_mmlu", "--sample", "-o", str(tmp_path), "--run-name", "r1")
    assert proc.returncode == 0, proc.stderr
    for language in ("ar", "en", "fr", "hi", "ja", "ru", "zh", "macro avg", "micro avg"):
        assert language in proc.stdout
    assert "95% CI" in proc.stdout
    manifest, summary, rows = read_run(tmp_path / "r1")
    assert len(rows) == 56 and {r["status"] for r in rows} == {"ok"}
    assert manifest["model"]["embedded"] == "gemma-3-270m"
    assert len(manifest["model"]["model_sha256"]) == 64
    assert manifest["data"]["global_mmlu"]["splits"][0]["files"][0]["sha256"]
    assert manifest["chat_template_applied"] is False
    assert manifest["requests"]["computed"] == 224
    task = summary["tasks"]["global_mmlu"]
    assert [row["language"] for row in task["languages"]] == [
        "ar",
        "en",
        "fr",
        "hi",
        "ja",
        "ru",
        "zh",
    ]
    for row in task["languages"]:
        est = row["accuracy"]
        assert est["ci_low"] <= est["value"] <= est["ci_high"] and est["n"] == 8

    again = globeval("run", "global_mmlu", "--sample", "-o", str(tmp_path), "--run-name", "r2")
    assert again.returncode == 0, again.stderr
    manifest2, _, rows2 = read_run(tmp_path / "r2")
    assert manifest2["requests"]["from_cache"] == 224 and manifest2["requests"]["computed"] == 0
    assert [r["extra"] for r in rows2] == [r["extra"] for r in rows]

    shown = globeval("show", str(tmp_path / "r1"), "--by", "subject_category")
    assert shown.returncode == 0, shown.stderr
    assert "Social Sciences" in shown.stdout and "STEM" in shown.stdout


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_killed_run_resumes_without_recomputing_and_matches_a_clean_run(tmp_path: Path) -> None:
    args = ["run", "global_mmlu", "--sample", "-k", "5", "-l", "en,fr,ja", "-M", "batch_size=1"]
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
    while _count(db) < 8 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = _count(db)
    assert 8 <= finished < 96, f"kill landed at {finished} of 96 requests"
    assert not (tmp_path / "killed").exists()

    resumed = globeval(*args, "-o", str(tmp_path), "--run-name", "resumed", cache=cache)
    assert resumed.returncode == 0, resumed.stderr
    manifest, summary, rows = read_run(tmp_path / "resumed")
    assert manifest["requests"]["from_cache"] == finished
    assert manifest["requests"]["computed"] == 96 - finished

    clean = globeval(*args, "-o", str(tmp_path), "--run-name", "clean", "--no-cache")
    assert clean.returncode == 0, clean.stderr
    _, clean_summary, clean_rows = read_run(tmp_path / "clean")
    assert [r["extra"]["logprobs"] for r in rows] == [r["extra"]["logprobs"] for r in clean_rows]
    assert summary["tasks"] == clean_summary["tasks"]


def test_same_seed_same_results_other_seed_other_few_shot_draws(tmp_path: Path) -> None:
    def run(seed: int, name: str) -> tuple[dict, list[dict]]:  # type: ignore[type-arg]
        proc = globeval(
            "run", "global_mmlu_lite", "--sample", "-k", "2", "--limit", "2", "--seed", str(seed),
            "--no-cache", "-o", str(tmp_path), "--run-name", name,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        summary = json.loads((tmp_path / name / "summary.json").read_text())
        rows = pq.read_table(tmp_path / name / "samples" / "global_mmlu_lite.parquet").to_pylist()
        return summary["tasks"], rows

    a_tasks, a_rows = run(7, "a")
    b_tasks, b_rows = run(7, "b")
    assert a_tasks == b_tasks
    assert [(r["prompt"], r["extra"]) for r in a_rows] == [
        (r["prompt"], r["extra"]) for r in b_rows
    ]
    _, c_rows = run(8, "c")
    assert [r["prompt"] for r in c_rows] != [r["prompt"] for r in a_rows]


def test_bad_input_exits_with_an_error_naming_file_and_row(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "en"
    folder.mkdir(parents=True)
    row = {"question": "q", "option_a": "1", "option_b": "2", "option_c": "3", "option_d": "4"}
    (folder / "test.jsonl").write_text(
        json.dumps({**row, "answer": "A"}) + "\n" + json.dumps({**row, "answer": "F"}) + "\n"
    )
    proc = globeval(
        "run", "global_mmlu", "--data-dir", str(tmp_path / "data"), "-l", "en", "-o", str(tmp_path)
    )
    assert proc.returncode == 2
    assert "test.jsonl: row 2, field 'answer': answer 'F' is not one of A-D" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_task_and_bad_options_are_clear(tmp_path: Path) -> None:
    proc = globeval("run", "global_mmlux", "--sample", "-o", str(tmp_path))
    assert proc.returncode == 2 and "unknown task 'global_mmlux'" in proc.stderr
    proc = globeval("run", "global_mmlu", "--sample", "-T", "colour=blue", "-o", str(tmp_path))
    assert proc.returncode == 2 and "has no option colour" in proc.stderr
    proc = globeval("run", "global_mmlu", "--sample", "-M", "n_ctxx=5", "-o", str(tmp_path))
    assert proc.returncode == 2 and "bad model argument" in proc.stderr
