"""llama-cpp-python's OpenAI-compatible server, started and stopped by globeval.

`python -m llama_cpp.server` serves one GGUF file on /v1/completions (with echo + logprobs, so
log-likelihood tasks work) and /v1/chat/completions. It answers one request at a time: to use
several cores or machines, start several servers and give them all to one backend
(`-M base_urls=URL1,URL2,...`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class LlamaCppServer:
    model_path: Path
    alias: str
    host: str = "127.0.0.1"
    port: int = 0
    n_ctx: int = 2048
    n_threads: int = 1
    extra_args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--model_alias",
            self.alias,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            "--n_threads",
            str(self.n_threads),
            *self.extra_args,
        ]

    def start(self, wait: float = 120.0) -> LlamaCppServer:
        """Start the server and return once it answers GET /v1/models."""
        return self.launch().wait_ready(wait)

    def launch(self) -> LlamaCppServer:
        """Start the process without waiting (start several, then wait for each)."""
        if not self.model_path.is_file():
            raise FileNotFoundError(f"GGUF file not found: {self.model_path}")
        self.port = self.port or free_port(self.host)
        fd, name = tempfile.mkstemp(prefix=f"llamacpp-{self.port}-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command(), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def wait_ready(self, wait: float = 120.0) -> LlamaCppServer:
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"llama.cpp server exited with code {self.process.returncode}:\n"
                    f"{self.log_tail()}"
                )
            if self.ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama.cpp server not ready after {wait:g} s:\n{self.log_tail()}")

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/models", timeout=2) as response:
                data = json.loads(response.read())
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and bool(data.get("data"))

    def log_tail(self, chars: int = 2000) -> str:
        if self.log_path is None or not self.log_path.is_file():
            return ""
        return self.log_path.read_bytes()[-chars:].decode("utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: a server dying mid-run, as a crashed node would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        self.stop()
        if self.log_path is not None:
            with contextlib.suppress(OSError):
                self.log_path.unlink()

    def __enter__(self) -> LlamaCppServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
