"""Requests- and tokens-per-minute limits, shared by every endpoint of a backend (providers
count them per account). Token counts are estimated before sending: 4 characters per token
for the prompt plus the completion limit, the usual rule of thumb for budgeting."""

from __future__ import annotations

from aiolimiter import AsyncLimiter

CHARS_PER_TOKEN = 4


def estimate_tokens(prompt_chars: int, max_new_tokens: int) -> int:
    return max(1, prompt_chars // CHARS_PER_TOKEN) + max(0, max_new_tokens)


class RateLimits:
    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        if rpm is not None and rpm <= 0:
            raise ValueError(f"rpm must be positive, got {rpm}")
        if tpm is not None and tpm <= 0:
            raise ValueError(f"tpm must be positive, got {tpm}")
        self.rpm = rpm
        self.tpm = tpm
        self._requests = AsyncLimiter(rpm, 60.0) if rpm else None
        self._tokens = AsyncLimiter(tpm, 60.0) if tpm else None

    @property
    def active(self) -> bool:
        return self._requests is not None or self._tokens is not None

    async def acquire(self, tokens: int) -> None:
        if self._requests is not None:
            await self._requests.acquire()
        if self._tokens is not None:
            # one request larger than the whole budget would wait forever: cap it
            await self._tokens.acquire(min(float(tokens), self._tokens.max_rate))
