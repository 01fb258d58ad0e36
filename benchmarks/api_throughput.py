"""Requests per second against an instant local OpenAI-compatible server: globeval's API
backend versus lm-evaluation-harness's `local-chat-completions` and inspect_ai's
OpenAI-compatible provider (`openai-api/...`), on the same chat prompts, at concurrency
1, 16, 64 and 256.

    python benchmarks/api_throughput.py [--requests 2000] [--repeats 3]

Each client runs in its own process, in its own virtualenv (created here under .bench/, which
git ignores, with pinned versions); all talk to one server process that answers at once:
benchmarks/instant_server.py, which answers from pre-built bytes (`--server mock` uses
`globeval serve mock` instead, several times costlier per request).

Every client is measured at its model layer: globeval's API backend (`OpenAIBackend.stream`),
lm-eval's `LocalChatCompletion.generate_until`, inspect_ai's `Model.generate` under
`asyncio.gather`. "globeval + engine" is the whole path of a run on top: the engine hashes and
dedupes the requests, reads the SQLite request cache, and commits every answer to it as it
arrives. Two bare loops are printed for reference: the openai SDK's AsyncOpenAI and aiohttp,
each under an asyncio.Semaphore.

Reported: the median of `--repeats` runs (clients interleaved, so load changes hit all alike),
client CPU milliseconds per request (less sensitive to other work on the machine), and the
load average. The goal: at least 1,000 requests/s, and at least 3x the better of lm-eval and
inspect_ai.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
LEVELS = (1, 16, 64, 256)
LM_EVAL = "lm-eval[api]==0.4.13"
INSPECT = ["inspect-ai==0.3.285", "openai==3.54.0"]

# Each child reads {"url", "concurrency", "prompts"} as JSON on stdin and prints
# {"n", "seconds", "cpu"} as its last line.
GLOBEVAL_BACKEND_CHILD = """
import json, sys, time
from globeval.backends.openai_api import OpenAIBackend
from globeval.requests import ChatMessage, GenerateRequest, GenerateResult
job = json.load(sys.stdin)
requests = [GenerateRequest(messages=(ChatMessage("user", p),), max_tokens=16, stop=("\\n\\n",))
            for p in job["prompts"]]
backend = OpenAIBackend("mock", base_url=job["url"], concurrency=job["concurrency"])
cpu, wall = time.process_time(), time.perf_counter()
results = list(backend.stream("generate", requests))
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert sorted(i for i, _ in results) == list(range(len(requests)))
assert all(isinstance(r, GenerateResult) and r.text.startswith("The answer is") for _, r in results)
backend.close()
print(json.dumps({"n": len(results), "seconds": wall, "cpu": cpu}))
"""

GLOBEVAL_CHILD = """
import json, sys, tempfile, time
from pathlib import Path
from globeval.backends.openai_api import OpenAIBackend
from globeval.engine import Engine, RequestCache
from globeval.requests import ChatMessage, GenerateRequest
job = json.load(sys.stdin)
requests = [GenerateRequest(messages=(ChatMessage("user", p),), max_tokens=16, stop=("\\n\\n",))
            for p in job["prompts"]]
backend = OpenAIBackend("mock", base_url=job["url"], concurrency=job["concurrency"])
cache = RequestCache(Path(tempfile.mkdtemp()) / "requests.sqlite")
cpu, wall = time.process_time(), time.perf_counter()
results, stats = Engine(backend, cache, progress=False).run(requests)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert stats.computed == len(requests) and stats.failed == 0, stats
backend.close()
print(json.dumps({"n": len(results), "seconds": wall, "cpu": cpu}))
"""

LM_EVAL_CHILD = """
import json, logging, sys, time
logging.disable(logging.WARNING)
from lm_eval.api.instance import Instance
from lm_eval.models.api_models import JsonChatStr
from lm_eval.models.openai_completions import LocalChatCompletion
job = json.load(sys.stdin)
lm = LocalChatCompletion(base_url=job["url"] + "/chat/completions", model="mock",
                         num_concurrent=job["concurrency"], max_retries=3,
                         tokenizer_backend=None, tokenized_requests=False)
requests = [Instance(request_type="generate_until", doc={}, idx=0, arguments=(
    JsonChatStr(json.dumps([{"role": "user", "content": p}])),
    {"max_gen_toks": 16, "until": ["\\n\\n"]})) for p in job["prompts"]]
cpu, wall = time.process_time(), time.perf_counter()
out = lm.generate_until(requests, disable_tqdm=True)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert len(out) == len(requests) and all(o.startswith("The answer is") for o in out)
print(json.dumps({"n": len(out), "seconds": wall, "cpu": cpu}))
"""

INSPECT_CHILD = """
import asyncio, json, os, sys, time
job = json.load(sys.stdin)
os.environ["MOCK_API_KEY"] = "not-a-secret"
os.environ["MOCK_BASE_URL"] = job["url"]
from inspect_ai.model import ChatMessageUser, GenerateConfig, get_model
model = get_model("openai-api/mock/mock", config=GenerateConfig(
    max_connections=job["concurrency"], max_tokens=16, temperature=0.0, stop_seqs=["\\n\\n"]))
async def main():
    return await asyncio.gather(*[model.generate([ChatMessageUser(content=p)])
                                  for p in job["prompts"]])
cpu, wall = time.process_time(), time.perf_counter()
out = asyncio.run(main())
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert all(o.completion.startswith("The answer is") for o in out)
print(json.dumps({"n": len(out), "seconds": wall, "cpu": cpu}))
"""

SDK_CHILD = """
import asyncio, json, sys, time
from openai import AsyncOpenAI
job = json.load(sys.stdin)
async def main():
    client = AsyncOpenAI(base_url=job["url"], api_key="not-a-secret", max_retries=0)
    gate = asyncio.Semaphore(job["concurrency"])
    async def one(p):
        async with gate:
            r = await client.chat.completions.create(
                model="mock", messages=[{"role": "user", "content": p}], max_tokens=16,
                temperature=0.0, stop=["\\n\\n"])
            return r.choices[0].message.content
    out = await asyncio.gather(*[one(p) for p in job["prompts"]])
    await client.close()
    return out
cpu, wall = time.process_time(), time.perf_counter()
out = asyncio.run(main())
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert all(o.startswith("The answer is") for o in out)
print(json.dumps({"n": len(out), "seconds": wall, "cpu": cpu}))
"""

AIOHTTP_CHILD = """
import asyncio, json, sys, time
import aiohttp
job = json.load(sys.stdin)
async def main():
    url = job["url"] + "/chat/completions"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        gate = asyncio.Semaphore(job["concurrency"])
        async def one(p):
            body = {"model": "mock", "messages": [{"role": "user", "content": p}],
                    "max_tokens": 16, "temperature": 0.0, "stop": ["\\n\\n"]}
            async with gate, session.post(url, json=body) as r:
                return (await r.json())["choices"][0]["message"]["content"]
        return await asyncio.gather(*[one(p) for p in job["prompts"]])
cpu, wall = time.process_time(), time.perf_counter()
out = asyncio.run(main())
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert all(o.startswith("The answer is") for o in out)
print(json.dumps({"n": len(out), "seconds": wall, "cpu": cpu}))
"""


def venv(name: str, packages: list[str]) -> Path | None:
    """A virtualenv under .bench/ with `packages`, made once; None when it cannot be made."""
    folder = BENCH / name
    python = folder / "bin" / "python"
    stamp = folder / "installed.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == packages:
        return python
    print(f"creating {folder} with {' '.join(packages)} ...", file=sys.stderr, flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *packages],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    except subprocess.CalledProcessError as exc:
        print(f"could not create {folder}: {exc}", file=sys.stderr)
        return None
    stamp.write_text(json.dumps(packages))
    return python


def prompts(n: int, tag: str) -> list[str]:
    """Multilingual questions from the bundled Global-MMLU sample, made unique per run (the
    engine dedupes identical requests; the others do not)."""
    from importlib import resources

    root = Path(str(resources.files("globeval") / "data" / "bundled" / "global_mmlu"))
    questions = [
        json.loads(line)["question"]
        for path in sorted(root.glob("*/test.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [f"{questions[i % len(questions)]} [{tag}-{i}]" for i in range(n)]


def measure(
    python: Path, child: str, url: str, concurrency: int, items: list[str]
) -> dict[str, Any]:
    job = json.dumps({"url": url, "concurrency": concurrency, "prompts": items})
    result = subprocess.run(
        [str(python), "-c", textwrap.dedent(child)],
        input=job,
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=BENCH,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def start_server(kind: str) -> tuple[subprocess.Popen[str], str]:
    if kind == "instant":
        command = [sys.executable, str(ROOT / "benchmarks" / "instant_server.py")]
    else:
        command = [sys.executable, "-m", "globeval.cli.main", "serve", "mock", "--port", "0"]
    server = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument(
        "--slow-requests",
        type=int,
        default=400,
        help="requests per measurement for inspect_ai, and for every client at concurrency 1",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the bare SDK/aiohttp loops"
    )
    parser.add_argument(
        "--server",
        choices=["instant", "mock"],
        default="instant",
        help="benchmarks/instant_server.py (default) or `globeval serve mock`",
    )
    args = parser.parse_args()

    BENCH.mkdir(exist_ok=True)
    clients: dict[str, tuple[Path | None, str]] = {
        "globeval": (Path(sys.executable), GLOBEVAL_BACKEND_CHILD),
        "globeval + engine": (Path(sys.executable), GLOBEVAL_CHILD),
        "lm-eval": (venv("venv-lmeval", [LM_EVAL]), LM_EVAL_CHILD),
        "inspect_ai": (venv("venv-inspect", INSPECT), INSPECT_CHILD),
    }
    if not args.no_reference:
        clients["openai SDK loop"] = (clients["inspect_ai"][0], SDK_CHILD)
        clients["aiohttp loop"] = (Path(sys.executable), AIOHTTP_CHILD)
    server, url = start_server(args.server)
    print(f"server: {url} ({args.server}); cpus: {os.cpu_count()}", flush=True)
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    loads = [os.getloadavg()[0]]
    try:
        for repeat in range(args.repeats):
            for level in args.levels:
                for name, (python, child) in clients.items():
                    if python is None:
                        continue
                    slow = name in ("inspect_ai", "openai SDK loop") or level == 1
                    n = args.slow_requests if slow else args.requests
                    items = prompts(n, f"{name}-{level}-{repeat}")
                    run = measure(python, child, url, level, items)
                    runs.setdefault((name, level), []).append(run)
                    print(
                        f"  repeat {repeat + 1} c={level:<3} {name:<16} "
                        f"{run['n'] / run['seconds']:8.0f} req/s  "
                        f"{1000 * run['cpu'] / run['n']:6.3f} ms CPU/req",
                        flush=True,
                    )
            loads.append(os.getloadavg()[0])
    finally:
        server.terminate()
        server.wait(timeout=30)

    def rps(name: str, level: int) -> float | None:
        found = runs.get((name, level))
        return statistics.median(r["n"] / r["seconds"] for r in found) if found else None

    def cpu(name: str, level: int) -> float | None:
        found = runs.get((name, level))
        return statistics.median(1000 * r["cpu"] / r["n"] for r in found) if found else None

    names = [n for n in clients if clients[n][0] is not None]
    print()
    print(
        f"median of {args.repeats} runs; load average (1 min) during runs: "
        + ", ".join(f"{x:.1f}" for x in loads)
    )
    header = " | ".join(f"{n} req/s" for n in names)
    print(f"| concurrency | {header} | ratio | ratio with engine | goal |")
    print("|" + "---|" * (len(names) + 4))
    for level in args.levels:
        values = {n: rps(n, level) for n in names}
        others = [v for n, v in values.items() if n in ("lm-eval", "inspect_ai") and v]
        best = max(others) if others else float("nan")
        ours, whole = values["globeval"] or 0.0, values["globeval + engine"] or 0.0
        goal = "met" if ours >= 1000 and ours / best >= 3 else "not met"
        cells = " | ".join(f"{v:,.0f}" if v else "n/a" for v in values.values())
        print(f"| {level} | {cells} | {ours / best:.1f}x | {whole / best:.1f}x | {goal} |")
    print()
    print("| concurrency | " + " | ".join(f"{n} ms CPU/req" for n in names) + " |")
    print("|" + "---|" * (len(names) + 1))
    for level in args.levels:
        cells = " | ".join(f"{c:.3f}" if (c := cpu(n, level)) else "n/a" for n in names)
        print(f"| {level} | {cells} |")
    print()
    print(
        "ratio: globeval / the better of lm-eval and inspect_ai (model layer against model "
        "layer); with engine: the whole run path against their model layer. "
        "goal: >= 1,000 req/s and ratio >= 3"
    )


if __name__ == "__main__":
    main()
