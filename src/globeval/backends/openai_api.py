"""OpenAI-compatible servers: vLLM, SGLang, llama.cpp, Ollama, TGI and hosted providers.

Requests run concurrently on an asyncio loop in a background thread; `stream()` yields each
result as it arrives, so the engine stores it in the cache at once and a killed run re-sends
nothing that was answered. A request that fails for good is yielded as a RequestFailure and
counted, never dropped. Generation with messages goes to /v1/chat/completions, with a plain
prompt to /v1/completions; log-likelihood goes to /v1/completions with echo + logprobs
(globeval/api/protocol.py), and a server that cannot do that stops the run with a message that
points to the generative formulation.

Several base URLs make one backend over several servers (globeval/api/endpoints.py). The API
key is read from the environment variable named by `api_key_env` and is never stored: not in
the manifest, the cache namespace, error messages or logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from globeval.api.dispatch import Dispatcher, RetryPolicy, error_kind
from globeval.api.endpoints import EndpointPool
from globeval.api.errors import ApiError, ApiStatusError
from globeval.api.limits import RateLimits, estimate_tokens
from globeval.api.protocol import (
    LogprobsError,
    chat_body,
    completion_body,
    loglikelihood_body,
    parse_generation,
    parse_loglikelihood,
)
from globeval.api.transport import TRANSPORTS, Transport, make_transport
from globeval.api.usage import Usage
from globeval.backends.base import Backend, BackendError, UnsupportedRequest, split_trailing_space
from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    Request,
    RequestFailure,
    RequestKind,
    Result,
)

OPENAI_URL = "https://api.openai.com/v1"
GENERATIVE_HINT = (
    "use the generative formulation (--formulation generative), which needs no log-probabilities"
)
SERVER_TEMPLATE = "(applied by the server to chat messages)"


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (it halves the event loop's own cost), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def public_url(url: str) -> str:
    """The URL without credentials or query string, for manifests and messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def split_urls(base_url: str | None, base_urls: str | Sequence[str] | None) -> list[str]:
    urls: list[str] = []
    for value in (base_url, base_urls):
        if value is None:
            continue
        items = value.split(",") if isinstance(value, str) else list(value)
        urls.extend(u.strip().rstrip("/") for u in items if u and u.strip())
    if not urls:
        urls = [os.environ.get("OPENAI_BASE_URL", OPENAI_URL).rstrip("/")]
    for url in urls:
        parts = urlsplit(url)
        if parts.username or parts.password:
            # the run manifest records the arguments as given: no secret may be among them
            raise BackendError(
                f"base URL {public_url(url)!r} carries credentials: put the key in an "
                "environment variable and pass -M api_key_env=VARIABLE"
            )
    return list(dict.fromkeys(urls))


def _extra_body(value: str | dict[str, Any] | None) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return dict(value)
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise BackendError(f"extra_body is not a JSON object: {exc}") from None
    if not isinstance(parsed, dict):
        raise BackendError("extra_body must be a JSON object, e.g. '{\"repeat_penalty\": 1.0}'")
    return parsed


class OpenAIBackend(Backend):
    name: ClassVar[str] = "openai"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"loglikelihood", "generate"})

    def __init__(
        self,
        model: str,
        embedded: str | None = None,
        base_url: str | None = None,
        base_urls: str | Sequence[str] | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 64,
        rpm: float | None = None,
        tpm: float | None = None,
        timeout: float = 120.0,
        max_retries: int = 7,
        retry_wait: float = 0.5,
        retry_wait_max: float = 30.0,
        price_in: float | None = None,
        price_out: float | None = None,
        extra_body: str | dict[str, Any] | None = None,
        max_tokens_field: str = "max_tokens",
        send_seed: bool = True,
        revision: str | None = None,
        batch_size: int = 4096,
        health_interval: float = 2.0,
        down_timeout: float = 120.0,
        transport: str = "auto",
        api_key: object = None,
    ) -> None:
        if api_key is not None:
            raise BackendError(
                "API keys are read from the environment only, never from arguments: "
                "export the key and pass -M api_key_env=VARIABLE (default OPENAI_API_KEY)"
            )
        if concurrency < 1:
            raise BackendError(f"concurrency must be at least 1, got {concurrency}")
        if max_retries < 0:
            raise BackendError(f"max_retries must be 0 or more, got {max_retries}")
        self.urls = split_urls(base_url, base_urls)
        key = os.environ.get(api_key_env) or None
        if key is None and any(urlsplit(u).hostname == "api.openai.com" for u in self.urls):
            raise BackendError(
                f"the OpenAI API needs a key: set the environment variable {api_key_env}"
            )
        self.model = model
        self.embedded = embedded
        self.api_key_env = api_key_env
        self._has_key = key is not None
        self.concurrency = concurrency
        self.rpm = rpm
        self.tpm = tpm
        self.timeout = timeout
        self.retry = RetryPolicy(max_retries + 1, retry_wait, retry_wait_max)
        self.price_in = price_in
        self.price_out = price_out
        self.extra = _extra_body(extra_body)
        self.max_tokens_field = max_tokens_field
        self.send_seed = send_seed
        self.revision = revision
        self.batch_size = batch_size
        self.usage = Usage()
        try:
            self.limits = RateLimits(rpm, tpm)
        except ValueError as exc:
            raise BackendError(str(exc)) from None
        self.transport = self._make_transport(transport, key, timeout)
        self.pool = EndpointPool(
            self.urls,
            concurrency,
            self.transport.alive,
            health_interval=health_interval,
            down_timeout=down_timeout,
        )
        self.dispatcher = Dispatcher(self.pool, self.transport, self.limits, self.usage, self.retry)
        self._loop = new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="globeval-openai", daemon=True
        )
        self._thread.start()
        try:
            self._call(self._connect())
        except BaseException:
            self.close()
            raise

    def _make_transport(self, kind: str, key: str | None, timeout: float) -> Transport:
        if kind not in TRANSPORTS:
            raise BackendError(f"transport {kind!r} is not one of {', '.join(TRANSPORTS)}")
        for url in self.urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise BackendError(f"base URL {public_url(url)!r} is not an http(s) URL")
        return make_transport(kind, self.urls, key, timeout)

    # -- loop -------------------------------------------------------------------------------
    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    async def _connect(self) -> None:
        down = await self.pool.check_all()
        if len(down) == len(self.urls):
            raise BackendError(
                "no server answers at " + ", ".join(public_url(u) for u in down) + " (GET /models)"
            )
        if not self.model:
            self.model = await self._first_model()

    async def _first_model(self) -> str:
        for url in self.urls:
            try:
                data = await self.transport.get(url, "/models")
                return str(data["data"][0]["id"])
            except (ApiError, LookupError, TypeError):
                continue  # try the next endpoint
        raise BackendError("no --model given and the server lists no model at GET /models")

    # -- identity ---------------------------------------------------------------------------
    def identity(self) -> dict[str, Any]:
        # endpoints are left out on purpose: the same model on more or fewer servers gives the
        # same answers, and a resumed run may use other servers; `revision` tells apart
        # different weights served under one name
        return {
            "engine": "openai-api",
            "model": self.model,
            "revision": self.revision,
            "extra_body": self.extra,
            "max_tokens_field": self.max_tokens_field,
            "send_seed": self.send_seed,
        }

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "endpoints": [public_url(u) for u in self.urls],
            "api_key_env": self.api_key_env,
            "api_key_set": self._has_key,
            "concurrency_per_endpoint": self.concurrency,
            "rpm": self.rpm,
            "tpm": self.tpm,
            "timeout_s": self.timeout,
            "max_attempts": self.retry.max_attempts,
            "usage": self.usage.as_dict(self.price_in, self.price_out),
            "endpoint_stats": {public_url(ep.url): dict(ep.stats) for ep in self.pool.endpoints},
        }

    def chat_template(self) -> str | None:
        return SERVER_TEMPLATE

    def render_chat(self, messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
        raise UnsupportedRequest(
            "an API server applies its chat template to messages itself; log-likelihood "
            f"through a chat template needs it on the client: {GENERATIVE_HINT}"
        )

    # -- requests ---------------------------------------------------------------------------
    async def _serve(self, req: Request) -> Result:
        if isinstance(req, LoglikelihoodRequest):
            return await self._loglikelihood(req)
        if isinstance(req, GenerateRequest):
            return await self._generate(req)
        raise UnsupportedRequest(
            f"an API backend serves no {req.kind!r} requests: score reward models with "
            "--backend hf-rm or dpo, or ask a judge with --formulation generative"
        )

    async def _loglikelihood(self, req: LoglikelihoodRequest) -> LoglikelihoodResult:
        if req.templated:
            raise UnsupportedRequest(f"templated log-likelihood contexts: {GENERATIVE_HINT}")
        context, continuation = split_trailing_space(req.context, req.continuation)
        body = loglikelihood_body(self.model, context, continuation, self.extra)
        tokens = estimate_tokens(len(body["prompt"]), 1) if self.limits.active else 0

        def parse(data: Any) -> LoglikelihoodResult:
            return parse_loglikelihood(data, req, context)

        try:
            return await self.dispatcher.send("/completions", body, parse, tokens)
        except LogprobsError as exc:
            if exc.unsupported:
                raise UnsupportedRequest(
                    f"the server does not return prompt log-probabilities: {GENERATIVE_HINT}"
                ) from None
            raise
        except ApiStatusError as exc:
            text = exc.message.lower()
            if exc.status in (404, 501) or (
                exc.status in (400, 422) and ("echo" in text or "logprob" in text)
            ):
                raise UnsupportedRequest(
                    f"the server refused echo + logprobs on /v1/completions (HTTP {exc.status}: "
                    f"{exc.message[:200]}): {GENERATIVE_HINT}"
                ) from None
            raise

    async def _generate(self, req: GenerateRequest) -> GenerateResult:
        chat = req.messages is not None
        if chat:
            body = chat_body(self.model, req, self.extra, self.max_tokens_field, self.send_seed)
        else:
            body = completion_body(
                self.model, req, self.extra, self.max_tokens_field, self.send_seed
            )
        tokens = 0
        if self.limits.active:  # only a tokens-per-minute budget needs the estimate
            chars = len(req.prompt or "") + sum(len(m.content) for m in req.messages or ())
            tokens = estimate_tokens(chars, req.max_tokens)
        path = "/chat/completions" if chat else "/completions"
        try:
            return await self.dispatcher.send(
                path, body, lambda data: parse_generation(data, chat), tokens
            )
        except ApiStatusError as exc:
            if exc.status == 404 and not chat:
                raise UnsupportedRequest(
                    "the server has no /v1/completions endpoint for plain prompts: pass "
                    "--apply-chat-template so that prompts go to /v1/chat/completions"
                ) from None
            raise

    async def _one(self, index: int, req: Request, put: Callable[[Any], None]) -> None:
        try:
            result: Result | RequestFailure = await self._serve(req)
        except UnsupportedRequest as exc:
            put(exc)
            return
        except ApiError as exc:
            attempts = getattr(exc, "attempts", 1)
            message = f"{error_kind(exc)}: {exc} (gave up after {attempts} attempt(s))"
            result = RequestFailure(self.transport.redact(message))
        except Exception as exc:  # a bug must not lose the batch: count it on the request
            result = RequestFailure(self.transport.redact(f"{type(exc).__name__}: {exc}"))
        put((index, result))

    async def _run_all(self, requests: Sequence[Request], put: Callable[[Any], None]) -> None:
        # a few workers per slot rather than a task per request: thousands of idle tasks cost
        # CPU to create and to wake; two per slot keep every slot busy while others back off
        todo = deque(enumerate(requests))

        async def worker() -> None:
            while todo:
                index, req = todo.popleft()
                await self._one(index, req, put)

        slots = sum(ep.max_limit for ep in self.pool.endpoints)
        tasks = [asyncio.create_task(worker()) for _ in range(min(len(requests), 2 * slots))]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def stream(
        self, kind: RequestKind, requests: Sequence[Request]
    ) -> Iterator[tuple[int, Result | RequestFailure]]:
        if not requests:
            return
        out: queue.SimpleQueue[list[Any]] = queue.SimpleQueue()
        done = object()
        ready: list[Any] = []

        def flush() -> None:
            out.put(ready[:])
            ready.clear()

        def put(item: Any) -> None:
            # hand results over once per loop iteration, not one by one: fewer thread wake-ups
            if not ready:
                self._loop.call_soon(flush)
            ready.append(item)

        future: Future[None] = asyncio.run_coroutine_threadsafe(
            self._run_all(requests, put), self._loop
        )
        future.add_done_callback(lambda _: self._loop.call_soon_threadsafe(put, done))
        remaining = len(requests)
        try:
            while remaining:
                for item in out.get():
                    if item is done:
                        error = future.exception() if not future.cancelled() else None
                        raise BackendError(
                            f"the request loop stopped with {remaining} left: {error}"
                        )
                    if isinstance(item, BaseException):
                        raise item
                    remaining -= 1
                    yield item
        finally:
            if not future.done():
                future.cancel()
                # cancelled on purpose: wait for the requests to stop, whatever they raise
                with contextlib.suppress(BaseException):
                    future.result(timeout=30)

    def _collect(self, kind: RequestKind, requests: Sequence[Request]) -> list[Result]:
        results: list[Result | None] = [None] * len(requests)
        for index, result in self.stream(kind, requests):
            if isinstance(result, RequestFailure):
                raise BackendError(result.error)
            results[index] = result
        return [r for r in results if r is not None]

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        return [
            r
            for r in self._collect("loglikelihood", requests)
            if isinstance(r, LoglikelihoodResult)
        ]

    def generate(self, requests: Sequence[GenerateRequest]) -> list[GenerateResult]:
        return [r for r in self._collect("generate", requests) if isinstance(r, GenerateResult)]

    def close(self) -> None:
        loop = getattr(self, "_loop", None)
        if loop is None or loop.is_closed():
            return

        async def shutdown() -> None:
            await self.pool.close()
            await self.transport.close()

        if self._thread.is_alive():
            with contextlib.suppress(Exception):  # closing anyway
                asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(timeout=10)
        loop.close()
