"""llama.cpp through llama-cpp-python: GGUF files, on any CPU (and GPUs where it is built for them).

Log-likelihood. Contexts arrive sorted so that neighbours share prefixes (few-shot blocks); the
model keeps its KV cache between requests and evaluates only the tokens after the longest
common prefix with what it already holds. Every continuation that shares a context is scored
from that context's one evaluation.

Reproducibility. llama.cpp's numbers depend on how a sequence is cut into batches (a Q4 model's
log-probabilities move by up to ~0.02 nats between cuttings). Contexts are therefore always
evaluated in chunks aligned to multiples of `n_batch` from position 0, and a reused prefix is
rewound to such a boundary: a request's result is then the same whatever was evaluated before
it, and the same as a fresh evaluation. Continuation tokens after the first are evaluated one at
a time. The SWA cache is kept full-size (swa_full) so that rewinding stays exact for
sliding-window models such as Gemma 3.
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

    def __init__(
        self,
        model: str,
        embedded: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        n_batch: int = 64,
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
        #: how many held tokens were evaluated as a context, in aligned chunks
        self._aligned_held = 0
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

    def _split(self, req: LoglikelihoodRequest) -> tuple[list[int], list[int]]:
        """Context and continuation tokens, split where the context's tokens end (lm-eval's rule:
        tokenize the whole string, so the continuation gets the tokens it really has)."""
        context, continuation = split_trailing_space(req.context, req.continuation)
        whole = self._tokenize(context + continuation, req.templated)
        ctx = self._tokenize(context, req.templated)
        if whole[: len(ctx)] == ctx and len(whole) > len(ctx):
            return ctx, whole[len(ctx) :]
        cont = list(self.llm.tokenize(continuation.encode("utf-8"), add_bos=False, special=False))
        return ctx, cont

    def _last_logprobs(self) -> NDArray[np.float64]:
        logits = np.ctypeslib.as_array(
            self._llama_cpp.llama_get_logits_ith(self.llm._ctx.ctx, -1), shape=(self._n_vocab,)
        )
        return _log_softmax(logits)

    def _rewind(self, tokens: list[int]) -> None:
        """Keep the longest prefix of `tokens` held in the KV cache, cut back to a chunk
        boundary, so that what follows is evaluated in the same chunks as from scratch."""
        held = self.llm.input_ids[: self._aligned_held]
        common = 0
        limit = min(len(held), len(tokens) - 1)  # always evaluate at least one token
        while common < limit and held[common] == tokens[common]:
            common += 1
        self.llm.n_tokens = common - common % self.n_batch
        self._aligned_held = 0  # until evaluation succeeds, nothing held is trusted

    def _eval_context(self, tokens: list[int]) -> NDArray[np.float64]:
        """Evaluate a context, reusing the longest aligned prefix already in the KV cache; return
        the log-probabilities of the next token."""
        llm = self.llm
        if len(tokens) > self.n_ctx:
            raise BackendError(f"{len(tokens)} tokens do not fit n_ctx={self.n_ctx}")
        self._rewind(tokens)
        llm.eval(tokens[llm.n_tokens :])
        self._aligned_held = len(tokens)
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
        order = sorted(range(len(requests)), key=lambda i: (split[i][0], split[i][1]))
        cached_ctx: list[int] | None = None
        first: NDArray[np.float64] | None = None
        for i in order:
            ctx, cont = split[i]
            if ctx != cached_ctx:
                first = self._eval_context(ctx)
                cached_ctx = ctx
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
            # llama-cpp-python reuses the prefix held up to n_tokens and evaluates the rest of
            # the prompt in n_batch chunks from there: rewinding to a boundary keeps it exact
            self._rewind(tokens)
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
            self._aligned_held = len(tokens)
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
