"""How requests reach a server: the transport interface, and what both transports share.

Two transports speak HTTP/1.1 with keep-alive:
- `fast` (globeval/api/fast_http.py), for http:// endpoints (servers on your machines): a small
  client on asyncio protocols with the httptools parser, about five times less CPU per request
  than aiohttp and twenty times less than the openai SDK (benchmarks/api_throughput.py);
- `aiohttp` (globeval/api/aiohttp_transport.py), for https:// endpoints (hosted providers):
  TLS, proxies from the environment, redirects, where rate limits, not CPU, set the pace.
`auto` picks per URL scheme.

The API key is sent in the Authorization header and nowhere else; error messages quote the
server's answer with the key scrubbed out, since a hostile or buggy server could echo it.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any, Protocol
from urllib.parse import urlsplit

from globeval import __version__

#: longest server error text kept in messages
MAX_ERROR_CHARS = 300
USER_AGENT = f"globeval/{__version__}"
TRANSPORTS = ("auto", "fast", "aiohttp")


class Transport(Protocol):
    redact: Redactor

    async def post(self, base_url: str, path: str, body: dict[str, Any]) -> Any:
        """POST JSON, return the parsed JSON answer; raise an ApiError otherwise."""

    async def get(self, base_url: str, path: str) -> Any:
        """GET, return the parsed JSON answer; raise an ApiError otherwise."""

    async def alive(self, base_url: str, timeout: float = 5.0) -> bool:
        """Whether the server answers at all: any HTTP status below 500 on GET /models."""

    async def close(self) -> None: ...


class Redactor:
    """Removes secrets from text that may end up in logs, manifests or caches."""

    def __init__(self, secrets: list[str]) -> None:
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def parse_retry_after(value: str | bytes | None) -> float | None:
    """Retry-After in seconds (a number) or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_message(raw: bytes, redact: Redactor) -> str:
    """The human part of an error body ({"error": {"message": ...}} and variants), redacted."""
    text = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error", data.get("message", data.get("detail")))
        if isinstance(error, dict):
            error = error.get("message", error)
        if error is not None:
            text = error if isinstance(error, str) else json.dumps(error)
    return redact(text.strip()[:MAX_ERROR_CHARS])


def base_headers(api_key: str | None) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def make_transport(kind: str, urls: list[str], api_key: str | None, timeout: float) -> Transport:
    """`auto`: the fast transport when every endpoint is http://, aiohttp otherwise."""
    if kind not in TRANSPORTS:
        raise ValueError(f"transport {kind!r} is not one of {', '.join(TRANSPORTS)}")
    if kind == "auto":
        kind = "fast" if all(urlsplit(u).scheme == "http" for u in urls) else "aiohttp"
    if kind == "fast":
        from globeval.api.fast_http import FastHttpTransport

        return FastHttpTransport(api_key, timeout)
    from globeval.api.aiohttp_transport import AiohttpTransport

    return AiohttpTransport(api_key, timeout)
