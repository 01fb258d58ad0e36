"""Send one request until it succeeds or is given up on, with tenacity.

The first attempt runs outside tenacity: most requests succeed at once, and building a retry
controller for each of thousands of requests a second costs more CPU than sending them.

Retried: 429 (after the endpoint's Retry-After pause, which the pool enforces), 408/409/425,
5xx, timeouts, dropped connections, truncated or empty answers. Not retried: other 4xx (a bad
request stays bad) and log-probabilities that cannot serve the request. A dropped connection is
retried at once when another endpoint is up (failover); other errors back off exponentially
with jitter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.wait import wait_base

from globeval.api.endpoints import EndpointPool
from globeval.api.errors import ApiConnectionError, ApiError, ApiStatusError
from globeval.api.limits import RateLimits
from globeval.api.transport import Transport
from globeval.api.usage import Usage

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    #: attempts per request, the first included
    max_attempts: int = 8
    #: first back-off in seconds; doubles up to max_wait, with jitter
    initial_wait: float = 0.5
    max_wait: float = 30.0


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, ApiError) and exc.retryable


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, ApiStatusError):
        return "rate_limited" if exc.status == 429 else f"HTTP {exc.status}"
    return type(exc).__name__


class Dispatcher:
    def __init__(
        self,
        pool: EndpointPool,
        transport: Transport,
        limits: RateLimits,
        usage: Usage,
        retry: RetryPolicy,
    ) -> None:
        self.pool = pool
        self.transport = transport
        self.limits = limits
        self.usage = usage
        self.retry = retry
        # initial_wait, doubling up to max_wait, plus up to initial_wait of jitter
        self._backoff: wait_base = wait_exponential(
            multiplier=retry.initial_wait, max=retry.max_wait
        ) + wait_random(0, retry.initial_wait)
        # attempts 2..N; tenacity numbers them from 1, hence the offset in _wait
        self._retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, retry.max_attempts - 1)),
            wait=self._wait,
            retry=retry_if_exception(_retryable),
            reraise=True,
        )

    def delay(self, exc: BaseException | None, failed_attempts: int) -> float:
        """Seconds to wait after the `failed_attempts`-th failure."""
        if isinstance(exc, ApiStatusError) and exc.status == 429:
            return 0.0  # the pool holds the request until the endpoint's pause is over
        if isinstance(exc, ApiConnectionError) and self.pool.healthy_count() > 0:
            return 0.0  # fail over to an endpoint that is up
        state = RetryCallState(self._retrying, None, (), {})
        state.attempt_number = failed_attempts
        return float(self._backoff(state))

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        return self.delay(exc, state.attempt_number + 1)

    async def send(
        self, path: str, body: dict[str, Any], parse: Callable[[Any], T], tokens: int
    ) -> T:
        """The parsed answer; raises the last error, with `attempts` set on it, when every
        attempt failed."""
        attempts = 1
        try:
            try:
                return await self._attempt(path, body, parse, tokens)
            except ApiError as first:
                if not first.retryable or self.retry.max_attempts < 2:
                    raise
                await asyncio.sleep(self.delay(first, 1))
            async for attempt in self._retrying.copy():
                with attempt:
                    attempts += 1
                    return await self._attempt(path, body, parse, tokens)
        except Exception as exc:
            self.usage.failed += 1
            exc.attempts = attempts  # type: ignore[attr-defined]
            raise
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _attempt(
        self, path: str, body: dict[str, Any], parse: Callable[[Any], T], tokens: int
    ) -> T:
        if self.limits.active:
            await self.limits.acquire(tokens)
        endpoint = await self.pool.acquire()
        self.usage.attempts += 1
        try:
            data = await self.transport.post(endpoint.url, path, body)
            result = parse(data)
        except ApiError as exc:
            self.usage.errors[error_kind(exc)] += 1
            if isinstance(exc, ApiStatusError) and exc.status == 429:
                self.pool.rate_limited(endpoint, exc.retry_after)
            else:
                self.pool.failed(endpoint, exc)
            raise
        finally:
            self.pool.release(endpoint)
        self.pool.succeeded(endpoint)
        self.usage.answered += 1
        usage = data.get("usage") if isinstance(data, dict) else None
        if isinstance(usage, dict):
            self.usage.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            self.usage.completion_tokens += int(usage.get("completion_tokens") or 0)
        return result
