"""transformers: a local folder or Hub id (or a GGUF file, converted once), on CPU or GPU.

Log-likelihood. The engine sends contexts sorted so that a batch shares its few-shot block.
The backend runs the batch's longest common token prefix once (batch size 1), repeats its KV
cache across the batch, and runs only the rows' own suffixes, right-padded (so that
sliding-window attention sees what it would see unbatched); every continuation that shares a
context is scored from the same forward pass. fp32 is the default on CPU: bf16 there is slow and
makes scores depend on batch shape.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from globeval.backends.base import Backend, BackendError, split_trailing_space
from globeval.backends.fingerprint import file_sha256, model_source_identity
from globeval.engine.cache import default_cache_path
from globeval.requests import (
    ChatMessage,
    GenerateRequest,
    GenerateResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RequestKind,
)

#: below this many shared tokens a prefix pass costs more than it saves
MIN_SHARED_PREFIX = 8
#: bytes of logits one forward pass may return before its rows are split in two
LOGITS_BUDGET = 1 << 30


def convert_gguf(path: Path, out_dir: Path | None = None) -> Path:
    """Convert a GGUF file to a transformers folder once (the GGUF parse takes over a minute)."""
    sha = file_sha256(path)
    target = out_dir or default_cache_path().parent / "hf-from-gguf" / sha[:16]
    if (target / "config.json").is_file():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(
        str(path.parent), gguf_file=path.name, dtype=torch.float32
    )
    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    # the weights are dequantized now: save them as a plain fp32 model
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = target.with_name(target.name + ".tmp")
    model.save_pretrained(str(tmp))
    tokenizer.save_pretrained(str(tmp))
    (tmp / "globeval-source.json").write_text(json.dumps({"gguf": str(path), "sha256": sha}))
    tmp.rename(target)
    return target


class TransformersBackend(Backend):
    name: ClassVar[str] = "transformers"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"loglikelihood", "generate"})

    def __init__(
        self,
        model: str,
        embedded: str | None = None,
        dtype: str | None = None,
        device: str | None = None,
        revision: str | None = None,
        batch_size: int = 16,
        add_bos_token: bool | None = None,
        trust_remote_code: bool = False,
        max_length: int | None = None,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise BackendError('transformers backend needs: pip install "globeval[hf]"') from exc
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        self._torch = torch
        source = model
        if model.endswith(".gguf"):
            source = str(convert_gguf(Path(model)))
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if dtype is None:
            dtype = "float32" if self.device == "cpu" else "bfloat16"
        if dtype != "auto" and not isinstance(getattr(torch, dtype, None), torch.dtype):
            raise BackendError(f"unknown dtype {dtype!r} (float32, bfloat16, float16 or auto)")
        self.dtype_name = dtype
        self.batch_size = batch_size
        self.add_bos_token = add_bos_token
        try:
            # transformers' own annotations do not type-check under --strict: hold them as Any
            self.tokenizer: Any = AutoTokenizer.from_pretrained(
                source, revision=revision, trust_remote_code=trust_remote_code
            )
            loaded: Any = AutoModelForCausalLM.from_pretrained(
                source,
                revision=revision,
                dtype=dtype if dtype == "auto" else getattr(torch, dtype),
                trust_remote_code=trust_remote_code,
            )
        except OSError as exc:
            raise BackendError(f"could not load model {model!r}: {exc}") from exc
        self.model: Any = loaded.to(self.device).eval()
        self.source = source
        self.model_name = model
        self.embedded = embedded
        self.revision = revision
        config_max = getattr(self.model.config, "max_position_embeddings", None)
        self.max_length = int(max_length or config_max or 2048)
        self._identity = self._fingerprint(source)
        self._prefix: tuple[tuple[int, ...], Any] | None = None

    # -- identity ---------------------------------------------------------------------------
    def _fingerprint(self, source: str) -> dict[str, Any]:
        out: dict[str, Any] = {"dtype": self.dtype_name, "device_type": self.device.split(":")[0]}
        if self.add_bos_token is not None:
            out["add_bos_token"] = self.add_bos_token
        out.update(model_source_identity(source, self.model.config, self.revision))
        return out

    def identity(self) -> dict[str, Any]:
        return self._identity

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "model": self.model_name,
            "loaded_from": self.source,
            "device": self.device,
            "max_length": self.max_length,
        }

    def chat_template(self) -> str | None:
        template = getattr(self.tokenizer, "chat_template", None)
        return template if isinstance(template, str) and template else None

    def render_chat(self, messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
        if self.chat_template() is None:
            return super().render_chat(messages, add_generation_prompt)
        text = self.tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            tokenize=False,
            add_generation_prompt=add_generation_prompt,
        )
        return str(text)

    # -- tokens -----------------------------------------------------------------------------
    def _encode(self, text: str, templated: bool) -> list[int]:
        special = (
            False if templated else (True if self.add_bos_token is None else self.add_bos_token)
        )
        ids: list[int] = self.tokenizer(text, add_special_tokens=special)["input_ids"]
        return ids

    def _split(self, req: LoglikelihoodRequest) -> tuple[list[int], list[int]]:
        context, continuation = split_trailing_space(req.context, req.continuation)
        whole = self._encode(context + continuation, req.templated)
        ctx = self._encode(context, req.templated)
        if whole[: len(ctx)] == ctx and len(whole) > len(ctx):
            return ctx, whole[len(ctx) :]
        return ctx, self.tokenizer(continuation, add_special_tokens=False)["input_ids"]

    # -- requests ---------------------------------------------------------------------------
    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        torch = self._torch
        split = [self._split(r) for r in requests]
        for ctx, cont in split:
            if len(ctx) + len(cont) > self.max_length:
                raise BackendError(
                    f"{len(ctx) + len(cont)} tokens exceed the model's {self.max_length}"
                )
        # Rows to run. Single-token continuations of one context share the context's row: the
        # logits at its last position score them all (one forward pass per context). A longer
        # continuation gets its own row, context + continuation minus its last token.
        rows: dict[tuple[int, ...], int] = {}
        plan: list[tuple[int, list[int]]] = []  # per request: (row, target tokens)
        for ctx, cont in split:
            tokens = tuple(ctx) if len(cont) == 1 else tuple(ctx + cont[:-1])
            plan.append((rows.setdefault(tokens, len(rows)), cont))
        seqs = [list(t) for t in rows]
        keep = max(len(cont) for _, cont in split)
        # the prefix every row shares, leaving in each row the `keep` positions that are read
        shared = _common_prefix(seqs)[: max(0, min(len(s) for s in seqs) - keep)]
        if len(shared) < MIN_SHARED_PREFIX:
            shared = []
        with torch.inference_mode():
            logprobs = self._last_logprobs(seqs, shared, keep)
        results = []
        for row, cont in plan:
            lp = logprobs[row, keep - len(cont) :]
            targets = torch.tensor(cont, device=lp.device)
            picked = lp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
            results.append(
                LoglikelihoodResult(
                    logprob=float(picked.double().sum()),
                    is_greedy=bool((lp.argmax(dim=-1) == targets).all()),
                    n_tokens=len(cont),
                )
            )
        return results

    def _last_logprobs(self, seqs: list[list[int]], shared: list[int], keep: int) -> Any:
        """Log-probabilities at the last `keep` positions of each row, (rows, keep, vocab).

        The shared prefix runs once and its KV cache is repeated across the rows. Rows are
        right-padded: each row's tokens then sit right after the prefix, at the cache positions
        they would have alone, which sliding-window attention (Gemma 2 and 3, Mistral) counts
        in. (Left padding after a shared prefix would put the padding inside the window and
        change every score of a context longer than it.) The LM head runs only on the positions
        read (with a 262k vocabulary it costs as much as the rest of a small model).
        """
        torch = self._torch
        p = len(shared)
        suffixes = [s[p:] for s in seqs]
        ends = [len(s) for s in suffixes]
        wanted = sorted({end - keep + j for end in ends for j in range(keep)})
        vocab = int(self.model.config.get_text_config().vocab_size)
        if len(seqs) > 1 and len(seqs) * len(wanted) * vocab * 4 > LOGITS_BUDGET:
            half = len(seqs) // 2  # rows ending far apart: keep the logits tensor bounded
            return torch.cat(
                [
                    self._last_logprobs(seqs[:half], shared, keep),
                    self._last_logprobs(seqs[half:], shared, keep),
                ]
            )
        cache = None
        if shared:
            if self._prefix is not None and self._prefix[0] == tuple(shared):
                cache = self._prefix[1]
            else:
                cache = self.model(
                    torch.tensor([shared], device=self.device), use_cache=True, logits_to_keep=1
                ).past_key_values
                # consecutive batches of one few-shot block reuse its KV cache
                self._prefix = (tuple(shared), cache)
        width = max(ends)
        pad = self.tokenizer.pad_token_id
        pad = pad if pad is not None else 0
        ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), p + width), dtype=torch.long)
        positions = torch.arange(p, p + width).repeat(len(seqs), 1)
        mask[:, :p] = 1
        for r, suffix in enumerate(suffixes):
            ids[r, : len(suffix)] = torch.tensor(suffix)
            mask[r, p : p + len(suffix)] = 1
        kwargs: dict[str, Any] = {
            "input_ids": ids.to(self.device),
            "attention_mask": mask.to(self.device),
            "position_ids": positions.to(self.device),
            "logits_to_keep": torch.tensor(wanted, device=self.device),
        }
        if cache is not None:
            past = copy.deepcopy(cache)
            past.batch_repeat_interleave(len(seqs))
            kwargs["past_key_values"] = past
        logits = self.model(**kwargs, use_cache=cache is not None).logits
        column = {position: i for i, position in enumerate(wanted)}
        picks = torch.tensor(
            [[column[end - keep + j] for j in range(keep)] for end in ends], device=logits.device
        )
        logits = logits.gather(1, picks.unsqueeze(-1).expand(-1, -1, logits.shape[-1]))
        return torch.log_softmax(logits.float(), dim=-1)

    def generate(self, requests: Sequence[GenerateRequest]) -> list[GenerateResult]:
        prompts = []
        for req in requests:
            if req.messages is not None:
                text = self.render_chat(req.messages, add_generation_prompt=True)
                prompts.append(self._encode(text, templated=True))
            else:
                assert req.prompt is not None
                prompts.append(self._encode(req.prompt, templated=False))
        out: list[GenerateResult | None] = [None] * len(requests)
        # greedy requests with the same length limit share a left-padded batch; sampled ones
        # run one by one so that each request's seed alone decides its sample
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, req in enumerate(requests):
            key = ("greedy", req.max_tokens) if req.temperature == 0 else ("sample", i)
            groups.setdefault(key, []).append(i)
        for idx in groups.values():
            texts = self._generate_batch([requests[i] for i in idx], [prompts[i] for i in idx])
            for i, result in zip(idx, texts, strict=True):
                out[i] = result
        return [r for r in out if r is not None]

    def _generate_batch(
        self, requests: Sequence[GenerateRequest], prompts: Sequence[list[int]]
    ) -> list[GenerateResult]:
        torch = self._torch
        req = requests[0]
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id or 0
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), pad, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for r, prompt in enumerate(prompts):  # left padding: every row ends where it generates
            ids[r, width - len(prompt) :] = torch.tensor(prompt)
            mask[r, width - len(prompt) :] = 1
        torch.manual_seed(req.seed)
        sampling = req.temperature > 0
        with torch.inference_mode():
            gen = self.model.generate(
                ids.to(self.device),
                attention_mask=mask.to(self.device),
                max_new_tokens=req.max_tokens,
                do_sample=sampling,
                temperature=req.temperature if sampling else None,
                top_p=req.top_p if sampling else None,
                top_k=None,
                pad_token_id=pad,
            )
        out = []
        eos = self.tokenizer.eos_token_id
        for r, (request, prompt) in enumerate(zip(requests, prompts, strict=True)):
            new = gen[r, width:].tolist()
            if eos is not None and eos in new:
                new = new[: new.index(eos) + 1]
            text = str(self.tokenizer.decode(new, skip_special_tokens=True))
            finish = "length" if len(new) >= request.max_tokens else "stop"
            for stop in request.stop:
                cut = text.find(stop)
                if cut >= 0:
                    text, finish = text[:cut], "stop"
            out.append(GenerateResult(text, finish, len(prompt), len(new)))
        return out

    def close(self) -> None:
        self._prefix = None
        self.model = None
        if self._torch.cuda.is_available():
            self._torch.cuda.empty_cache()


def _common_prefix(seqs: Sequence[Sequence[int]]) -> list[int]:
    if not seqs:
        return []
    first = seqs[0]
    n = min(len(s) for s in seqs)
    i = 0
    while i < n and all(s[i] == first[i] for s in seqs):
        i += 1
    return list(first[:i])
