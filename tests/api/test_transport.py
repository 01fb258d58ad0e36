"""Tests for the transports (globeval.api.transport, fast_http, aiohttp_transport) against the
mock server on loopback: every failure a server can produce maps to the right ApiError."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from globeval.api.errors import ApiConnectionError, ApiStatusError, ApiTimeout, MalformedResponse
from globeval.api.fast_http import FastHttpTransport, parse_target
from globeval.api.transport import Redactor, make_transport, parse_retry_after
from globeval.servers.llamacpp import free_port
from tests.loopback import mock_server

KEY = "sk-test-0123456789abcdef"
CHAT = {"model": "m", "messages": [{"role": "user", "content": "Quelle est la capitale ?"}]}
KINDS = ["fast", "aiohttp"]


def run(kind: str, url: str, call: Callable[[Any], Awaitable[Any]], timeout: float = 5.0) -> Any:
    async def main() -> Any:
        transport = make_transport(kind, [url], KEY, timeout)
        try:
            return await call(transport)
        finally:
            await transport.close()

    return asyncio.run(main())


@pytest.mark.parametrize("kind", KINDS)
def test_an_answer_comes_back_as_json(kind: str) -> None:
    with mock_server() as server:
        data = run(kind, server.url, lambda t: t.post(server.url, "/chat/completions", CHAT))
        models = run(kind, server.url, lambda t: t.get(server.url, "/models"))
    assert data["choices"][0]["message"]["content"].startswith("The answer is")
    assert models["data"][0]["id"] == "mock"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("faults", "error", "retryable"),
    [
        ("429=1,retry_after=2", ApiStatusError, True),
        ("500=1", ApiStatusError, True),
        ("truncated=1", MalformedResponse, True),
        ("drop=1", ApiConnectionError, True),
    ],
)
def test_faults_map_to_errors(kind: str, faults: str, error: type, retryable: bool) -> None:
    with mock_server(faults) as server, pytest.raises(error) as info:
        run(kind, server.url, lambda t: t.post(server.url, "/chat/completions", CHAT))
    assert info.value.retryable is retryable
    if isinstance(info.value, ApiStatusError) and info.value.status == 429:
        assert info.value.retry_after == 2.0
    if isinstance(info.value, ApiConnectionError):
        assert not info.value.refused  # it answered, then dropped: flaky, not down


@pytest.mark.parametrize("kind", KINDS)
def test_a_held_request_times_out(kind: str) -> None:
    with mock_server("timeout=1,hang_seconds=5") as server, pytest.raises(ApiTimeout):
        run(kind, server.url, lambda t: t.post(server.url, "/chat/completions", CHAT), 0.3)


@pytest.mark.parametrize("kind", KINDS)
def test_a_closed_port_is_refused_and_not_alive(kind: str) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ApiConnectionError) as info:
        run(kind, url, lambda t: t.post(url, "/chat/completions", CHAT))
    assert info.value.refused
    assert run(kind, url, lambda t: t.alive(url, 1.0)) is False


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_request_is_not_retryable_and_the_key_never_leaks(kind: str) -> None:
    with mock_server(leak_auth=True) as server, pytest.raises(ApiStatusError) as info:
        run(kind, server.url, lambda t: t.post(server.url, "/chat/completions", {"model": "m"}))
    assert info.value.status == 400 and not info.value.retryable
    assert "***" in info.value.message and KEY not in str(info.value)


def test_a_stale_keep_alive_connection_is_replaced_transparently() -> None:
    """The server answers the first request of a connection and closes on the second, as
    a server does with a connection that sat idle too long."""
    seen: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served = 0
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            seen.append(served)
            if served == 1:
                writer.close()
                return
            body = b'{"ok": true}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            served += 1

    async def main() -> list[Any]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}/v1"
        transport = FastHttpTransport(None, 5.0)
        try:
            return [await transport.post(url, "/x", {}) for _ in range(2)]
        finally:
            await transport.close()
            server.close()

    assert asyncio.run(main()) == [{"ok": True}, {"ok": True}]
    assert seen == [0, 1, 0]  # the second request went out twice, the second time on a new one


def test_auto_picks_the_fast_transport_for_http_and_aiohttp_for_https() -> None:
    assert type(make_transport("auto", ["http://a/v1"], None, 1)).__name__ == "FastHttpTransport"
    mixed = make_transport("auto", ["http://a/v1", "https://b/v1"], None, 1)
    assert type(mixed).__name__ == "AiohttpTransport"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(b"3") == 3.0
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < (parse_retry_after(when) or 0) <= 31
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_targets_keep_the_path_prefix_and_ipv6_hosts() -> None:
    target = parse_target("http://[::1]:8000/proxy/v1/")
    assert (target.host, target.port, target.prefix, target.host_header) == (
        "::1",
        8000,
        "/proxy/v1",
        "[::1]:8000",
    )
    assert parse_target("https://api.example.com/v1").host_header == "api.example.com"


def test_redactor_scrubs_every_occurrence() -> None:
    assert Redactor([KEY])(f"a {KEY} b {KEY}") == "a *** b ***"
