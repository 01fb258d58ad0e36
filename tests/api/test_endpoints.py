"""Tests for globeval.api.endpoints: balancing, adaptive limits, health and failover."""

from __future__ import annotations

import asyncio
import time

import pytest

from globeval.api.endpoints import FAILURES_BEFORE_DOWN, EndpointPool
from globeval.api.errors import ApiConnectionError, ApiTimeout, EndpointsDown

URLS = ["http://a/v1", "http://b/v1", "http://c/v1"]


class Health:
    """What the probe sees: URL -> up?"""

    def __init__(self, *down: str) -> None:
        self.down = set(down)
        self.probes: list[str] = []

    async def __call__(self, url: str) -> bool:
        self.probes.append(url)
        return url not in self.down


def test_requests_go_to_the_endpoint_with_the_fewest_outstanding() -> None:
    async def main() -> list[str]:
        pool = EndpointPool(URLS, 4, Health())
        held = [await pool.acquire() for _ in range(6)]
        pool.release(held[0])  # a frees one slot: the next request goes back to a
        nxt = await pool.acquire()
        return [ep.url for ep in [*held, nxt]]

    order = asyncio.run(main())
    assert sorted(order[:6]) == sorted(URLS * 2)
    assert order[6] == order[0]


def test_a_full_pool_queues_requests_in_order_and_a_release_wakes_one() -> None:
    async def main() -> list[int]:
        pool = EndpointPool(URLS[:1], 1, Health())
        first = await pool.acquire()
        served: list[int] = []

        async def waiter(i: int) -> None:
            ep = await pool.acquire()
            served.append(i)
            await asyncio.sleep(0)
            pool.release(ep)

        tasks = [asyncio.create_task(waiter(i)) for i in range(5)]
        await asyncio.sleep(0.01)
        assert served == []  # all blocked behind the one slot
        pool.release(first)
        await asyncio.gather(*tasks)
        return served

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]


def test_a_429_halves_the_limit_pauses_for_retry_after_and_successes_grow_it_back() -> None:
    async def main() -> None:
        pool = EndpointPool(URLS[:1], 8, Health())
        ep = pool.endpoints[0]
        held = await pool.acquire()
        pool.rate_limited(held, retry_after=0.2)
        pool.release(held)
        assert ep.limit == 4
        pool.rate_limited(ep, retry_after=0.2)  # a burst of 429s halves only once a second
        assert ep.limit == 4
        started = time.monotonic()
        again = await pool.acquire()
        assert time.monotonic() - started >= 0.15  # held until the pause was over
        for _ in range(4):
            pool.succeeded(again)
        assert ep.limit == 5  # one more slot per `limit` successes
        pool.release(again)

    asyncio.run(main())


def test_a_refused_connection_takes_the_endpoint_out_until_its_probe_answers() -> None:
    async def main() -> None:
        health = Health("http://b/v1")
        pool = EndpointPool(URLS[:2], 2, health, health_interval=0.05)
        a, b = pool.endpoints
        ep = await pool.acquire()
        ep2 = await pool.acquire()
        assert {ep.url, ep2.url} == {a.url, b.url}
        pool.failed(b, ApiConnectionError("refused", refused=True))
        pool.release(ep)
        pool.release(ep2)
        assert not b.healthy
        assert {(await pool.acquire()).url for _ in range(2)} == {a.url}
        health.down.clear()
        await asyncio.sleep(0.2)
        assert b.healthy and b.stats["came_back"] == 1
        assert (await pool.acquire()).url == b.url
        await pool.close()

    asyncio.run(main())


def test_dropped_answers_and_timeouts_take_an_endpoint_out_only_when_they_repeat() -> None:
    async def main() -> None:
        pool = EndpointPool(URLS[:1], 2, Health(*URLS), health_interval=10)
        ep = pool.endpoints[0]
        for _ in range(FAILURES_BEFORE_DOWN - 1):
            pool.failed(ep, ApiConnectionError("dropped"))
            pool.failed(ep, ApiTimeout("slow"))
            pool.succeeded(ep)  # a success in between resets the count
        assert ep.healthy
        for _ in range(FAILURES_BEFORE_DOWN):
            pool.failed(ep, ApiTimeout("slow"))
        assert not ep.healthy
        await pool.close()

    asyncio.run(main())


def test_waiting_requests_fail_when_every_endpoint_stays_down() -> None:
    async def main() -> None:
        pool = EndpointPool(URLS[:2], 1, Health(*URLS), health_interval=0.05, down_timeout=0.3)
        assert await pool.check_all() == URLS[:2]
        with pytest.raises(EndpointsDown, match="no endpoint answered"):
            await asyncio.wait_for(pool.acquire(), timeout=5)
        await pool.close()

    asyncio.run(main())
