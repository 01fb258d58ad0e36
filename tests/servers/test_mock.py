"""Tests for globeval.servers.mock and `globeval serve mock`."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import urllib.request
from collections import Counter

import pytest

from globeval.servers.mock import Faults, echo_logprobs, pseudo_tokens
from tests.loopback import clean_env, repo_root


def test_faults_parse_short_names_and_reject_nonsense() -> None:
    faults = Faults.parse(
        "429=0.1, 500=0.2,timeout=0.05,truncated=0.05,empty=0.1,drop=0.1,retry_after=2"
    )
    assert (faults.rate_limit, faults.server_error, faults.retry_after) == (0.1, 0.2, 2.0)
    with pytest.raises(ValueError, match="NAME=VALUE"):
        Faults.parse("418=0.5")
    with pytest.raises(ValueError, match="not a number"):
        Faults.parse("500=often")
    with pytest.raises(ValueError, match="add up to"):
        Faults.parse("500=0.7,429=0.7")


def test_fault_draws_follow_their_probabilities() -> None:
    faults = Faults.parse("429=0.2,500=0.1,drop=0.05")
    rng = random.Random(0)
    counts = Counter(faults.draw(rng) for _ in range(20_000))
    assert counts["rate_limit"] == pytest.approx(4000, rel=0.08)
    assert counts["server_error"] == pytest.approx(2000, rel=0.1)
    assert counts["drop"] == pytest.approx(1000, rel=0.15)
    assert counts["ok"] == pytest.approx(13_000, rel=0.05)


def test_echo_logprobs_cover_the_prompt_with_offsets() -> None:
    prompt = "Réponse : B\n東京"
    data = echo_logprobs(prompt)
    assert "".join(data["tokens"]) == prompt == "".join(pseudo_tokens(prompt))
    for token, offset in zip(data["tokens"], data["text_offset"], strict=True):
        assert prompt[offset : offset + len(token)] == token
    assert data["token_logprobs"][0] is None and all(lp < 0 for lp in data["token_logprobs"][1:])


def test_the_cli_serves_and_counts_requests() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "globeval.cli.main",
            "serve",
            "mock",
            "--port",
            "0",
            "--faults",
            "500=1",
        ],
        cwd=repo_root(),
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()
        request = urllib.request.Request(
            url + "/chat/completions", data=body, headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=10)
        assert info.value.code == 500
        with urllib.request.urlopen(url.removesuffix("/v1") + "/stats", timeout=10) as response:
            stats = json.loads(response.read())
        assert stats["attempts"] == 1 and stats["outcomes"] == {"server_error": 1}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_cli_rejects_bad_faults() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "globeval.cli.main", "serve", "mock", "--faults", "429=2"],
        cwd=repo_root(),
        env=clean_env(),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2 and b"add up to" in result.stderr
