"""Language Confusion Benchmark (Marchisio et al. 2024, arXiv 2406.20052).

Does a model answer in the language the user wants? Data: test_sets.zip of
github.com/for-ai/language-confusion @ 0cfdbb4a. Monolingual: prompts in the target language
(aya, dolly, okapi, native). Cross-lingual: English prompts asking for an answer in one of 14
languages (okapi, sharegpt, complex_prompts).
Generation (the paper's settings): at most 100 new tokens, nucleus sampling top-p 0.75,
temperature 0.3; chat models through their chat template, base models in the reference's
Q/A format with 0-5 examples per language (--num-fewshot).
Scoring: the reference compute_metrics.py, rule for rule (globeval/lcb/metrics.py):
  lpr   line-level pass rate: every line of 5+ tokens is in the target language (fastText)
  wpr   word-level pass rate, among line-level passes: no English word (ar hi ja ko ru zh)
  lcpr  harmonic mean of lpr and wpr
Per-sample score = line-level pass (1/0); each sample's kept lines, their detected languages
and probabilities and the English words found are in its `extra` column.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from globeval.backends.fingerprint import file_sha256
from globeval.data.errors import DataError
from globeval.lcb import data as lcb_data
from globeval.lcb.metrics import (
    WPR_LANGUAGES,
    Figures,
    cell_figures,
    harmonic_mean,
    reference_figures,
)
from globeval.lcb.prompts import ROLES, FewShotExamples, Turn, load_fewshot_examples, shots
from globeval.lcb.prompts import turns_to_prompt as qa_prompt
from globeval.lcb.resources import COMMIT, REPO, fewshot_file, locate_test_sets
from globeval.lcb.scoring import ScoringSetup
from globeval.requests import ChatMessage, GenerateRequest, GenerateResult, Request, Result
from globeval.results.stats import Estimate, bootstrap_macro, bootstrap_mean
from globeval.results.summary import counts, estimate_dict
from globeval.tasks.base import Formulation, RunOptions, Sample, Scored, Task
from globeval.tasks.global_mmlu import bundled_dir
from globeval.tasks.multiple_choice import prompt_of

MAX_NEW_TOKENS = 100
TEMPERATURE = 0.3
TOP_P = 0.75


def _list_arg(value: Any) -> list[str] | None:
    if value is None or value == "":
        return None
    return [v.strip() for v in str(value).split(",") if v.strip()]


def as_read_from_csv(text: str) -> str:
    """Line breaks as the reference sees a completion after its CSV round trip (universal
    newlines): "\\r\\n" and "\\r" become "\\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class LanguageConfusion(Task):
    name: ClassVar[str] = "lcb"
    title: ClassVar[str] = "Language Confusion Benchmark (LPR, WPR, LCPR)"
    dataset: ClassVar[str] = f"github.com/{REPO} test_sets.zip"
    revision: ClassVar[str] = COMMIT
    languages: ClassVar[tuple[str, ...]] = lcb_data.LANGUAGES
    formulations: ClassVar[tuple[Formulation, ...]] = ("generative",)
    group_fields: ClassVar[tuple[str, ...]] = ("setting", "dataset")
    metric: ClassVar[str] = "lpr"
    bundled: ClassVar[str] = "lcb"
    task_args: ClassVar[dict[str, str]] = {
        "task": "monolingual, crosslingual or both (default), comma-separated",
        "source": "aya, dolly, native, okapi, sharegpt, complex_prompts (default: all)",
        "temperature": f"sampling temperature (default {TEMPERATURE}, the paper's)",
        "top_p": f"nucleus sampling p (default {TOP_P}, the paper's)",
        "lid_model": "path of a fastText LID model, or bin / ftz (default: lid.176.bin when "
        "cached or downloadable, else lid.176.ftz; env GLOBEVAL_LID_MODEL)",
        "words": "English word list (default: the repository's `words`; env GLOBEVAL_LCB_WORDS)",
        "fewshot_file": "few_shot_prompting.py of the repository, or its examples as JSON",
    }

    def __init__(self, options: RunOptions) -> None:
        # generation is the only formulation: the CLI's default (loglikelihood) means "default"
        super().__init__(options.model_copy(update={"formulation": "generative"}))
        self._setup: ScoringSetup | None = None

    def wants_chat(self) -> bool:
        return True

    # -- data ---------------------------------------------------------------------------------
    def _filters(self) -> tuple[list[str], list[str] | None, list[str] | None]:
        tasks = _list_arg(self.options.task_args.get("task")) or list(lcb_data.TASKS)
        sources = _list_arg(self.options.task_args.get("source"))
        lcb_data.check_filters(tasks, sources)
        languages = self.options.languages
        if languages:
            unknown = sorted(set(languages) - set(self.languages))
            if unknown:
                raise DataError(
                    f"lcb: unknown language(s) {', '.join(unknown)}; "
                    f"known: {', '.join(self.languages)}"
                )
        return tasks, sources, languages

    def setup(self) -> ScoringSetup:
        if self._setup is None:
            words = self.options.task_args.get("words")
            self._setup = ScoringSetup.resolve(
                self.options.task_args.get("lid_model"), Path(str(words)) if words else None
            )
        return self._setup

    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        tasks, sources, languages = self._filters()
        if self.options.sample:
            root, origin = bundled_dir(self.bundled), {"bundled": "globeval sample"}
        else:
            root, origin = locate_test_sets(self.options.data_dir)
        prompts = lcb_data.load_prompts(root, tasks, sources, languages)
        k = self.options.num_fewshot
        examples: FewShotExamples | None = None
        provenance: dict[str, Any] = {"test_sets": origin, "root": str(root)}
        if k:
            path = fewshot_file(_path_arg(self.options.task_args.get("fewshot_file")))
            examples = load_fewshot_examples(path)
            provenance["fewshot"] = {"path": str(path), "sha256": file_sha256(path), "k": k}
        per_cell: dict[tuple[str, str, str], int] = defaultdict(int)
        samples = []
        for p in prompts:
            cell = (p.task, p.folder, p.language)
            if self.options.limit is not None and per_cell[cell] >= self.options.limit:
                continue
            per_cell[cell] += 1
            samples.append(
                Sample(
                    id=f"{p.task}/{p.folder}/{p.language}/{p.row}",
                    language=p.language,
                    config=f"{p.task}/{p.folder}",
                    source=p.file,
                    row=p.row,
                    payload=(p, shots(examples, p.task, p.language, k)),
                    groups={"setting": p.task, "dataset": p.source},
                )
            )
        files = sorted({s.source for s in samples})
        provenance["files"] = [{"path": f, "sha256": file_sha256(Path(f))} for f in files]
        provenance["generation"] = self.generation()
        # load the scorer now: a missing LID model or tokenizer fails the run before generation
        setup = self.setup()
        setup.scorer()
        for language in sorted({s.language for s in samples} & {"zh", "ja"}):
            setup.tokenizer.load(language)
        provenance["scoring"] = setup.describe()
        return samples, provenance

    def generation(self) -> dict[str, Any]:
        args = self.options.task_args
        return {
            "max_new_tokens": self.options.max_gen_tokens or MAX_NEW_TOKENS,
            "temperature": float(args.get("temperature", TEMPERATURE)),
            "top_p": float(args.get("top_p", TOP_P)),
            "seed": self.options.seed,
            "format": "chat template" if self.options.chat else "Q/A (base model)",
        }

    # -- requests and scores ------------------------------------------------------------------
    def requests(self, sample: Sample) -> list[Request]:
        prompt, turns = sample.payload
        gen = self.generation()
        settings: dict[str, Any] = {
            "max_tokens": gen["max_new_tokens"],
            "temperature": gen["temperature"],
            "top_p": gen["top_p"],
            "seed": gen["seed"],
        }
        if self.options.chat:
            messages = tuple(ChatMessage(ROLES[t.role], t.message) for t in turns)
            messages += (ChatMessage("user", prompt.prompt),)
            return [GenerateRequest(messages=messages, **settings)]
        text = qa_prompt((*turns, Turn("User", prompt.prompt)))
        # the scorer cuts at "\nQ:" (a base model starts the next question there): stop there
        return [GenerateRequest(prompt=text, stop=("\nQ:",), **settings)]

    def score(
        self, sample: Sample, requests: Sequence[Request], results: Sequence[Result]
    ) -> Scored:
        result = results[0]
        assert isinstance(result, GenerateResult)
        verdict = self.setup().scorer().score(as_read_from_csv(result.text), sample.language)
        detected = ",".join(dict.fromkeys(line.language for line in verdict.lines))
        return Scored(
            score=None if verdict.skipped else float(bool(verdict.line_pass)),
            status="skipped" if verdict.skipped else "ok",
            prompt=prompt_of(requests[0]),
            response=result.text,
            parsed=detected or None,
            gold=sample.language,
            extra=verdict.to_dict(),
        )

    # -- summary ------------------------------------------------------------------------------
    def summarize(
        self, records: Sequence[dict[str, Any]], seed: int, n_resamples: int
    ) -> dict[str, Any]:
        """Per-language rows (pooled over the selected tasks and sources, with bootstrap CIs)
        and, under "cells", the reference's figures for every task: (source, language) cells,
        per-source, per-language and overall averages."""
        scored = [r for r in records if r["status"] in ("ok", "skipped")]
        wpr_on = any(
            (r.get("extra") or {}).get("english_words") is not None
            for r in scored
            if r["language"] in WPR_LANGUAGES
        )
        by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rec in records:
            by_language[rec["language"]].append(rec)
        rows = []
        lpr_groups: list[list[float]] = []
        wpr_groups: list[list[float]] = []
        for language, recs in sorted(by_language.items()):
            lpr_values, wpr_values = _line_values(recs), _word_values(recs)
            lpr_groups.append(lpr_values)
            wpr_groups.append(wpr_values)
            lpr = bootstrap_mean(lpr_values, n_resamples, seed=seed)
            wpr = bootstrap_mean(wpr_values, n_resamples, seed=seed) if wpr_values else None
            rows.append(
                {
                    "language": language,
                    **_counts(recs),
                    "lpr": estimate_dict(lpr),
                    "wpr": estimate_dict(wpr) if wpr else None,
                    "lcpr": _lcpr(lpr, wpr),
                }
            )
        overall: dict[str, dict[str, Any]] = {"macro": {}, "micro": {}}
        lpr_macro, lpr_micro = bootstrap_macro(lpr_groups, n_resamples, seed=seed)
        wpr_macro, wpr_micro = bootstrap_macro(wpr_groups, n_resamples, seed=seed)
        for label, lpr, wpr in (("macro", lpr_macro, wpr_macro), ("micro", lpr_micro, wpr_micro)):
            wpr_est = wpr if wpr.n else None
            overall[label] = {
                "lpr": estimate_dict(lpr),
                "wpr": estimate_dict(wpr_est) if wpr_est else None,
                "lcpr": _lcpr(lpr, wpr_est),
            }
        return {
            "metric": "lpr",
            "metrics": ["lpr", "wpr", "lcpr"],
            "formulation": "generative",
            "counts": _counts(records),
            "languages": rows,
            "overall": overall,
            "groups": _groups(records, seed, n_resamples),
            "cells": cells_of(records, wpr_on),
            "notes": self._setup.notes() if self._setup else [],
        }


def _path_arg(value: Any) -> Path | None:
    return Path(str(value)).expanduser() if value else None


def _line_values(records: Sequence[dict[str, Any]]) -> list[float]:
    return [float(r["score"]) for r in records if r["status"] == "ok"]


def _word_values(records: Sequence[dict[str, Any]]) -> list[float]:
    out = []
    for rec in records:
        word_pass = (rec.get("extra") or {}).get("word_pass") if rec["status"] == "ok" else None
        if word_pass is not None:
            out.append(float(word_pass))
    return out


def _counts(records: Sequence[dict[str, Any]]) -> dict[str, int]:
    return {**counts(records), "skipped": sum(r["status"] == "skipped" for r in records)}


def _lcpr(lpr: Estimate, wpr: Estimate | None) -> dict[str, Any] | None:
    """LCPR of two estimates: the harmonic mean of their values (no interval of its own)."""
    value = harmonic_mean(lpr.value, wpr.value) if wpr is not None and lpr.n else None
    if value is None:
        return None
    nan = float("nan")
    return {"value": value, "ci_low": nan, "ci_high": nan, "n": lpr.n}


def _groups(
    records: Sequence[dict[str, Any]], seed: int, n_resamples: int
) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for field in LanguageConfusion.group_fields:
        cells: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for rec in records:
            cells[(rec["language"], str(rec.get(field) or ""))].append(rec)
        groups[field] = [
            {
                "language": lang,
                "group": value,
                "lpr": estimate_dict(bootstrap_mean(_line_values(recs), n_resamples, seed=seed)),
            }
            for (lang, value), recs in sorted(cells.items())
        ]
    return groups


class _Outcome:
    """A per-sample record's verdict, as cell_figures reads it."""

    __slots__ = ("acc", "line_pass", "skipped", "word_pass")

    def __init__(self, record: dict[str, Any]) -> None:
        extra = record.get("extra") or {}
        self.skipped = record["status"] == "skipped"
        self.line_pass = extra.get("line_pass")
        self.word_pass = extra.get("word_pass")
        self.acc = extra.get("acc")


def cells_of(records: Sequence[dict[str, Any]], wpr: bool) -> list[dict[str, Any]]:
    """The reference's figures per task (setting), from the per-sample records; samples whose
    generation failed are in no figure and are counted as `failed` in their cell."""
    out: list[dict[str, Any]] = []
    by_task: dict[str, dict[tuple[str, str], list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for rec in records:
        by_task[str(rec.get("setting"))][(str(rec.get("dataset")), rec["language"])].append(rec)
    for task in sorted(by_task):
        cells = by_task[task]
        failed = {key: sum(r["status"] == "failed" for r in recs) for key, recs in cells.items()}
        figures: list[Figures] = []
        for (source, language), recs in cells.items():
            outcomes = [_Outcome(r) for r in recs if r["status"] in ("ok", "skipped")]
            if not outcomes:  # every generation failed: no figure, the failures are counted
                continue
            figures.append(cell_figures(source, language, outcomes, wpr=wpr))
        for fig in reference_figures(figures):
            fails = sum(
                n
                for (s, lang), n in failed.items()
                if fig.source in (s, "all") and fig.language in (lang, "all")
            )
            out.append({"task": task, **fig.to_dict(), "failed": fails})
    return out
