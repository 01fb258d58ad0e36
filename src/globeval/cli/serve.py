"""`globeval serve`: local OpenAI-compatible servers to evaluate against or to test with."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from globeval.cli.common import _fail, app, err, out

serve_app = typer.Typer(
    help="Start local OpenAI-compatible servers: llama.cpp on a GGUF model, or a mock that "
    "answers instantly and injects faults.",
    no_args_is_help=True,
)
app.add_typer(serve_app, name="serve")


@serve_app.command("mock")
def serve_mock(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).", min=0)] = 8000,
    faults: Annotated[
        str,
        typer.Option(
            help="Fault probabilities per request, e.g. "
            "429=0.1,500=0.05,timeout=0.01,truncated=0.05,empty=0.05,drop=0.02 "
            "(plus retry_after=SECONDS, hang_seconds=SECONDS)."
        ),
    ] = "",
    latency: Annotated[float, typer.Option(help="Seconds every answer takes.", min=0)] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the fault draws.")] = 0,
    model: Annotated[str, typer.Option(help="Model name listed at /v1/models.")] = "mock",
    no_logprobs: Annotated[
        bool, typer.Option("--no-logprobs", help="Refuse echo + logprobs, as chat APIs do.")
    ] = False,
    chat_only: Annotated[
        bool, typer.Option("--chat-only", help="Serve no /v1/completions endpoint.")
    ] = False,
) -> None:
    """A deterministic OpenAI-compatible server for tests, benchmarks and fault drills.

    GET /stats counts attempts by outcome and answers per request content.
    """
    from globeval.servers.mock import Faults, MockConfig, MockServer

    try:
        config = MockConfig(
            model=model,
            faults=Faults.parse(faults),
            seed=seed,
            latency=latency,
            no_logprobs=no_logprobs,
            chat_only=chat_only,
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None

    def ready(server: MockServer) -> None:
        err.print(f"mock server at {server.url} (faults: {escape(faults) or 'none'})")
        out.print(server.url, highlight=False)

    try:
        MockServer(config).serve(host, port, on_ready=ready)
    except OSError as exc:
        raise _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@serve_app.command("llamacpp")
def serve_llamacpp(
    model: Annotated[
        str, typer.Option("--model", "-m", help="Embedded model name or GGUF path.")
    ] = "gemma-3-270m",
    replicas: Annotated[int, typer.Option(help="How many servers to start.", min=1)] = 1,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="First port (the others follow; 0: free ports).", min=0)
    ] = 0,
    alias: Annotated[
        str | None, typer.Option(help="Model name the servers answer to (default: --model).")
    ] = None,
    n_ctx: Annotated[int, typer.Option(help="Context size.", min=64)] = 2048,
    n_threads: Annotated[int, typer.Option(help="Threads per server.", min=1)] = 1,
) -> None:
    """Serve a GGUF model with llama-cpp-python's OpenAI-compatible server, one or more times.

    Prints the base URLs to pass as -M base_urls=... to `globeval run -b openai`.
    """
    from globeval.backends.base import BackendError
    from globeval.backends.embedded import EMBEDDED
    from globeval.servers.llamacpp import LlamaCppServer

    try:
        path = EMBEDDED[model].path() if model in EMBEDDED else Path(model)
    except BackendError as exc:
        raise _fail(str(exc)) from None
    if not path.is_file():
        raise _fail(f"GGUF file not found: {model}")
    servers = [
        LlamaCppServer(
            path,
            alias or model,
            host=host,
            port=port + i if port else 0,
            n_ctx=n_ctx,
            n_threads=n_threads,
        )
        for i in range(replicas)
    ]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
            err.print(f"llama.cpp server for {escape(str(path))} at {server.url}")
        out.print("-M base_urls=" + ",".join(s.url for s in servers), highlight=False)
        err.print("Ctrl-C stops them.")
        stop.wait()
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        raise _fail(str(exc)) from None
    finally:
        for server in servers:
            server.cleanup()
