"""Several servers behind one backend: balancing, adaptive concurrency, health and failover.

Each endpoint has its own concurrency limit. A request goes to the healthy endpoint with the
fewest outstanding requests relative to its limit. A 429 halves that endpoint's limit (at most
once per second, so that one burst of 429s does not collapse it) and pauses it for the
Retry-After time; each `limit` successes in a row add one slot back, up to the configured
concurrency. An endpoint leaves the rotation at once when a connection cannot be made, after three failures in a row for dropped
connections and timeouts (one dropped answer is not a dead server); a background probe checks
it at once, then every `health_interval` seconds, and brings it back when it answers. Its in-flight requests
fail, are retried, and go to the others.

Waiting requests queue in FIFO order on plain futures and each freed slot wakes exactly one of
them, so thousands of pending requests cost nothing while they wait.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from globeval.api.errors import ApiConnectionError, ApiError, ApiTimeout, EndpointsDown

#: consecutive timeouts or dropped connections after which an endpoint is taken out of rotation
FAILURES_BEFORE_DOWN = 3
#: a 429 halves the limit at most this often (seconds)
DECREASE_COOLDOWN = 1.0


@dataclass
class Endpoint:
    url: str
    max_limit: int
    limit: int = 0
    active: int = 0
    healthy: bool = True
    paused_until: float = 0.0
    last_decrease: float = -1e9
    successes: int = 0
    consecutive_failures: int = 0
    stats: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.limit = self.limit or self.max_limit

    def load(self) -> float:
        return self.active / self.limit


class EndpointPool:
    """Hands out endpoints to requests; `alive(url)` is the health probe."""

    def __init__(
        self,
        urls: Sequence[str],
        concurrency: int,
        alive: Callable[[str], Awaitable[bool]],
        health_interval: float = 2.0,
        down_timeout: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError("at least one endpoint is needed")
        self.endpoints = [Endpoint(url, max(1, concurrency)) for url in urls]
        self._alive = alive
        self.health_interval = health_interval
        self.down_timeout = down_timeout
        self._clock = clock
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._probes: dict[str, asyncio.Task[None]] = {}
        self._timers: list[asyncio.TimerHandle] = []
        self._pause_timer: asyncio.TimerHandle | None = None
        self._pause_timer_at = 0.0
        self._all_down_since: float | None = None

    # -- health -----------------------------------------------------------------------------
    async def check_all(self) -> list[str]:
        """Probe every endpoint once; those that do not answer leave the rotation until they do.
        Returns the URLs that are down."""
        answers = await asyncio.gather(*(self._alive(ep.url) for ep in self.endpoints))
        for ep, ok in zip(self.endpoints, answers, strict=True):
            if not ok:
                self._mark_down(ep)
        return [ep.url for ep in self.endpoints if not ep.healthy]

    def healthy_count(self) -> int:
        return sum(ep.healthy for ep in self.endpoints)

    def _mark_down(self, ep: Endpoint) -> None:
        if ep.healthy:
            ep.healthy = False
            ep.stats["marked_down"] += 1
        if ep.url not in self._probes or self._probes[ep.url].done():
            self._probes[ep.url] = asyncio.get_running_loop().create_task(self._probe(ep))
        if self.healthy_count() == 0 and self._all_down_since is None:
            self._all_down_since = self._clock()
            loop = asyncio.get_running_loop()
            self._timers.append(loop.call_later(self.down_timeout, self._fail_if_all_down))

    async def _probe(self, ep: Endpoint) -> None:
        delay = 0.0
        while not ep.healthy:
            await asyncio.sleep(delay)
            delay = self.health_interval
            if await self._alive(ep.url):
                ep.healthy = True
                ep.consecutive_failures = 0
                ep.stats["came_back"] += 1
                self._all_down_since = None
                self._wake(ep.limit)

    def _fail_if_all_down(self) -> None:
        since = self._all_down_since
        if since is None or self.healthy_count() > 0:
            return
        if self._clock() - since < self.down_timeout - 1e-3:
            return
        error = self._down_error()
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_exception(error)

    def _down_error(self) -> EndpointsDown:
        return EndpointsDown(
            f"no endpoint answered for {self.down_timeout:g} s: "
            + ", ".join(ep.url for ep in self.endpoints)
        )

    # -- slots ------------------------------------------------------------------------------
    def _pick(self) -> Endpoint | None:
        now = self._clock()
        best: Endpoint | None = None
        for ep in self.endpoints:
            if not ep.healthy or ep.active >= ep.limit or ep.paused_until > now:
                continue
            if best is None or ep.load() < best.load():
                best = ep
        return best

    async def acquire(self) -> Endpoint:
        while True:
            ep = self._pick()
            if ep is not None:
                ep.active += 1
                return ep
            since = self._all_down_since
            if since is not None and self._clock() - since >= self.down_timeout:
                raise self._down_error()
            self._ensure_pause_timer()
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(fut)
            try:
                await fut
            except asyncio.CancelledError:
                if fut.done() and not fut.cancelled():
                    self._wake(1)  # we were handed a slot: pass it on
                raise

    def _wake(self, n: int) -> None:
        while n > 0 and self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                n -= 1

    def _ensure_pause_timer(self) -> None:
        """Wake waiters when the earliest pause ends (event loop clocks and ours may differ by a
        millisecond, so the timer re-arms itself while a pause is still running)."""
        now = self._clock()
        ends = [ep.paused_until for ep in self.endpoints if ep.healthy and ep.paused_until > now]
        if not ends:
            return
        at = min(ends)
        if self._pause_timer is not None and self._pause_timer_at <= at:
            return
        if self._pause_timer is not None:
            self._pause_timer.cancel()
        self._pause_timer_at = at
        loop = asyncio.get_running_loop()
        self._pause_timer = loop.call_later(at - now + 0.001, self._on_pause_end)

    def _on_pause_end(self) -> None:
        self._pause_timer = None
        now = self._clock()
        free = sum(
            ep.limit - ep.active
            for ep in self.endpoints
            if ep.healthy and ep.paused_until <= now and ep.active < ep.limit
        )
        self._wake(free)
        if self._waiters:
            self._ensure_pause_timer()

    def release(self, ep: Endpoint) -> None:
        ep.active -= 1
        self._wake(1)

    # -- outcomes ---------------------------------------------------------------------------
    def succeeded(self, ep: Endpoint) -> None:
        ep.stats["ok"] += 1
        ep.consecutive_failures = 0
        if ep.limit < ep.max_limit:
            ep.successes += 1
            if ep.successes >= ep.limit:
                ep.limit += 1
                ep.successes = 0
                self._wake(1)

    def rate_limited(self, ep: Endpoint, retry_after: float | None) -> None:
        ep.stats["rate_limited"] += 1
        now = self._clock()
        if now - ep.last_decrease >= DECREASE_COOLDOWN:
            ep.limit = max(1, ep.limit // 2)
            ep.last_decrease = now
            ep.successes = 0
        pause = 1.0 if retry_after is None else max(0.0, retry_after)
        ep.paused_until = max(ep.paused_until, now + pause)

    def failed(self, ep: Endpoint, error: ApiError) -> None:
        ep.stats[type(error).__name__] += 1
        if isinstance(error, ApiConnectionError) and error.refused:
            self._mark_down(ep)
        elif isinstance(error, ApiConnectionError | ApiTimeout):
            ep.consecutive_failures += 1
            if ep.consecutive_failures >= FAILURES_BEFORE_DOWN:
                self._mark_down(ep)

    def others_healthy(self, ep_url: str | None = None) -> bool:
        return any(ep.healthy and ep.url != ep_url for ep in self.endpoints)

    async def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        if self._pause_timer is not None:
            self._pause_timer.cancel()
        for task in self._probes.values():
            task.cancel()
        await asyncio.gather(*self._probes.values(), return_exceptions=True)
        self._probes.clear()
