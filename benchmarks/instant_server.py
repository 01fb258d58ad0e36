"""An OpenAI-compatible server that costs almost nothing per request, for throughput benchmarks.

    python benchmarks/instant_server.py [--port 0]   # prints its base URL, serves until killed

Every POST to /v1/chat/completions or /v1/completions gets the same small completion at once;
GET /v1/models lists one model. It reads requests with httptools on asyncio protocols (uvloop
when installed) and answers from pre-built bytes: a client benchmarked against it measures the
client, not the server. (`globeval serve mock` answers per request, with faults on demand,
through uvicorn's ASGI machinery, and costs several times more per request.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket

import httptools


def _response(body: dict[str, object]) -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


CHAT = _response(
    {
        "id": "chatcmpl-instant",
        "object": "chat.completion",
        "created": 0,
        "model": "mock",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "The answer is A."},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25},
    }
)
COMPLETION = _response(
    {
        "id": "cmpl-instant",
        "object": "text_completion",
        "created": 0,
        "model": "mock",
        "choices": [{"index": 0, "text": " A", "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 1, "total_tokens": 21},
    }
)
MODELS = _response(
    {"object": "list", "data": [{"id": "mock", "object": "model", "created": 0, "owned_by": "x"}]}
)
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


class InstantProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url = url

    def on_message_complete(self) -> None:
        assert self.transport is not None
        url = self.url.split(b"?")[0].rstrip(b"/")
        if url.endswith(b"/chat/completions"):
            self.transport.write(CHAT)
        elif url.endswith(b"/completions"):
            self.transport.write(COMPLETION)
        elif url.endswith(b"/models"):
            self.transport.write(MODELS)
        else:
            self.transport.write(NOT_FOUND)
        if not self.parser.should_keep_alive():
            self.transport.close()


async def serve(host: str, port: int) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(InstantProtocol, sock=sock, backlog=4096)
    print(f"http://{host}:{sock.getsockname()[1]}/v1", flush=True)
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(serve(args.host, args.port))
    except ImportError:
        asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
