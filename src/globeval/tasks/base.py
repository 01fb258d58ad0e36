"""What a benchmark is to globeval: samples in, requests out, and a score per sample."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from globeval.requests import Request, Result

Formulation = Literal["loglikelihood", "generative"]
#: skipped: the protocol leaves the sample out (kept in the records, counted, never scored):
#: an M-RewardBench conversation over four turns, an LCB response with no line to score
Status = Literal["ok", "format_error", "failed", "skipped"]


class RunOptions(BaseModel):
    """Options every task understands; task-specific ones arrive in `task_args`."""

    model_config = ConfigDict(extra="forbid")

    languages: list[str] | None = None
    limit: int | None = Field(default=None, ge=1)
    num_fewshot: int = Field(default=0, ge=0)
    formulation: Formulation = "loglikelihood"
    seed: int = 1234
    data_dir: Path | None = None
    sample: bool = False
    revision: str | None = None
    chat: bool = False
    max_gen_tokens: int | None = Field(default=None, ge=1)
    task_args: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sample:
    """One benchmark item with its language and the columns results are grouped by."""

    id: str
    language: str  # ISO 639-1 where one exists, else ISO 639-3
    config: str  # the dataset config it came from (a language code or name)
    source: str  # file path or dataset id, for error messages
    row: int
    payload: Any  # the task's own typed item
    groups: dict[str, str] = field(default_factory=dict)


@dataclass
class Scored:
    """A sample's outcome: `score` is None when the sample could not be scored."""

    score: float | None
    status: Status
    prompt: str
    response: str
    parsed: str | None = None
    gold: str | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Task(ABC):
    """A benchmark protocol. Reading its module tells the whole protocol."""

    name: ClassVar[str]
    title: ClassVar[str]
    dataset: ClassVar[str]
    languages: ClassVar[tuple[str, ...]]
    formulations: ClassVar[tuple[Formulation, ...]] = ("loglikelihood", "generative")
    #: sample.groups keys that results are broken down by
    group_fields: ClassVar[tuple[str, ...]] = ()
    #: task_args this task accepts, with their help text
    task_args: ClassVar[dict[str, str]] = {}
    #: the headline metric name in summaries
    metric: ClassVar[str] = "accuracy"

    def __init__(self, options: RunOptions) -> None:
        unknown = set(options.task_args) - set(self.task_args)
        if unknown:
            known = ", ".join(sorted(self.task_args)) or "none"
            raise ValueError(
                f"task {self.name!r} has no option {', '.join(sorted(unknown))} (known: {known})"
            )
        if options.formulation not in self.formulations:
            raise ValueError(
                f"task {self.name!r} supports formulations {', '.join(self.formulations)}"
            )
        self.options = options

    @abstractmethod
    def load(self) -> tuple[list[Sample], dict[str, Any]]:
        """The samples to evaluate and the data provenance for the manifest."""

    @abstractmethod
    def requests(self, sample: Sample) -> list[Request]:
        """What to ask the model about one sample."""

    @abstractmethod
    def score(
        self, sample: Sample, requests: Sequence[Request], results: Sequence[Result]
    ) -> Scored:
        """Score one sample from its requests and their results, in order."""

    def summarize(
        self, records: Sequence[dict[str, Any]], seed: int, n_resamples: int
    ) -> dict[str, Any]:
        """The task's summary (results/summary.py describes the layout); multiple-choice
        accuracy by default."""
        from globeval.results.summary import MULTIPLE_CHOICE_METRICS, summarize_records

        return summarize_records(
            records, MULTIPLE_CHOICE_METRICS, self.group_fields, seed, n_resamples
        )

    def wants_chat(self) -> bool:
        """Whether the default embedded model for this run should be the chat model."""
        return self.options.formulation == "generative"
