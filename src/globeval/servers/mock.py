"""An OpenAI-compatible server that answers instantly, or fails on purpose.

It serves `/v1/chat/completions`, `/v1/completions` (with `echo` + `logprobs` for log-likelihood
requests), `/v1/models`, `/health` and `/stats`. Answers are deterministic functions of the
request, so a test can check what came back; faults are drawn per request from a seeded
generator: 429 with Retry-After, 500, a request held past the client's timeout, a 200 whose JSON
is cut in half, a 200 with no choices, and a connection closed without an answer.

`/stats` counts every attempt by outcome and, per request content, how many times it was
answered 200 OK: what a test needs to prove that nothing was lost and nothing re-sent.

It is a bare ASGI application served by uvicorn (with httptools and uvloop where installed):
an "instant" server must cost far less per request than the clients it is used to measure.

Pseudo-tokens are runs of at most four non-space characters with their leading whitespace, so
that " A" after "Answer:" is one token, as it is for real tokenizers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from typing import Any

import orjson
import uvicorn

TOKEN = re.compile(r"\s*\S{1,4}|\s+")
FAULT_NAMES = {
    "429": "rate_limit",
    "500": "server_error",
    "timeout": "timeout",
    "truncated": "truncated",
    "empty": "empty_choices",
    "drop": "drop",
}


@dataclass(frozen=True)
class Faults:
    """Probability of each fault per request (they are exclusive; the rest are answered)."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    timeout: float = 0.0
    truncated: float = 0.0
    empty_choices: float = 0.0
    drop: float = 0.0
    #: seconds sent in Retry-After with a 429
    retry_after: float = 0.2
    #: how long a "timeout" fault holds the request before closing it unanswered
    hang_seconds: float = 30.0

    @classmethod
    def parse(cls, text: str) -> Faults:
        """`429=0.1,500=0.05,timeout=0.02,truncated=0.05,empty=0.05,drop=0.02,retry_after=1`."""
        values: dict[str, float] = {}
        known = {f.name for f in fields(cls)}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, value = part.partition("=")
            name = FAULT_NAMES.get(key.strip(), key.strip())
            if not sep or name not in known:
                raise ValueError(
                    f"fault {part!r}: expected NAME=VALUE with NAME in "
                    f"{', '.join([*FAULT_NAMES, 'retry_after', 'hang_seconds'])}"
                )
            try:
                values[name] = float(value)
            except ValueError:
                raise ValueError(f"fault {part!r}: {value!r} is not a number") from None
        faults = cls(**values)
        if faults.total() > 1.0:
            raise ValueError(f"fault probabilities add up to {faults.total():.2f} > 1")
        return faults

    def total(self) -> float:
        return (
            self.rate_limit
            + self.server_error
            + self.timeout
            + self.truncated
            + self.empty_choices
            + self.drop
        )

    def draw(self, rng: random.Random) -> str:
        """The outcome of one request: a fault name or "ok"."""
        r = rng.random()
        for name in ("rate_limit", "server_error", "timeout", "truncated", "empty_choices", "drop"):
            p = float(getattr(self, name))
            if r < p:
                return name
            r -= p
        return "ok"


@dataclass
class MockConfig:
    model: str = "mock"
    faults: Faults = field(default_factory=Faults)
    seed: int = 0
    #: seconds every answer takes (a slow server), on top of any fault
    latency: float = 0.0
    #: answer 400 to echo + logprobs requests, as chat-only providers do
    no_logprobs: bool = False
    #: no /v1/completions at all (404), as chat-only providers
    chat_only: bool = False
    #: put the Authorization header in error bodies: a hostile server, for leak tests
    leak_auth: bool = False


@dataclass
class MockStats:
    attempts: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    #: content hash -> times answered 200 OK with a usable body
    ok_by_content: Counter[str] = field(default_factory=Counter)
    attempts_by_content: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "outcomes": dict(self.outcomes),
            "ok_by_content": dict(self.ok_by_content),
            "attempts_by_content": dict(self.attempts_by_content),
        }


def content_key(body: dict[str, Any]) -> str:
    """What identifies a request at the server: its prompt or messages, not its retry."""
    content = body.get("messages") if "messages" in body else body.get("prompt")
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def pseudo_tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def pseudo_logprob(prefix: str, token: str) -> float:
    digest = hashlib.sha256(f"{prefix}\x00{token}".encode()).digest()
    return -0.05 - int.from_bytes(digest[:4], "big") % 6000 / 1000.0


def answer_letter(text: str) -> str:
    return "ABCD"[hashlib.sha256(text.encode()).digest()[0] % 4]


def echo_logprobs(prompt: str) -> dict[str, Any]:
    """Prompt-token log-probabilities as vLLM and llama.cpp return them with echo=True."""
    tokens = pseudo_tokens(prompt)
    offsets: list[int] = []
    logprobs: list[float | None] = []
    tops: list[dict[str, float] | None] = []
    position = 0
    for i, token in enumerate(tokens):
        offsets.append(position)
        if i == 0:  # the OpenAI convention: nothing conditions the first token
            logprobs.append(None)
            tops.append(None)
        else:
            lp = pseudo_logprob(prompt[:position], token)
            logprobs.append(lp)
            # every third token is not the model's top choice, so is_greedy varies
            top = {token: lp}
            if hashlib.sha256(prompt[: position + len(token)].encode()).digest()[0] % 3 == 0:
                top["\u00a7"] = lp + 0.5
            tops.append(top)
        position += len(token)
    return {
        "tokens": tokens,
        "text_offset": offsets,
        "token_logprobs": logprobs,
        "top_logprobs": tops,
    }


Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class DroppedOnPurpose(Exception):
    """Raised after a partial answer: uvicorn then closes the connection mid-response."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedOnPurpose))


def _json_bytes(payload: Any) -> bytes:
    return orjson.dumps(payload)


class MockServer:
    """The server; `start()` runs it in a thread (tests), `serve()` in the foreground (CLI)."""

    def __init__(self, config: MockConfig | None = None) -> None:
        self.config = config or MockConfig()
        self.stats = MockStats()
        self._rng = random.Random(self.config.seed)
        self._server: uvicorn.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.host = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    # -- ASGI -------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if self._stopping is None:
            self._loop = asyncio.get_running_loop()
            self._stopping = asyncio.Event()
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        method, path = scope["method"], scope["path"].rstrip("/")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if method == "GET" and path in ("/v1/models", "/models"):
            model = {"id": self.config.model, "object": "model", "created": 0, "owned_by": "mock"}
            await self._send(send, 200, _json_bytes({"object": "list", "data": [model]}))
        elif method == "GET" and path == "/health":
            await self._send(send, 200, b'{"status": "ok"}')
        elif method == "GET" and path == "/stats":
            await self._send(send, 200, _json_bytes(self.stats.as_json()))
        elif method == "POST" and path == "/v1/chat/completions":
            await self._serve(send, b"".join(chunks), headers, chat=True)
        elif method == "POST" and path == "/v1/completions":
            if self.config.chat_only:
                await self._error(send, headers, 404, "this server has no /v1/completions endpoint")
            else:
                await self._serve(send, b"".join(chunks), headers, chat=False)
        else:
            await self._error(send, headers, 404, f"no route for {method} {path}")

    @staticmethod
    async def _send(
        send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *(extra or []),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _error(
        self,
        send: Send,
        headers: dict[str, str],
        status: int,
        message: str,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        if self.config.leak_auth:
            message += f" (you sent {headers.get('authorization', '')})"
        body = {"error": {"message": message, "type": "mock_error", "code": status}}
        await self._send(send, status, _json_bytes(body), extra)

    @staticmethod
    async def _drop(send: Send, data: bytes) -> None:
        """Start a 200 answer, send half of it, and let uvicorn close the connection."""
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": data[: len(data) // 2], "more_body": True}
        )
        raise DroppedOnPurpose()

    async def _serve(self, send: Send, raw: bytes, headers: dict[str, str], chat: bool) -> None:
        self.stats.attempts += 1
        try:
            body = orjson.loads(raw)
        except ValueError:
            self.stats.outcomes["bad_request"] += 1
            await self._error(send, headers, 400, "request body is not JSON")
            return
        if not isinstance(body, dict) or ("messages" if chat else "prompt") not in body:
            self.stats.outcomes["bad_request"] += 1
            await self._error(send, headers, 400, "missing messages/prompt")
            return
        key = content_key(body)
        self.stats.attempts_by_content[key] += 1
        wants_logprobs = not chat and body.get("echo") and body.get("logprobs") is not None
        if wants_logprobs and self.config.no_logprobs:
            self.stats.outcomes["unsupported"] += 1
            await self._error(
                send,
                headers,
                400,
                "echo and logprobs are not supported together for this model",
            )
            return
        outcome = self.config.faults.draw(self._rng)
        self.stats.outcomes[outcome] += 1
        if self.config.latency:
            await asyncio.sleep(self.config.latency)
        if outcome == "rate_limit":
            retry_after = f"{self.config.faults.retry_after:g}".encode()
            await self._error(
                send, headers, 429, "rate limit reached", [(b"retry-after", retry_after)]
            )
            return
        if outcome == "server_error":
            await self._error(send, headers, 500, "internal error (injected)")
            return
        payload = self._chat_body(body) if chat else self._completion_body(body)
        data = _json_bytes(payload)
        if outcome == "timeout":
            assert self._stopping is not None
            with contextlib.suppress(TimeoutError):  # held until the hang ends or we stop
                await asyncio.wait_for(self._stopping.wait(), self.config.faults.hang_seconds)
            await self._drop(send, data)
        if outcome == "drop":
            await self._drop(send, data)
        if outcome == "empty_choices":
            payload["choices"] = []
            data = _json_bytes(payload)
        if outcome == "truncated":
            data = data[: len(data) // 2]
        if outcome == "ok":
            self.stats.ok_by_content[key] += 1
        await self._send(send, 200, data)

    def _chat_body(self, body: dict[str, Any]) -> dict[str, Any]:
        messages = body.get("messages") or []
        last = str(messages[-1].get("content", "")) if messages else ""
        text = f"The answer is {answer_letter(last)}."
        prompt_tokens = sum(len(pseudo_tokens(str(m.get("content", "")))) for m in messages)
        return {
            "id": "chatcmpl-mock",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.config.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": 5,
                "total_tokens": prompt_tokens + 5,
            },
        }

    def _completion_body(self, body: dict[str, Any]) -> dict[str, Any]:
        prompt = str(body.get("prompt", ""))
        generated = " " + answer_letter(prompt)
        text = prompt + generated if body.get("echo") else generated
        logprobs = None
        if body.get("logprobs") is not None:
            if body.get("echo"):
                logprobs = echo_logprobs(prompt + generated)
            else:
                logprobs = {
                    "tokens": [generated],
                    "text_offset": [len(prompt)],
                    "token_logprobs": [pseudo_logprob(prompt, generated)],
                    "top_logprobs": [{generated: pseudo_logprob(prompt, generated)}],
                }
        n_prompt = len(pseudo_tokens(prompt))
        return {
            "id": "cmpl-mock",
            "object": "text_completion",
            "created": int(time.time()),
            "model": body.get("model", self.config.model),
            "choices": [
                {"index": 0, "text": text, "finish_reason": "length", "logprobs": logprobs}
            ],
            "usage": {
                "prompt_tokens": n_prompt,
                "completion_tokens": 1,
                "total_tokens": n_prompt + 1,
            },
        }

    # -- running ----------------------------------------------------------------------------
    def _bind(self, host: str, port: int) -> socket.socket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)  # from now on connections wait in the backlog until uvicorn serves
        sock.set_inheritable(True)
        self.host = host
        self.port = int(sock.getsockname()[1])
        return sock

    def _uvicorn(self, log_level: str) -> uvicorn.Server:
        logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
        config = uvicorn.Config(
            self,
            log_level=log_level,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            backlog=2048,
        )
        return uvicorn.Server(config)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> MockServer:
        """Serve in a background thread; returns once it accepts connections."""
        sock = self._bind(host, port)
        server = self._server = self._uvicorn("warning")
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="globeval-mock", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the mock server did not start on {host}:{self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may have stopped already
                self._loop.call_soon_threadsafe(self._stopping.set)
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> MockServer:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve(
        self,
        host: str,
        port: int,
        on_ready: Callable[[MockServer], None] | None = None,
        log_level: str = "warning",
    ) -> None:
        """Serve in the foreground until interrupted (Ctrl-C or SIGTERM)."""
        sock = self._bind(host, port)
        if on_ready is not None:
            on_ready(self)  # the socket is bound: connections wait in its backlog
        self._uvicorn(log_level).run(sockets=[sock])
