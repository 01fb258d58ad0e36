"""Judge calls through the engine: first attempts, one retry for judgements with no verdict, and
token usage (and cost) per run.

Every call is a GenerateRequest, so the engine caches it under the judge's identity as soon as it
returns: a judging run that is killed and started again sends no finished call again, and two
runs that ask the same judge the same question pay once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console

from globeval.backends.base import Backend
from globeval.engine import Engine, EngineStats, RequestCache
from globeval.judging.prompts import JudgePrompt
from globeval.judging.verdicts import Verdict, accumulated, read_verdict
from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    Request,
    RequestFailure,
    Result,
    request_key,
)


@dataclass
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, result: GenerateResult) -> None:
        self.calls += 1
        self.prompt_tokens += result.prompt_tokens
        self.completion_tokens += result.completion_tokens

    def cost(self, price_input: float | None, price_output: float | None) -> float | None:
        """USD, from prices per million tokens; None when no price was given."""
        if price_input is None and price_output is None:
            return None
        return (
            self.prompt_tokens * (price_input or 0.0)
            + self.completion_tokens * (price_output or 0.0)
        ) / 1e6


@dataclass
class Judgement:
    """One judged item: the judge's texts (first attempt, then the retry if any) and verdict."""

    attempts: list[str] = field(default_factory=list)
    verdict: Verdict = field(default_factory=lambda: Verdict("none"))
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def retried(self) -> bool:
        return len(self.attempts) > 1

    @property
    def text(self) -> str:
        return accumulated(self.attempts)


@dataclass
class JudgeStats:
    engine: EngineStats = field(default_factory=EngineStats)
    #: every call the run's judgements rest on (what judging from scratch costs)
    total: Usage = field(default_factory=Usage)
    #: calls this invocation sent to the judge (not found in the cache)
    new: Usage = field(default_factory=Usage)

    def usage(self, price_input: float | None, price_output: float | None) -> dict[str, Any]:
        return {
            "total": asdict(self.total),
            "this_run": asdict(self.new),
            "from_cache": self.total.calls - self.new.calls,
            "prices_usd_per_million_tokens": {"input": price_input, "output": price_output},
            "cost_usd": self.total.cost(price_input, price_output),
            "cost_usd_this_run": self.new.cost(price_input, price_output),
        }


def _add_engine_stats(into: EngineStats, more: EngineStats) -> None:
    into.total += more.total
    into.unique += more.unique
    into.from_cache += more.from_cache
    into.computed += more.computed
    into.failed += more.failed
    into.seconds += more.seconds
    into.errors.extend(more.errors[: max(0, 20 - len(into.errors))])


def prefer_small_batches(backend: Backend) -> None:
    """A backend that serves a batch in one call returns nothing until the whole batch is done,
    so a kill would lose every finished judgement in it: judge one call at a time there.
    Backends that stream results (HTTP APIs) keep their batch size and concurrency."""
    if type(backend).stream is Backend.stream:
        backend.batch_size = 1


class JudgeRunner:
    def __init__(
        self,
        backend: Backend,
        prompt: JudgePrompt,
        cache: RequestCache | None,
        max_tokens: int,
        progress: bool = True,
        console: Console | None = None,
    ) -> None:
        self.backend = backend
        self.prompt = prompt
        self.cache = cache
        self.max_tokens = max_tokens
        prefer_small_batches(backend)
        # commit every judgement at once: a judge call costs far more than a SQLite commit
        self.engine = Engine(backend, cache, progress=progress, console=console, flush_every=1)
        self.pattern = prompt.pattern()

    def request(self, messages: Sequence[ChatMessage]) -> GenerateRequest:
        return GenerateRequest(
            messages=tuple(messages), max_tokens=self.max_tokens, temperature=0.0
        )

    def first_messages(self, user: str) -> tuple[ChatMessage, ...]:
        return (ChatMessage("system", self.prompt.system), ChatMessage("user", user))

    def judge(self, users: Sequence[str]) -> tuple[list[Judgement], JudgeStats]:
        """Judge each user message (system prompt first); retry once where no verdict is found."""
        stats = JudgeStats()
        first = [self.request(self.first_messages(u)) for u in users]
        results = self._run(first, stats)
        judgements = [Judgement() for _ in users]
        retry_of: list[int] = []
        retries: list[Request] = []
        for i, result in enumerate(results):
            judgement = judgements[i]
            if isinstance(result, RequestFailure):
                judgement.error = f"judge call failed: {result.error}"
                continue
            assert isinstance(result, GenerateResult)
            self._take(judgement, result)
            if judgement.verdict.kind == "none":
                messages = first[i].messages or ()
                retry_of.append(i)
                retries.append(
                    self.request(
                        (
                            *messages,
                            ChatMessage("assistant", result.text),
                            ChatMessage("user", self.prompt.retry),
                        )
                    )
                )
        for i, result in zip(retry_of, self._run(retries, stats), strict=True):
            if isinstance(result, RequestFailure):
                judgements[i].error = f"judge retry failed: {result.error}"
                continue
            assert isinstance(result, GenerateResult)
            self._take(judgements[i], result)
        return judgements, stats

    def _take(self, judgement: Judgement, result: GenerateResult) -> None:
        judgement.attempts.append(result.text)
        judgement.prompt_tokens += result.prompt_tokens
        judgement.completion_tokens += result.completion_tokens
        judgement.verdict = read_verdict(judgement.text, self.pattern)

    def _run(self, requests: Sequence[Request], stats: JudgeStats) -> list[Result | RequestFailure]:
        if not requests:
            return []
        keys = [request_key(r) for r in requests]
        cached: set[str] = set()
        if self.cache is not None:
            cached = set(self.cache.get_many(self.engine.namespace, list(dict.fromkeys(keys))))
        results, engine_stats = self.engine.run(requests)
        _add_engine_stats(stats.engine, engine_stats)
        counted: set[str] = set()
        for key, result in zip(keys, results, strict=True):
            if not isinstance(result, GenerateResult):
                continue
            stats.total.add(result)
            if key not in cached and key not in counted:
                stats.new.add(result)  # a duplicate request is sent once
            counted.add(key)
        return results
