"""What a run cost: answers, attempts, retries, failures, tokens and money, per endpoint."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Usage:
    #: requests answered (each counted once, however many attempts it took)
    answered: int = 0
    #: requests given up on after their last attempt
    failed: int = 0
    #: HTTP requests sent, retries included
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: errors by kind (rate_limited, HTTP 500, ApiTimeout, ...), retried or not
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def retries(self) -> int:
        return self.attempts - self.answered - self.failed

    def cost(self, price_in: float | None, price_out: float | None) -> float | None:
        """US dollars, from prices per million prompt and completion tokens."""
        if price_in is None and price_out is None:
            return None
        return (
            self.prompt_tokens * (price_in or 0.0) + self.completion_tokens * (price_out or 0.0)
        ) / 1e6

    def as_dict(
        self, price_in: float | None = None, price_out: float | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "answered": self.answered,
            "failed": self.failed,
            "attempts": self.attempts,
            "retries": self.retries,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "errors": dict(self.errors),
        }
        cost = self.cost(price_in, price_out)
        if cost is not None:
            out["cost_usd"] = round(cost, 6)
        return out
