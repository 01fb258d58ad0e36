"""llama.cpp through llama-cpp-python: GGUF files, on any CPU (and GPUs where it is built for them).

Log-likelihood. Contexts arrive sorted so that neighbours share prefixes (few-shot blocks); the
model keeps its KV cache between requests and evaluates only the tokens after the longest
common prefix with what it already holds. Every continuation that shares a context is scored
from that context's one evaluation.

Reproducibility. llama.cpp's numbers depend on how a sequence is cut into batches (a Q4 model's
log-probabilities move by up to ~0.02 nats between cuttings). So every context is evaluated in
one canonical cutting that depends on the request alone: chunks of `n_batch` tokens from position
0 up to the request's shared prefix (its `prefix` hint, a few-shot block), then chunks of
`n_batch` from there. A held KV cache is reused only up to a boundary of that cutting, so a
request's result is the same whatever ran before it, and the same as a fresh evaluation, while
a few-shot block shared by many requests is still evaluated once. Continuation tokens after the
first are evaluated one at a time. The SWA cache is kept full-size (swa_full) so that rewinding
stays exact for sliding-window models such as Gemma 3.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from globeval.backends.base import Backend, BackendError, split_trailing_space
from globeval.backends.fingerprint import file_sha256
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


def _log_softmax(logits: NDArray[np.float32]) -> NDArray[np.float64]:
    x = logits.astype(np.float64)
    top = float(x.max())
    out: NDArray[np.float64] = x - (top + np.log(np.exp(x - top).sum()))
    return out


class LlamaCppBackend(Backend):
    name: ClassVar[str] = "llamacpp"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"loglikelihood", "generate"})
    holds_prefix_cache: ClassVar[bool] = True

    def __init__(
        self,
        model: str,
        embedded: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        n_batch: int = 512,
        n_gpu_layers: int = 0,
        batch_size: int = 8,
        seed: int = 0,
    ) -> None:
        try:
            import llama_cpp
        except ImportError as exc:
            raise BackendError('llama.cpp backend needs: pip install "globeval[llama]"') from exc
        path = Path(model)
        if not path.is_file():
            raise BackendError(f"GGUF file not found: {model}")
        self._llama_cpp = llama_cpp
        self.path = path
        self.embedded = embedded
        self.n_ctx = n_ctx
        self.n_batch = n_batch
        self.batch_size = batch_size
        #: how many held tokens were evaluated in the canonical cutting, and its split point
        self._held = 0
        self._held_split = 0
        self._prefix_tokens: dict[tuple[str, bool], list[int]] = {}
        self._last_context: tuple[str, bool, int] | None = None
        self._last_split: tuple[list[int], int] = ([], 0)
        # llama.cpp prints its load log on stderr even with verbose=False; keep the terminal clean
        with contextlib.redirect_stderr(io.StringIO()):
            self.llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads or os.cpu_count() or 1,
                n_batch=n_batch,
                n_ubatch=n_batch,
                n_gpu_layers=n_gpu_layers,
                logits_all=False,
                swa_full=True,
                seed=seed,
                verbose=False,
            )
        self._n_vocab = self.llm.n_vocab()
        self._sha256 = file_sha256(path)
        template = self.llm.metadata.get("tokenizer.chat_template")
        self._template: str | None = template or None

    # -- identity ---------------------------------------------------------------------------
    def identity(self) -> dict[str, Any]:
        return {"model_sha256": self._sha256, "engine": "llama.cpp"}

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "model_path": str(self.path),
            "model_file_size": self.path.stat().st_size,
            "n_ctx": self.n_ctx,
            "llama_cpp_python": getattr(self._llama_cpp, "__version__", None),
        }

    def chat_template(self) -> str | None:
        return self._template

    def render_chat(self, messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
        if self._template is None:
            return super().render_chat(messages, add_generation_prompt)
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self.llm
        formatter = Jinja2ChatFormatter(
            template=self._template,
            eos_token=llm._model.token_get_text(llm.token_eos()),
            bos_token=llm._model.token_get_text(llm.token_bos()),
            add_generation_prompt=add_generation_prompt,
        )
        chat: Any = [{"role": m.role, "content": m.content} for m in messages]
        result = formatter(messages=chat)
        return str(result.prompt)

    # -- tokens -----------------------------------------------------------------------------
    def _tokenize(self, text: str, templated: bool) -> list[int]:
        data = text.encode("utf-8")
        if templated:
            bos_text = self.llm._model.token_get_text(self.llm.token_bos())
            add_bos = not (bos_text and text.startswith(bos_text))
            return list(self.llm.tokenize(data, add_bos=add_bos, special=True))
        # model and dataset text is never parsed as special tokens
        return list(self.llm.tokenize(data, add_bos=True, special=False))

    def _split(self, req: LoglikelihoodRequest) -> tuple[list[int], list[int], int]:
        """Context and continuation tokens, split where the context's tokens end (lm-eval's rule:
        tokenize the whole string, so the continuation gets the tokens it really has), and the
        token index where the context's shared prefix ends."""
        context, continuation = split_trailing_space(req.context, req.continuation)
        whole = self._tokenize(context + continuation, req.templated)
        key = (context, req.templated, req.prefix)
        if key != self._last_context:  # a context's choices arrive together: tokenize it once
            ctx = self._tokenize(context, req.templated)
            self._last_context = key
            self._last_split = ctx, self._split_point(context, ctx, req.prefix, req.templated)
        ctx, split = self._last_split
        if whole[: len(ctx)] == ctx and len(whole) > len(ctx):
            return ctx, whole[len(ctx) :], split
        cont = list(self.llm.tokenize(continuation.encode("utf-8"), add_bos=False, special=False))
        return ctx, cont, split

    def _last_logprobs(self) -> NDArray[np.float64]:
        logits = np.ctypeslib.as_array(
            self._llama_cpp.llama_get_logits_ith(self.llm._ctx.ctx, -1), shape=(self._n_vocab,)
        )
        return _log_softmax(logits)

    def _split_point(self, text: str, tokens: list[int], prefix: int, templated: bool) -> int:
        """The token index where a request's shared prefix ends (0 when it has none, or when
        the prefix does not tokenize as a prefix of the whole)."""
        if prefix <= 0 or prefix >= len(text):
            return 0
        key = (text[:prefix], templated)
        head = self._prefix_tokens.get(key)
        if head is None:
            if len(self._prefix_tokens) > 256:
                self._prefix_tokens.clear()
            head = self._prefix_tokens[key] = self._tokenize(key[0], templated)
        return len(head) if tokens[: len(head)] == head and len(head) < len(tokens) else 0

    def _chunk_starts(self, split: int, length: int) -> list[int]:
        """Where the canonical cutting of a `length`-token context starts its chunks."""
        step = self.n_batch
        return [*range(0, min(split, length), step), *range(split, length, step)]

    def _evaluate(self, tokens: list[int], split: int) -> None:
        """Make the KV cache hold `tokens` evaluated in their canonical cutting, reusing the
        longest held part that ends on a boundary both cuttings share."""
        llm = self.llm
        if len(tokens) > self.n_ctx:
            raise BackendError(f"{len(tokens)} tokens do not fit n_ctx={self.n_ctx}")
        held = llm.input_ids[: self._held]
        common = 0
        limit = min(len(held), len(tokens) - 1)  # always evaluate at least one token
        while common < limit and held[common] == tokens[common]:
            common += 1
        starts = self._chunk_starts(split, len(tokens))
        if self._held_split == split:
            shared = [b for b in starts if b <= common]
        else:  # other split points: only the boundaries before both of them agree
            low = min(split, self._held_split)
            shared = [b for b in starts if b <= min(common, low) and b % self.n_batch == 0]
        reuse = max(shared, default=0)
        self._held = 0  # until evaluation succeeds, nothing held is trusted
        llm.n_tokens = reuse
        llm._ctx.kv_cache_seq_rm(-1, reuse, -1)
        ends = [*starts[1:], len(tokens)]
        for begin, end in zip(starts, ends, strict=True):
            if begin >= reuse:
                self._decode(tokens, begin, end, logits=end == len(tokens))
        self._held, self._held_split = len(tokens), split

    def _decode(self, tokens: list[int], begin: int, end: int, logits: bool) -> None:
        """Evaluate tokens[begin:end] (at most n_batch) after the `begin` held ones, as
        `Llama.eval` does, but asking for logits only where they are read: the LM head over
        Gemma's 262k vocabulary costs as much as a few dozen tokens. The KV cache does not
        depend on which rows produce logits."""
        llm = self.llm
        chunk = tokens[begin:end]
        llm._batch.set_batch(batch=chunk, n_past=begin, logits_all=False)
        if not logits:
            llm._batch.batch.logits[len(chunk) - 1] = False
        llm._ctx.decode(llm._batch)
        llm.input_ids[begin:end] = chunk
        llm.n_tokens = end
        if hasattr(llm, "_requires_eval"):  # llama-cpp-python >= 0.3.3x: logits are fresh
            llm._requires_eval = False

    def _eval_context(self, tokens: list[int], split: int) -> NDArray[np.float64]:
        """Evaluate a context canonically; return the log-probabilities of the next token."""
        self._evaluate(tokens, split)
        return self._last_logprobs()

    def _extend(self, position: int, token: int) -> NDArray[np.float64]:
        """Evaluate one continuation token at `position` (after its context)."""
        self.llm.n_tokens = position
        self.llm.eval([token])
        return self._last_logprobs()

    # -- requests ---------------------------------------------------------------------------
    def stream(
        self, kind: RequestKind, requests: Sequence[Request]
    ) -> Iterator[tuple[int, Result | RequestFailure]]:
        """Yield each generation, and each context's log-likelihoods, as soon as they are done:
        the engine stores them at once, so a killed run loses at most the request in hand."""
        if kind == "generate":
            for i, req in enumerate(requests):
                assert isinstance(req, GenerateRequest)
                yield i, self.generate([req])[0]
            return
        if kind != "loglikelihood":
            yield from super().stream(kind, requests)
            return
        by_context: dict[str, list[int]] = {}
        for i, req in enumerate(requests):
            assert isinstance(req, LoglikelihoodRequest)
            by_context.setdefault(req.context, []).append(i)
        for context in sorted(by_context):  # neighbours share prefixes
            group = by_context[context]
            batch = [requests[i] for i in group]
            results = self.loglikelihood([r for r in batch if isinstance(r, LoglikelihoodRequest)])
            yield from zip(group, results, strict=True)

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        results: list[LoglikelihoodResult | None] = [None] * len(requests)
        split = [self._split(r) for r in requests]
        order = sorted(range(len(requests)), key=lambda i: split[i])
        cached: tuple[list[int], int] | None = None
        first: NDArray[np.float64] | None = None
        for i in order:
            ctx, cont, point = split[i]
            if (ctx, point) != cached:
                first = self._eval_context(ctx, point)
                cached = (ctx, point)
            assert first is not None
            logprob = float(first[cont[0]])
            greedy = int(np.argmax(first)) == cont[0]
            # later tokens condition on the earlier ones: extend the context token by token
            for j in range(1, len(cont)):
                if len(ctx) + j > self.n_ctx:
                    raise BackendError(f"context and continuation exceed n_ctx={self.n_ctx}")
                lp = self._extend(len(ctx) + j - 1, cont[j - 1])
                logprob += float(lp[cont[j]])
                greedy = greedy and int(np.argmax(lp)) == cont[j]
            results[i] = LoglikelihoodResult(logprob=logprob, is_greedy=greedy, n_tokens=len(cont))
        return [r for r in results if r is not None]

    def generate(self, requests: Sequence[GenerateRequest]) -> list[GenerateResult]:
        out = []
        for req in requests:
            if req.messages is not None:
                prompt = self.render_chat(req.messages, add_generation_prompt=True)
                tokens = self._tokenize(prompt, templated=True)
            else:
                assert req.prompt is not None
                tokens = self._tokenize(req.prompt, templated=False)
            if len(tokens) + req.max_tokens > self.n_ctx:
                raise BackendError(
                    f"prompt of {len(tokens)} tokens + {req.max_tokens} new ones exceed "
                    f"n_ctx={self.n_ctx}"
                )
            # evaluate the prompt canonically: create_completion finds it all held, with fresh
            # logits, and samples at once (no token evaluated twice, no LM head run in vain)
            point = 0
            if req.prompt is not None:
                point = self._split_point(req.prompt, tokens, req.prefix, templated=False)
            if tokens:
                self._evaluate(tokens, min(point, len(tokens) - 1))
            else:
                self.llm.n_tokens = self._held = 0
            # sampling exactly as asked: no hidden top-k, min-p or repetition penalty
            response: Any = self.llm.create_completion(
                tokens,
                max_tokens=req.max_tokens,
                temperature=req.temperature,
                top_p=req.top_p,
                top_k=0,
                min_p=0.0,
                repeat_penalty=1.0,
                stop=list(req.stop) or None,
                seed=req.seed,
            )
            choice = response["choices"][0]
            usage = response.get("usage", {})
            out.append(
                GenerateResult(
                    text=str(choice["text"]),
                    finish_reason=str(choice.get("finish_reason") or "stop"),
                    prompt_tokens=int(usage.get("prompt_tokens", len(tokens))),
                    completion_tokens=int(usage.get("completion_tokens", 0)),
                )
            )
        return out

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None:
            llm.close()
            self.llm = None  # type: ignore[assignment]
