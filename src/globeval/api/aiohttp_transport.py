"""The aiohttp transport: one session with keep-alive connections, TLS and proxies from the
environment (HTTPS_PROXY, NO_PROXY). Used for https:// endpoints."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from globeval.api.errors import ApiConnectionError, ApiStatusError, ApiTimeout, MalformedResponse
from globeval.api.transport import Redactor, base_headers, error_message, parse_retry_after


class AiohttpTransport:
    def __init__(self, api_key: str | None, timeout: float) -> None:
        self._headers = base_headers(api_key)
        self.redact = Redactor([api_key] if api_key else [])
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                # the endpoint pool bounds concurrency; the connector must not queue behind it
                connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers=self._headers,
                trust_env=True,
            )
        return self._session

    async def _request(
        self, method: str, url: str, data: bytes | None, timeout: float
    ) -> tuple[int, bytes, str | None]:
        try:
            async with self._client().request(
                method, url, data=data, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                return response.status, await response.read(), response.headers.get("Retry-After")
        except TimeoutError as exc:
            raise ApiTimeout(f"no answer from {url} within {timeout:g} s") from exc
        except aiohttp.ClientError as exc:
            # refused, reset, or closed before the whole answer arrived
            message = self.redact(str(exc) or type(exc).__name__)
            raise ApiConnectionError(
                f"{url}: {type(exc).__name__}: {message}",
                refused=isinstance(exc, aiohttp.ClientConnectorError),
            ) from exc

    def _decode(self, url: str, status: int, raw: bytes, retry_after: str | None) -> Any:
        if status >= 400:
            raise ApiStatusError(
                status, error_message(raw, self.redact), parse_retry_after(retry_after)
            )
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise MalformedResponse(
                f"{url}: HTTP {status} with a body that is not JSON ({len(raw)} bytes)"
            ) from exc

    async def post(self, base_url: str, path: str, body: dict[str, Any]) -> Any:
        url = base_url.rstrip("/") + path
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self._decode(url, *await self._request("POST", url, data, self.timeout))

    async def get(self, base_url: str, path: str) -> Any:
        url = base_url.rstrip("/") + path
        return self._decode(url, *await self._request("GET", url, None, self.timeout))

    async def alive(self, base_url: str, timeout: float = 5.0) -> bool:
        url = base_url.rstrip("/") + "/models"
        try:
            status, _, _ = await self._request("GET", url, None, timeout)
        except (ApiConnectionError, ApiTimeout):
            return False
        return status < 500

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
