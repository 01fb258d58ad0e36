"""The embedded model through globeval against raw llama-cpp-python, side by side.

Same model file, same prompts (the bundled Global-MMLU sample, k-shot, log-likelihood of the four
answer letters; and greedy generation of the same prompts), same threads. Three raw baselines,
each a short script of direct llama-cpp-python calls:
  raw-reset   llm.reset(); llm.eval(tokens) per context — what most scripts do;
  raw-reuse   keep the KV cache and evaluate only what follows the longest common prefix
              (llama-cpp-python's own strategy in create_completion), n_batch 512;
  raw-gen     create_completion(prompt, max_tokens=N, temperature=0) per prompt.
globeval runs `globeval run` (data loading, engine, scoring, run folder, no cache) as a subprocess.
The overhead is globeval's wall time over the faster raw baseline's, both including process start
and model load. A second comparison runs inside one process, on one loaded model: the raw-reuse
loop and raw create_completion against globeval's engine (dedupe, ordering, canonical cutting,
result handling) on the same requests, alternating, so that start-up costs (imports, model load,
run folder) are left out and only the per-request overhead remains.

    python benchmarks/embedded_overhead.py [--shots 5] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from _common import BENCH, REPO, load_note, run

# the raw steps both baselines run, spliced into each script: keep the KV cache's longest common
# prefix (or reset it), evaluate the rest, log-softmax the last logits, read the four letters;
# and greedy create_completion
RAW_STEPS = r"""
import numpy as np
import llama_cpp

def raw_letter_logprobs(llm, prompt, letters, reuse=True):
    tokens = llm.tokenize(prompt.encode())
    if reuse:
        held = llm.input_ids[: llm.n_tokens]
        n = 0
        while n < min(len(held), len(tokens) - 1) and held[n] == tokens[n]:
            n += 1
        llm.n_tokens = n
    else:
        llm.reset()
    llm.eval(tokens[llm.n_tokens:])
    logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1),
                                   shape=(llm.n_vocab(),)).astype(np.float64)
    top = logits.max()
    lp = logits - (top + np.log(np.exp(logits - top).sum()))
    return [float(lp[t]) for t in letters]

def raw_complete(llm, prompt, max_tokens, stop):
    r = llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0, top_k=0,
                              min_p=0.0, repeat_penalty=1.0, stop=stop)
    return r["choices"][0]["text"]
"""

RAW = (
    RAW_STEPS
    + r"""
import json, sys, time
mode, model, prompts_file, n_threads, max_tokens = sys.argv[1:6]
prompts = json.load(open(prompts_file))
llm = llama_cpp.Llama(model_path=model, n_ctx=4096, n_threads=int(n_threads), verbose=False,
                      logits_all=False)
letters = [llm.tokenize(f" {c}".encode(), add_bos=False)[-1] for c in "ABCD"]
out = []
for p in prompts:
    if mode == "raw-gen":
        out.append(raw_complete(llm, p, int(max_tokens), ["\n"]))
    else:
        out.append(raw_letter_logprobs(llm, p, letters, reuse=mode != "raw-reset"))
json.dump(out, open(prompts_file + f".{mode}.out", "w"))
"""
)

IN_PROCESS = (
    RAW_STEPS
    + r"""
import json, statistics, sys, time
from globeval.backends.llamacpp import LlamaCppBackend
from globeval.engine import Engine
from globeval.requests import GenerateRequest, LoglikelihoodRequest
model, requests_file, n_threads, repeats = sys.argv[1:5]
specs = json.load(open(requests_file))
lls = [LoglikelihoodRequest(r["context"], r["continuation"], prefix=r["prefix"])
       for r in specs["loglikelihood"]]
gens = [GenerateRequest(prompt=r["prompt"], max_tokens=r["max_tokens"], temperature=0.0,
                        stop=tuple(r["stop"]), prefix=r["prefix"]) for r in specs["generate"]]
backend = LlamaCppBackend(model, n_threads=int(n_threads))
llm = backend.llm
contexts = sorted({r.context for r in lls})
prompts = sorted(r.prompt for r in gens)
letters = [llm.tokenize(f" {c}".encode(), add_bos=False)[-1] for c in "ABCD"]

def fresh():
    llm.reset()
    backend._held = 0

def raw_loglikelihood():
    for p in contexts:
        raw_letter_logprobs(llm, p, letters)

def raw_generate():
    for p in prompts:
        raw_complete(llm, p, gens[0].max_tokens, list(gens[0].stop))

def engine(reqs):
    results, stats = Engine(backend, None, progress=False).run(reqs)
    assert stats.failed == 0

pairs = {
    "loglikelihood": (raw_loglikelihood, lambda: engine(lls)),
    "generate": (raw_generate, lambda: engine(gens)),
}
out = {}
for kind, (raw, ours) in pairs.items():
    times = {"raw": [], "globeval": []}
    for _ in range(int(repeats)):
        for name, fn in (("raw", raw), ("globeval", ours)):
            fresh()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    out[kind] = times
print(json.dumps(out))
"""
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--gen-tokens", type=int, default=16)
    args = parser.parse_args()

    sys.path.insert(0, str(REPO / "src"))
    from globeval.backends.embedded import EMBEDDED
    from globeval.requests import GenerateRequest, LoglikelihoodRequest
    from globeval.tasks.base import RunOptions
    from globeval.tasks.global_mmlu import GlobalMMLU

    model = str(EMBEDDED["gemma-3-270m"].path())
    folder = BENCH / "embedded_overhead"
    folder.mkdir(parents=True, exist_ok=True)
    prompts = {}
    specs: dict[str, list[dict[str, object]]] = {"loglikelihood": [], "generate": []}
    for formulation in ("loglikelihood", "generative"):
        task = GlobalMMLU(RunOptions(sample=True, num_fewshot=args.shots, formulation=formulation))
        texts = []
        for sample in task.load()[0]:
            req = task.requests(sample)[0]
            if isinstance(req, LoglikelihoodRequest):
                texts.append(req.context)
            elif isinstance(req, GenerateRequest) and req.prompt is not None:
                texts.append(req.prompt)
            for r in task.requests(sample):
                if isinstance(r, LoglikelihoodRequest):
                    specs["loglikelihood"].append(
                        {"context": r.context, "continuation": r.continuation, "prefix": r.prefix}
                    )
                elif isinstance(r, GenerateRequest) and r.prompt is not None:
                    specs["generate"].append(
                        {
                            "prompt": r.prompt,
                            "max_tokens": args.gen_tokens,
                            "stop": list(r.stop),
                            "prefix": r.prefix,
                        }
                    )
        path = folder / f"{formulation}.json"
        path.write_text(json.dumps(sorted(texts)))  # globeval sorts too: same KV reuse chances
        prompts[formulation] = path
    (folder / "raw.py").write_text(RAW)
    (folder / "in_process.py").write_text(IN_PROCESS)
    (folder / "requests.json").write_text(json.dumps(specs))
    n = len(json.loads(prompts["loglikelihood"].read_text()))
    print(
        f"{n} prompts, {args.shots}-shot, gemma-3-270m Q4_K_M, {args.threads} threads; {load_note()}"
    )

    def globeval(formulation: str) -> float:
        cmd = [
            sys.executable, "-m", "globeval.cli.main", "run", "global_mmlu", "--sample",
            "-k", str(args.shots), "-f", formulation, "--model", "gemma-3-270m",
            "-M", f"n_threads={args.threads}", "--no-cache", "--no-progress",
            "-o", str(folder / "runs"), "--max-gen-tokens", str(args.gen_tokens),
        ]  # fmt: skip
        return run(cmd)

    def raw(mode: str, formulation: str) -> float:
        cmd = [
            sys.executable, str(folder / "raw.py"), mode, model, str(prompts[formulation]),
            str(args.threads), str(args.gen_tokens),
        ]  # fmt: skip
        return run(cmd)

    times: dict[str, list[float]] = {}
    for _ in range(args.repeats):  # interleaved, so that load changes hit every contender alike
        times.setdefault("raw-reset", []).append(raw("raw-reset", "loglikelihood"))
        times.setdefault("raw-reuse", []).append(raw("raw-reuse", "loglikelihood"))
        times.setdefault("globeval loglikelihood", []).append(globeval("loglikelihood"))
        times.setdefault("raw-gen", []).append(raw("raw-gen", "generative"))
        times.setdefault("globeval generate", []).append(globeval("generative"))
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, value in med.items():
        print(f"{name:24s} median {value:6.2f}s  runs {', '.join(f'{t:.2f}' for t in times[name])}")
    best_raw = min(med["raw-reset"], med["raw-reuse"])
    print(f"log-likelihood: globeval / best raw = {med['globeval loglikelihood'] / best_raw:.3f}")
    print(f"generation:     globeval / raw      = {med['globeval generate'] / med['raw-gen']:.3f}")

    print("in one process, one loaded model (start-up left out):")
    cmd = [
        sys.executable, str(folder / "in_process.py"), model,
        str(folder / "requests.json"), str(args.threads), str(args.repeats),
    ]  # fmt: skip
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    inproc = json.loads(proc.stdout.strip().splitlines()[-1])
    for kind, times in inproc.items():
        raw_t, ours_t = statistics.median(times["raw"]), statistics.median(times["globeval"])
        print(
            f"  {kind:14s} raw median {raw_t:6.2f}s, globeval engine {ours_t:6.2f}s: "
            f"ratio {ours_t / raw_t:.3f}  (raw {', '.join(f'{t:.2f}' for t in times['raw'])}; "
            f"globeval {', '.join(f'{t:.2f}' for t in times['globeval'])})"
        )


if __name__ == "__main__":
    main()
