"""M-RewardBench (Gureja et al. 2024, arXiv 2410.15522) and RewardBench (Lambert et al. 2024).

Data: CohereLabsCommunity/multilingual-reward-bench (earlier C4AI-Community/… and
aya-rm-multilingual/…): 23 language configs named by FLORES-200 codes; split `test` (newer
revisions: subset in `source`, section in `category`) or `raw`/`filtered` (older: subset in
`subset`); and its `translation` config, scored separately. English is RewardBench,
allenai/reward-bench, split `filtered` (2,985 pairs); its v1 leaderboard's prior sets come from
allenai/pref-test-sets (anthropic_helpful, anthropic_hhh, shp, summarize).
Protocol: tasks/preference.py (reward models) and tasks/reward_judge.py (generative judges).
Scores: scoring/reward.py — strict `>` per item, subset accuracy, count-weighted sections,
M-RewardBench's unweighted 4-section language score, RewardBench v1's [2,2,2,2,1] average.
Analysis (summary): language × section with bootstrap CIs, the English gap per section,
agreement with English item by item (rate and Cohen's κ); `globeval reward compare` ranks
several reward models across languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from globeval.data.errors import DataError
from globeval.data.files import Row
from globeval.data.hub import DatasetRef, LoadedSplit, load_split
from globeval.requests import Request, Result
from globeval.scoring.reward import COUNTS, PRIOR_SETS, SUBSET_CATEGORY, SectionWeights
from globeval.tasks.base import RunOptions, Sample, Scored, Task
from globeval.tasks.global_mmlu import bundled_dir
from globeval.tasks.preference import (
    JUDGE_MAX_TOKENS,
    JudgeSettings,
    PreferencePair,
    judge_request,
    judgeable,
    parse_pair,
    reward_requests,
    score_judgment,
    score_rewards,
    skipped,
)
from globeval.tasks.reward_judge import MAX_JUDGED_TURNS

#: FLORES-200 config -> (language code, the name M-RewardBench's judge prompt uses)
CONFIGS: dict[str, tuple[str, str]] = {
    "eng_Latn": ("en", "English"),
    "arb_Arab": ("ar", "Arabic"),
    "ces_Latn": ("cs", "Czech"),
    "deu_Latn": ("de", "German"),
    "ell_Grek": ("el", "Greek"),
    "fra_Latn": ("fr", "French"),
    "heb_Hebr": ("he", "Hebrew"),
    "hin_Deva": ("hi", "Hindi"),
    "ind_Latn": ("id", "Indonesian"),
    "ita_Latn": ("it", "Italian"),
    "jpn_Jpan": ("ja", "Japanese"),
    "kor_Hang": ("ko", "Korean"),
    "nld_Latn": ("nl", "Dutch"),
    "pes_Arab": ("fa", "Persian"),
    "pol_Latn": ("pl", "Polish"),
    "por_Latn": ("pt", "Portuguese"),
    "ron_Latn": ("ro", "Romanian"),
    "rus_Cyrl": ("ru", "Russian"),
    "spa_Latn": ("es", "Spanish"),
    "tur_Latn": ("tr", "Turkish"),
    "ukr_Cyrl": ("uk", "Ukrainian"),
    "vie_Latn": ("vi", "Vietnamese"),
    "zho_Hans": ("zh-Hans", "Chinese_Simplified"),
    "zho_Hant": ("zh-Hant", "Chinese_Traditional"),
}
ENGLISH = "eng_Latn"
KNOWN_SUBSETS = frozenset(SUBSET_CATEGORY) | frozenset(PRIOR_SETS)
#: single-config Hub datasets keep their files in data/ (a `huggingface-cli download` copy)
LOCAL_DEFAULT_CONFIGS = ("data", "default")

JUDGE_LANGUAGES = ("reference", "native", "none")


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise DataError(f"task option {name}: expected true or false, got {value!r}")


class MRewardBench(Task):
    name: ClassVar[str] = "m_rewardbench"
    title: ClassVar[str] = "M-RewardBench (23 languages) with RewardBench English"
    dataset: ClassVar[str] = "CohereLabsCommunity/multilingual-reward-bench"
    #: "Add license" (C4AI-Community), the card that lists the test splits and `translation`
    revision: ClassVar[str] = "19ab8c297a3e59a1d0efd42ae33cc14bf3febf63"
    english_dataset: ClassVar[str] = "allenai/reward-bench"
    english_revision: ClassVar[str] = "d61ac5c97d0f2f7eb922da3c0b6bbaf614ae8d02"
    languages: ClassVar[tuple[str, ...]] = tuple(code for code, _ in CONFIGS.values())
    group_fields: ClassVar[tuple[str, ...]] = ("category", "subset")
    metric: ClassVar[str] = "score"
    task_args: ClassVar[dict[str, str]] = {
        "split": "test (newer revisions) or filtered/raw (older); default: the first found of "
        "test, filtered",
        "dataset": "Hub id (older names: C4AI-Community/multilingual-reward-bench, "
        "aya-rm-multilingual/multilingual-reward-bench)",
        "english_data_dir": "local copy of allenai/reward-bench for English (default: "
        "DATA_DIR/eng_Latn when --data-dir is given)",
        "weights": "section weights: rewardbench (default, reward-bench's EXAMPLE_COUNTS) or "
        "m-rewardbench (the counts its analysis used)",
        "judge_languages": "generative: reference (default: '<language>' question, 'English' "
        "responses, as M-RewardBench's run script), native (both the item's language) or none "
        "(MT-Bench pair-v2 prompt, as reward-bench)",
        "judge_system": "generative: true (default) sends the judge prompt as a system turn; "
        "false puts it before the user turn (templates without a system role)",
        "verdict": "generative: reference (default: '[[A]]' anywhere wins) or strict (a "
        "judgment with both verdicts is unparseable)",
    }
    bundled: ClassVar[str] = "m_rewardbench"

    def __init__(self, options: RunOptions) -> None:
        super().__init__(options)
        # a bad option value fails now, not after the data has loaded
        self.weights()
        self.judge(ENGLISH)

    # -- options ----------------------------------------------------------------------------
    def _arg(self, name: str, default: Any) -> Any:
        return self.options.task_args.get(name, default)

    def weights(self) -> SectionWeights:
        value = str(self._arg("weights", "rewardbench")).lower()
        if value not in COUNTS:
            raise DataError(f"{self.name}: weights must be one of {', '.join(COUNTS)}")
        return value  # type: ignore[return-value]

    def judge(self, config: str) -> JudgeSettings:
        mode = str(self._arg("judge_languages", "reference")).lower()
        if mode not in JUDGE_LANGUAGES:
            raise DataError(f"{self.name}: judge_languages must be one of {JUDGE_LANGUAGES}")
        parsing = str(self._arg("verdict", "reference")).lower()
        if parsing not in ("reference", "strict"):
            raise DataError(f"{self.name}: verdict must be reference or strict")
        name = CONFIGS[config][1] if config in CONFIGS else None
        languages: tuple[str, str] | None = None
        if name is not None and config != ENGLISH and mode != "none":
            languages = (name, "English" if mode == "reference" else name)
        return JudgeSettings(
            languages=languages,
            system_role=_bool(self._arg("judge_system", True), "judge_system"),
            parsing=parsing,  # type: ignore[arg-type]
            seed=self.options.seed,
            max_tokens=self.options.max_gen_tokens or JUDGE_MAX_TOKENS,
        )

    def selected_configs(self) -> tuple[list[str], bool]:
        """FLORES configs to load, and whether the user named them (then all must exist)."""
        if not self.options.languages:
            return list(CONFIGS), False
        by_code = {code.lower(): config for config, (code, _) in CONFIGS.items()}
        by_code.update({"zh": "zho_Hans"})
        out = []
        for lang in self.options.languages:
            config = lang if lang in CONFIGS else by_code.get(lang.lower())
            if config is None:
                known = ", ".join(f"{code} ({config})" for config, (code, _) in CONFIGS.items())
                raise DataError(f"{self.name}: unknown language {lang!r}; known: {known}")
            out.append(config)
        return out, True

    # -- data -------------------------------------------------------------------------------
    def splits(self, english: bool) -> tuple[str, ...]:
        split = self._arg("split", None)
        if english and not self._local_english():
            return ("raw",) if split == "raw" else ("filtered",)
        return (str(split),) if split else ("test", "filtered")

    def _local_english(self) -> Path | None:
        given = self._arg("english_data_dir", None)
        if given:
            return Path(str(given))
        data_dir = self.data_dir()
        return data_dir / ENGLISH if data_dir is not None else None

    def data_dir(self) -> Path | None:
        return bundled_dir(self.bundled) if self.options.sample else self.options.data_dir

    def load_config(self, config: str, required: bool) -> LoadedSplit | None:
        english = config == ENGLISH
        revision = self.options.revision or self.revision
        repo = str(self._arg("dataset", self.dataset))
        data_dir = self.data_dir()
        configs: tuple[str, ...] = (config,)
        if english:
            repo, revision = self.english_dataset, self.english_revision
            local = self._local_english()
            if local is not None and self._arg("english_data_dir", None):
                data_dir, configs = local, LOCAL_DEFAULT_CONFIGS
            elif local is None:
                configs = ("default",)
        for hub_config in configs:
            for split in self.splits(english):
                ref = DatasetRef(repo, hub_config, split, revision)
                loaded = load_split(ref, data_dir, required=False)
                if loaded.rows:
                    return loaded
        if required:
            where = data_dir if data_dir is not None else f"hf://datasets/{repo}@{revision}"
            raise DataError(
                f"{where}: no rows for config {config!r} in split(s) "
                f"{', '.join(self.splits(english))} (use -T split=... for other revisions)"
            )
        return None

    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        configs, named = self.selected_configs()
        provenance: dict[str, Any] = {
            "dataset": str(self._arg("dataset", self.dataset)),
            "revision": self.options.revision or self.revision,
            "english": {"dataset": self.english_dataset, "revision": self.english_revision},
            "weights": self.weights(),
            "splits": [],
        }
        if self.options.sample:
            provenance["bundled_sample"] = True
        missing: list[str] = []
        samples: list[Sample] = []
        for config in configs:
            # a local copy need not hold every language unless the user named it
            loaded = self.load_config(config, required=named or self.data_dir() is None)
            if loaded is None:
                missing.append(config)
                continue
            provenance["splits"].append(loaded.origin)
            code = CONFIGS[config][0] if config in CONFIGS else config
            for n, row in enumerate(loaded.rows):
                if self.options.limit is not None and n >= self.options.limit:
                    break
                pair = parse_pair(row, KNOWN_SUBSETS)
                samples.append(
                    Sample(
                        id=f"{config}/{pair.item_id}",
                        language=code,
                        config=config,
                        source=row.source,
                        row=row.index,
                        payload=pair,
                        groups={"category": pair.category, "subset": pair.subset},
                    )
                )
        if missing and not self.options.sample:
            provenance["missing_configs"] = missing
        self.note_skipped(samples, provenance)
        return samples, provenance

    def note_skipped(self, samples: Sequence[Sample], provenance: dict[str, Any]) -> None:
        """Record per language how many items the judge protocol will leave out."""
        if self.options.formulation != "generative":
            return
        dropped: dict[str, int] = {}
        for s in samples:
            if not judgeable(s.payload):
                dropped[s.language] = dropped.get(s.language, 0) + 1
        key = f"skipped_over_{MAX_JUDGED_TURNS}_turns"
        if dropped:
            provenance[key] = dropped

    # -- protocol ---------------------------------------------------------------------------
    def requests(self, sample: Sample) -> list[Request]:
        pair: PreferencePair = sample.payload
        if self.options.formulation != "generative":
            return reward_requests(pair)
        if not judgeable(pair):
            return []
        return [judge_request(sample, pair, self.judge(sample.config))]

    def score(
        self, sample: Sample, requests: Sequence[Request], results: Sequence[Result]
    ) -> Scored:
        pair: PreferencePair = sample.payload
        if self.options.formulation != "generative":
            return score_rewards(pair, results)
        if not requests:
            return skipped(
                pair,
                f"{pair.turns} turns: the judge protocol drops conversations over "
                f"{MAX_JUDGED_TURNS} turns",
            )
        return score_judgment(sample, pair, requests[0], results[0], self.judge(sample.config))

    def summarize(
        self, records: Sequence[dict[str, Any]], seed: int, n_resamples: int
    ) -> dict[str, Any]:
        from globeval.results.reward_summary import summarize_preferences

        return summarize_preferences(
            records,
            weights=self.weights(),
            generative=self.options.formulation == "generative",
            seed=seed,
            n_resamples=n_resamples,
        )


class RewardBench(MRewardBench):
    """RewardBench v1 (English), with the leaderboard's prior sets on request."""

    name: ClassVar[str] = "rewardbench"
    title: ClassVar[str] = "RewardBench v1 (English; prior sets with -T prior_sets=true)"
    dataset: ClassVar[str] = "allenai/reward-bench"
    revision: ClassVar[str] = MRewardBench.english_revision
    prior_dataset: ClassVar[str] = "allenai/pref-test-sets"
    #: no verified commit is known to globeval; the manifest records the resolved commit
    prior_revision: ClassVar[str] = "main"
    languages: ClassVar[tuple[str, ...]] = ("en",)
    task_args: ClassVar[dict[str, str]] = {
        "split": "filtered (default, 2,985 pairs) or raw",
        "prior_sets": "true adds allenai/pref-test-sets (anthropic_helpful, anthropic_hhh, shp, "
        "summarize) and the v1 leaderboard average [2,2,2,2,1]",
        "weights": MRewardBench.task_args["weights"],
        "judge_system": MRewardBench.task_args["judge_system"],
        "verdict": MRewardBench.task_args["verdict"],
    }
    bundled: ClassVar[str] = "rewardbench"

    def selected_configs(self) -> tuple[list[str], bool]:
        if self.options.languages and set(self.options.languages) - {"en", ENGLISH}:
            raise DataError(f"{self.name}: English only (use m_rewardbench for other languages)")
        return [ENGLISH], True

    def _rows(self, repo: str, split: str, revision: str) -> LoadedSplit | None:
        data_dir = self.data_dir()
        for config in LOCAL_DEFAULT_CONFIGS if data_dir is not None else ("default",):
            loaded = load_split(DatasetRef(repo, config, split, revision), data_dir, required=False)
            if loaded.rows:
                return loaded
        return None

    def load_config(self, config: str, required: bool) -> LoadedSplit | None:
        split = str(self._arg("split", "filtered"))
        revision = self.options.revision or self.revision
        loaded = self._rows(self.dataset, split, revision)
        if loaded is None:
            where = self.data_dir() or f"hf://datasets/{self.dataset}@{revision}"
            raise DataError(f"{where}: no rows in split {split!r} (data/ or default/ folder)")
        return loaded

    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        samples, provenance = super().load()
        provenance.pop("english", None)
        if not _bool(self._arg("prior_sets", False), "prior_sets"):
            return samples, provenance
        provenance["prior_sets"] = {"dataset": self.prior_dataset, "splits": []}
        for subset in PRIOR_SETS:
            loaded = self._rows(self.prior_dataset, subset, self.prior_revision)
            if loaded is None:
                where = self.data_dir() or f"hf://datasets/{self.prior_dataset}"
                raise DataError(f"{where}: no rows in prior set {subset!r}")
            provenance["prior_sets"]["splits"].append(loaded.origin)
            for n, row in enumerate(loaded.rows):
                if self.options.limit is not None and n >= self.options.limit:
                    break
                # the split names the set (reward-bench moves a set's own `subset` aside)
                data = {k: v for k, v in row.data.items() if k not in ("subset", "source")}
                pair = parse_pair(
                    Row({**data, "subset": subset}, row.source, row.index), KNOWN_SUBSETS
                )
                samples.append(
                    Sample(
                        id=f"{subset}/{pair.item_id}",
                        language="en",
                        config=subset,
                        source=row.source,
                        row=row.index,
                        payload=pair,
                        groups={"category": pair.category, "subset": pair.subset},
                    )
                )
        self.note_skipped(samples, provenance)
        return samples, provenance


class MRewardBenchTranslation(MRewardBench):
    """M-RewardBench's translation pairs, scored apart from the language scores; each
    direction/difficulty subset is a row of its own."""

    name: ClassVar[str] = "m_rewardbench_translation"
    title: ClassVar[str] = "M-RewardBench translation (de↔en, zh↔en; easy and hard)"
    languages: ClassVar[tuple[str, ...]] = ("translation",)
    group_fields: ClassVar[tuple[str, ...]] = ("subset",)
    metric: ClassVar[str] = "accuracy"
    task_args: ClassVar[dict[str, str]] = {
        k: v
        for k, v in MRewardBench.task_args.items()
        if k not in ("english_data_dir", "weights", "judge_languages")
    }
    bundled: ClassVar[str] = "m_rewardbench"

    def selected_configs(self) -> tuple[list[str], bool]:
        return ["translation"], True

    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        samples, provenance = super().load()
        provenance.pop("english", None)
        provenance.pop("weights", None)
        # a translation pair's "language" is its direction and difficulty subset
        return [
            Sample(s.id, s.payload.subset, s.config, s.source, s.row, s.payload, s.groups)
            for s in samples
        ], provenance

    def summarize(
        self, records: Sequence[dict[str, Any]], seed: int, n_resamples: int
    ) -> dict[str, Any]:
        summary = Task.summarize(self, records, seed, n_resamples)
        generative = self.options.formulation == "generative"
        summary["formulation"] = "generative judge" if generative else "reward model"
        summary["num_fewshot"] = None
        return summary
