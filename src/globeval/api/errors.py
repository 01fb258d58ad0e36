"""What can go wrong with one HTTP request, sorted by what to do about it."""

from __future__ import annotations


class ApiError(Exception):
    """A request that did not produce a usable answer."""

    #: worth sending again (possibly to another endpoint)
    retryable: bool = True


class ApiStatusError(ApiError):
    """The server answered with an error status."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.retry_after = retry_after
        # 408 request timeout, 409 conflict, 425 too early, 429 rate limit, 5xx server errors
        self.retryable = status in (408, 409, 425, 429) or status >= 500


class ApiConnectionError(ApiError):
    """The connection failed or dropped before a full answer arrived. `refused` when no
    connection could be made at all: the server is down, not merely flaky."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


class ApiTimeout(ApiError):
    """No answer within the timeout."""


class MalformedResponse(ApiError):
    """A 200 whose body is not the expected JSON: truncated, no choices, missing fields."""


class EndpointsDown(ApiError):
    """No endpoint has been reachable for longer than the backend waits."""

    retryable = False
