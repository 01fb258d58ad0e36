"""Tests for globeval.api.limits and globeval.api.usage: rate limits, token estimates, cost."""

from __future__ import annotations

import asyncio

import pytest

from globeval.api.limits import RateLimits, estimate_tokens
from globeval.api.usage import Usage


def test_requests_per_minute_hold_the_request_past_the_budget() -> None:
    async def main() -> None:
        limits = RateLimits(rpm=30)
        for _ in range(30):  # a full bucket lets a minute's budget through at once
            await asyncio.wait_for(limits.acquire(1), timeout=1)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(limits.acquire(1), timeout=0.5)  # the next one is 2 s away

    asyncio.run(main())


def test_tokens_per_minute_count_estimated_tokens_and_cap_a_huge_request() -> None:
    async def main() -> None:
        limits = RateLimits(tpm=1000)
        await asyncio.wait_for(limits.acquire(50_000), timeout=1)  # capped at the budget
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(limits.acquire(500), timeout=0.3)

    asyncio.run(main())


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rpm"):
        RateLimits(rpm=0)
    assert not RateLimits().active


def test_token_estimate_is_a_quarter_of_the_characters_plus_the_completion() -> None:
    assert estimate_tokens(400, 16) == 116
    assert estimate_tokens(0, 0) == 1


def test_cost_uses_prices_per_million_tokens() -> None:
    usage = Usage(
        answered=3, failed=1, attempts=7, prompt_tokens=2_000_000, completion_tokens=500_000
    )
    assert usage.retries == 3
    assert usage.cost(2.5, 10.0) == pytest.approx(10.0)
    assert usage.as_dict(2.5, 10.0)["cost_usd"] == pytest.approx(10.0)
    assert "cost_usd" not in usage.as_dict()
