"""Open-ended prompts answered in free text, for a judge to read later (m-ArenaHard, red-teaming).

The run stores every answer (status, text, finish reason, token count) so that judging can be
redone, with another judge or prompt, without generating again. The run's own summary says only
how many prompts got an answer and how many answers hit the length limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from globeval.requests import ChatMessage, GenerateRequest, GenerateResult, Request, Result
from globeval.tasks.base import Formulation, RunOptions, Sample, Scored, Task


def answered(records: Sequence[dict[str, Any]]) -> list[float]:
    """1 for a non-empty answer, 0 for an empty one; failed samples are left out (and counted)."""
    return [
        float(bool(str(r.get("response") or "").strip())) for r in records if r["status"] == "ok"
    ]


def truncated(records: Sequence[dict[str, Any]]) -> list[float]:
    """1 when generation stopped at the token limit."""
    return [float(bool(r.get("truncated"))) for r in records if r["status"] == "ok"]


class OpenEndedTask(Task):
    """A task whose samples carry one prompt (`payload.prompt`) answered by generation."""

    formulations: ClassVar[tuple[Formulation, ...]] = ("generative",)
    metric: ClassVar[str] = "answered"
    #: the generation limit when --max-gen-tokens is not given
    default_max_tokens: ClassVar[int] = 1024

    def __init__(self, options: RunOptions) -> None:
        # there is no log-likelihood reading of an open question: the CLI's default means "default"
        if options.formulation == "loglikelihood":
            options = options.model_copy(update={"formulation": "generative"})
        super().__init__(options)

    def wants_chat(self) -> bool:
        return True

    def requests(self, sample: Sample) -> list[Request]:
        prompt = str(sample.payload.prompt)
        max_tokens = self.options.max_gen_tokens or self.default_max_tokens
        if self.options.chat:
            return [
                GenerateRequest(
                    messages=(ChatMessage("user", prompt),), max_tokens=max_tokens, temperature=0.0
                )
            ]
        return [GenerateRequest(prompt=prompt, max_tokens=max_tokens, temperature=0.0)]

    def score(
        self, sample: Sample, requests: Sequence[Request], results: Sequence[Result]
    ) -> Scored:
        result = results[0]
        assert isinstance(result, GenerateResult)
        return Scored(
            score=float(bool(result.text.strip())),
            status="ok",
            prompt=str(sample.payload.prompt),
            response=result.text,
            extra={
                **self.record_extra(sample),
                "finish_reason": result.finish_reason,
                "prompt_tokens": result.prompt_tokens,
                "completion_tokens": result.completion_tokens,
            },
        )

    def record_extra(self, sample: Sample) -> dict[str, Any]:
        """What a judge needs later besides the prompt and the answer."""
        return {}

    def summarize(
        self, records: Sequence[dict[str, Any]], seed: int, n_resamples: int
    ) -> dict[str, Any]:
        from globeval.results.summary import summarize_records

        rows = [
            {**r, "truncated": (r.get("extra") or {}).get("finish_reason") == "length"}
            for r in records
        ]
        summary = summarize_records(
            rows,
            {"answered": answered, "truncated": truncated},
            self.group_fields,
            seed,
            n_resamples,
        )
        return {**summary, "formulation": "generative"}
