"""A lean HTTP/1.1 client for OpenAI-compatible servers: asyncio protocols, keep-alive
connections, and httptools (the parser uvicorn uses) to read answers.

Why not aiohttp or the openai SDK here: an evaluation against a fast local server sends
thousands of small requests a second, and their generic machinery (headers objects, URL
parsing, cookie jars, option models) costs several times the CPU of the exchange itself.
This client does only what an OpenAI-compatible server needs: POST or GET a JSON body over
persistent connections, read a Content-Length, chunked or close-delimited answer, and report
every failure as an ApiError; JSON goes through orjson. TLS works (hosted providers use the aiohttp transport by default
for its proxy support); redirects and proxies do not.

A connection idle in the pool can be closed by the server at any moment (uvicorn, which vLLM
and SGLang use, closes idle connections after 5 s): when a reused connection dies before a
single byte of the answer arrives, the request is sent once more on a fresh connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from typing import Any, NamedTuple, cast
from urllib.parse import urlsplit

import httptools
import orjson

from globeval.api.errors import ApiConnectionError, ApiStatusError, ApiTimeout, MalformedResponse
from globeval.api.transport import Redactor, base_headers, error_message, parse_retry_after


class Answer(NamedTuple):
    status: int
    body: bytes
    retry_after: bytes | None


class Target(NamedTuple):
    host: str
    port: int
    prefix: str
    tls: bool
    host_header: str


def parse_target(base_url: str) -> Target:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {base_url!r}")
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    default = port == (443 if tls else 80)
    return Target(host, port, parts.path.rstrip("/"), tls, shown if default else f"{shown}:{port}")


class Connection(asyncio.Protocol):
    """One keep-alive connection; one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[Answer] | None = None
        self._body: list[bytes] = []
        self._retry_after: bytes | None = None
        self._headers_done = False
        self._delimited = False  # Content-Length or chunked: the answer says where it ends
        self.closed = False
        self.keep_alive = True
        #: whether any byte of the current answer arrived
        self.received = False
        #: loop time by which the current answer must be complete
        self.deadline = 0.0

    # -- asyncio ----------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ApiConnectionError(f"invalid HTTP answer: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._headers_done and not self._delimited:
            self._finish()  # a body that ends with the connection
            return
        where = "in the middle of its answer" if self.received else "before answering"
        self._fail(ApiConnectionError(f"the server closed the connection {where}"))

    # -- httptools callbacks ----------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._body = []
        self._retry_after = None
        self._headers_done = False
        self._delimited = False

    def on_header(self, name: bytes, value: bytes) -> None:
        lowered = name.lower()
        if lowered == b"retry-after":
            self._retry_after = value
        elif lowered in (b"content-length", b"transfer-encoding"):
            self._delimited = True

    def on_headers_complete(self) -> None:
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self._parser.should_keep_alive()
        self._finish()

    # -- use --------------------------------------------------------------------------------
    def _finish(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            status = self._parser.get_status_code()
            waiter.set_result(Answer(status, b"".join(self._body), self._retry_after))

    def _fail(self, error: Exception) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def send(self, data: bytes, loop: asyncio.AbstractEventLoop) -> asyncio.Future[Answer]:
        assert self.transport is not None
        self._waiter = loop.create_future()
        self.received = False
        self.transport.write(data)
        return self._waiter

    def expire(self) -> None:
        """The deadline passed: fail the request and drop the connection."""
        self._fail(TimeoutError())
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class FastHttpTransport:
    def __init__(self, api_key: str | None, timeout: float) -> None:
        lines = "".join(f"{k}: {v}\r\n" for k, v in base_headers(api_key).items())
        self._header_block = lines.encode("latin-1")
        self.redact = Redactor([api_key] if api_key else [])
        self.timeout = timeout
        self._targets: dict[str, Target] = {}
        self._heads: dict[tuple[Target, str, str], bytes] = {}
        self._idle: dict[Target, deque[Connection]] = {}
        self._open: set[Connection] = set()
        self._busy: set[Connection] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._tick = 0.25
        self._ssl: ssl.SSLContext | None = None

    def _target(self, base_url: str) -> Target:
        target = self._targets.get(base_url)
        if target is None:
            target = self._targets[base_url] = parse_target(base_url)
        return target

    def _head(self, target: Target, method: str, path: str) -> bytes:
        key = (target, method, path)
        head = self._heads.get(key)
        if head is None:
            line = f"{method} {target.prefix}{path} HTTP/1.1\r\nHost: {target.host_header}\r\n"
            head = self._heads[key] = line.encode("latin-1") + self._header_block
        return head

    def _idle_connection(self, target: Target) -> Connection | None:
        idle = self._idle.get(target)
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn
            self._open.discard(conn)
        return None

    async def _connect(self, target: Target) -> Connection:
        loop = asyncio.get_running_loop()
        context = None
        if target.tls:
            context = self._ssl = self._ssl or ssl.create_default_context()
        try:
            _, conn = await loop.create_connection(
                Connection,
                target.host,
                target.port,
                ssl=context,
                server_hostname=target.host if target.tls else None,
            )
        except OSError as exc:
            raise ApiConnectionError(
                f"cannot connect to {target.host}:{target.port}: {exc.strerror or exc}",
                refused=True,
            ) from exc
        self._open.add(conn)
        return conn

    async def _sweep(self) -> None:
        """Expire requests past their deadline: one timer for all connections rather than one
        per request (asyncio.timeout costs as much CPU as the rest of a request's bookkeeping)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._tick)
            now = loop.time()
            for conn in [c for c in self._busy if c.deadline <= now]:
                self._busy.discard(conn)
                conn.expire()

    async def _exchange(
        self, target: Target, method: str, path: str, body: bytes, timeout: float
    ) -> Answer:
        payload = b"%sContent-Length: %d\r\n\r\n%s" % (
            self._head(target, method, path),
            len(body),
            body,
        )
        loop = asyncio.get_running_loop()
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = loop.create_task(self._sweep())
        self._tick = min(self._tick, max(0.01, timeout / 10))
        deadline = loop.time() + timeout
        url = f"{target.host}:{target.port}{target.prefix}{path}"
        for attempt in (1, 2):
            conn = self._idle_connection(target)
            reused = conn is not None
            if conn is None:
                try:
                    conn = await asyncio.wait_for(self._connect(target), deadline - loop.time())
                except TimeoutError as exc:
                    raise ApiTimeout(f"could not connect to {url} within {timeout:g} s") from exc
            conn.deadline = deadline
            self._busy.add(conn)
            try:
                answer = await conn.send(payload, loop)
            except TimeoutError as exc:
                conn.close()
                self._open.discard(conn)
                raise ApiTimeout(f"no answer from {url} within {timeout:g} s") from exc
            except ApiConnectionError:
                conn.close()
                self._open.discard(conn)
                if reused and not conn.received and attempt == 1:
                    continue  # the server had closed this idle connection: use a fresh one
                raise
            except BaseException:
                conn.close()  # cancelled mid-request: the answer must not reach a reuser
                self._open.discard(conn)
                raise
            finally:
                self._busy.discard(conn)
            if conn.keep_alive and not conn.closed:
                self._idle.setdefault(target, deque()).append(conn)
            else:
                conn.close()
                self._open.discard(conn)
            return answer
        raise AssertionError("unreachable")

    def _decode(self, target: Target, path: str, answer: Answer) -> Any:
        if answer.status >= 400:
            raise ApiStatusError(
                answer.status,
                error_message(answer.body, self.redact),
                parse_retry_after(answer.retry_after),
            )
        try:
            return orjson.loads(answer.body)
        except ValueError as exc:
            raise MalformedResponse(
                f"{target.host}:{target.port}{target.prefix}{path}: HTTP {answer.status} with a "
                f"body that is not JSON ({len(answer.body)} bytes)"
            ) from exc

    async def post(self, base_url: str, path: str, body: dict[str, Any]) -> Any:
        target = self._target(base_url)
        answer = await self._exchange(target, "POST", path, orjson.dumps(body), self.timeout)
        return self._decode(target, path, answer)

    async def get(self, base_url: str, path: str) -> Any:
        target = self._target(base_url)
        answer = await self._exchange(target, "GET", path, b"", self.timeout)
        return self._decode(target, path, answer)

    async def alive(self, base_url: str, timeout: float = 5.0) -> bool:
        target = self._target(base_url)
        try:
            answer = await self._exchange(target, "GET", "/models", b"", timeout)
        except (ApiConnectionError, ApiTimeout):
            return False
        return answer.status < 500

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        for conn in self._open:
            conn.close()
        self._open.clear()
        self._idle.clear()
