"""Global-MMLU 5-shot log-likelihood: globeval against lm-evaluation-harness, side by side.

Both read the same local parquet files (written here, in Global-MMLU's layout) and score with
the same transformers model (the embedded Gemma 3 270M, converted once from its GGUF to a plain
fp32 transformers folder). lm-evaluation-harness runs in its own virtualenv under .bench/, with
its own global_mmlu template (its task YAML is included, only the data files are pointed at the
local copy). The script prints:
  - prompts: how many of lm-eval's contexts are byte-equal to globeval's,
  - per-item log-likelihood agreement (max |difference| over every choice of every item),
  - the wall time of each run (model load included) and the ratio.

    python benchmarks/global_mmlu_vs_lm_eval.py [--languages en,fr,ja] [--per-subject 8]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

from _common import BENCH, REPO, load_note, run, venv

LM_EVAL = ["torch==2.13.0", "lm-eval[hf]==0.4.13", "transformers==5.23.0"]
SUBJECTS = {
    "astronomy": "STEM",
    "prehistory": "Humanities",
    "nutrition": "Other",
}
WORDS = {
    "en": [
        "the",
        "river",
        "mountain",
        "city",
        "people",
        "history",
        "light",
        "energy",
        "water",
        "small",
        "large",
        "ancient",
        "modern",
        "system",
        "theory",
        "measure",
        "value",
        "change",
        "number",
        "world",
        "region",
        "body",
        "star",
        "planet",
        "food",
    ],
    "fr": [
        "le",
        "fleuve",
        "montagne",
        "ville",
        "peuple",
        "histoire",
        "lumière",
        "énergie",
        "eau",
        "petit",
        "grand",
        "ancien",
        "moderne",
        "système",
        "théorie",
        "mesure",
        "valeur",
        "changement",
        "nombre",
        "monde",
        "région",
        "corps",
        "étoile",
        "planète",
    ],
    "ja": [
        "川",
        "山",
        "都市",
        "人々",
        "歴史",
        "光",
        "エネルギー",
        "水",
        "小さい",
        "大きい",
        "古代",
        "現代",
        "体系",
        "理論",
        "測定",
        "値",
        "変化",
        "数",
        "世界",
        "地域",
        "体",
        "星",
        "惑星",
        "食べ物",
        "は",
        "が",
        "を",
        "に",
        "の",
        "で",
        "と",
    ],
    "ar": [
        "النهر",
        "الجبل",
        "المدينة",
        "الناس",
        "التاريخ",
        "الضوء",
        "الطاقة",
        "الماء",
        "صغير",
        "كبير",
        "قديم",
        "حديث",
        "النظام",
        "النظرية",
        "القياس",
        "القيمة",
        "التغيير",
        "العدد",
        "العالم",
        "المنطقة",
        "الجسم",
        "النجم",
        "الكوكب",
    ],
}


def sentence(rng: random.Random, lang: str, lo: int, hi: int) -> str:
    words = [rng.choice(WORDS[lang]) for _ in range(rng.randint(lo, hi))]
    sep = "" if lang == "ja" else " "
    return sep.join(words) + ("？" if lang == "ja" else "?")


def item(rng: random.Random, lang: str, subject: str, sample_id: str) -> dict[str, object]:
    return {
        "sample_id": sample_id,
        "subject": subject,
        "subject_category": SUBJECTS[subject],
        "question": sentence(rng, lang, 30, 90),
        **{f"option_{c}": sentence(rng, lang, 2, 12).rstrip("?？") for c in "abcd"},
        "answer": rng.choice("ABCD"),
        "required_knowledge": "[]", "time_sensitive": "[]", "reference": "[]",
        "culture": "[]", "region": "[]", "country": "[]",
        "cultural_sensitivity_label": "-", "is_annotated": False,
    }  # fmt: skip


def write_data(root: Path, languages: list[str], per_subject: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(0)
    for lang in languages:
        splits: dict[str, list[dict[str, object]]] = {"dev": [], "test": []}
        for subject in SUBJECTS:
            for split, n in (("dev", 5), ("test", per_subject)):
                rows = [item(rng, lang, subject, f"{subject}/{split}/{i}") for i in range(n)]
                splits[split].extend(rows)
                # lm-eval's full tasks are one per subject: give each its own files
                folder = root / "by_subject" / lang / subject
                folder.mkdir(parents=True, exist_ok=True)
                pq.write_table(pa.Table.from_pylist(rows), folder / f"{split}.parquet")
        for split, rows in splits.items():
            (root / "layout" / lang).mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(rows), root / "layout" / lang / f"{split}.parquet")


def lm_eval_tasks(root: Path, python: Path, languages: list[str]) -> Path:
    """Task YAMLs that include lm-eval's own global_mmlu template and point at local files."""
    probe = "import lm_eval, pathlib; print(pathlib.Path(lm_eval.__file__).parent)"
    import subprocess

    lm_eval_dir = Path(subprocess.check_output([str(python), "-c", probe], text=True).strip())
    folder = root / "lm_eval_tasks"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for lang in languages:
        template = lm_eval_dir / "tasks" / "global_mmlu" / "full" / lang / f"_{lang}_template_yaml"
        for subject in SUBJECTS:
            data = root / "by_subject" / lang / subject
            (folder / f"bench_{lang}_{subject}.yaml").write_text(
                f"include: {template}\n"
                f"task: bench_gmmlu_{lang}_{subject}\n"
                "dataset_path: parquet\n"
                "dataset_name: null\n"
                "dataset_kwargs:\n"
                "  data_files:\n"
                f"    test: {data / 'test.parquet'}\n"
                f"    dev: {data / 'dev.parquet'}\n"
            )
    return folder


def read_lm_eval(out: Path) -> dict[tuple[str, str], tuple[str, list[float]]]:
    """(language, sample_id) -> (context, log-likelihood per choice) from lm-eval's samples."""
    found: dict[tuple[str, str], tuple[str, list[float]]] = {}
    for path in out.rglob("samples_bench_gmmlu_*.jsonl"):
        lang = path.name.split("_")[3]
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            context = rec["arguments"]["gen_args_0"]["arg_0"]
            logprobs = [float(r[0][0]) for r in rec["resps"]]
            found[(lang, rec["doc"]["sample_id"])] = (context, logprobs)
    return found


def read_globeval(run_dir: Path) -> dict[tuple[str, str], tuple[str, list[float]]]:
    import pyarrow.parquet as pq

    rows = pq.read_table(run_dir / "samples" / "global_mmlu.parquet").to_pylist()
    return {
        (r["language"], r["sample_id"]): (r["prompt"], json.loads(r["extra"])["logprobs"])
        for r in rows
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default="en,fr,ja")
    parser.add_argument("--per-subject", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    languages = args.languages.split(",")

    root = BENCH / "global_mmlu_vs_lm_eval"
    shutil.rmtree(root / "layout", ignore_errors=True)
    shutil.rmtree(root / "by_subject", ignore_errors=True)
    write_data(root, languages, args.per_subject)
    python = venv("lm-eval", LM_EVAL)

    sys.path.insert(0, str(REPO / "src"))
    from globeval.backends.embedded import EMBEDDED
    from globeval.backends.hf import convert_gguf

    model = convert_gguf(EMBEDDED["gemma-3-270m"].path())
    tasks = lm_eval_tasks(root, python, languages)
    n_items = len(languages) * len(SUBJECTS) * args.per_subject
    print(f"{n_items} items, 5-shot, {len(languages)} languages; model {model}; {load_note()}")

    lm_out = root / "lm_eval_out"
    shutil.rmtree(lm_out, ignore_errors=True)
    lm_eval_cmd = [
        str(python), "-m", "lm_eval", "--model", "hf",
        "--model_args", f"pretrained={model},dtype=float32,add_bos_token=True",
        "--tasks", ",".join(f"bench_gmmlu_{lang}_{s}" for lang in languages for s in SUBJECTS),
        "--include_path", str(tasks), "--num_fewshot", "5", "--device", "cpu",
        "--batch_size", str(args.batch_size), "--log_samples", "--output_path", str(lm_out),
    ]  # fmt: skip
    offline = {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    lm_eval_seconds = run(lm_eval_cmd, env=offline)
    runs = root / "globeval_runs"
    shutil.rmtree(runs, ignore_errors=True)
    globeval_cmd = [
        sys.executable, "-m", "globeval.cli.main", "run", "global_mmlu",
        "--data-dir", str(root / "layout"), "-l", ",".join(languages), "-k", "5",
        "--backend", "transformers", "--model", str(model), "-M", "add_bos_token=true",
        "-M", f"batch_size={args.batch_size}", "--no-cache", "--no-progress",
        "-o", str(runs), "--run-name", "bench",
    ]  # fmt: skip
    globeval_seconds = run(globeval_cmd, env={"TOKENIZERS_PARALLELISM": "false"})

    theirs = read_lm_eval(lm_out)
    ours = read_globeval(runs / "bench")
    assert set(theirs) == set(ours), "the two runs scored different items"
    same_prompt = sum(theirs[k][0] == ours[k][0] for k in ours)
    diffs = [abs(a - b) for k in ours for a, b in zip(theirs[k][1], ours[k][1], strict=True)]
    agree = sum(
        max(range(4), key=lambda i: theirs[k][1][i]) == max(range(4), key=lambda i: ours[k][1][i])
        for k in ours
    )
    print(f"prompts byte-equal to lm-eval's: {same_prompt}/{len(ours)}")
    print(f"log-likelihoods: max |diff| {max(diffs):.2e}, mean {sum(diffs) / len(diffs):.2e} "
          f"over {len(diffs)} choices; same prediction on {agree}/{len(ours)} items")  # fmt: skip
    print(f"wall time: lm-eval {lm_eval_seconds:.1f}s, globeval {globeval_seconds:.1f}s, "
          f"ratio {lm_eval_seconds / globeval_seconds:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
