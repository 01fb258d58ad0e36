"""Sequence-classification reward models through transformers (`--backend hf-rm`).

Input: the conversation with the response, rendered by the tokenizer's chat template without a
generation prompt, tokenized with the tokenizer's special tokens (as reward-bench's pipeline
does, dropping a doubled leading BOS as its pipeline masks it). The reward is the logit of
`label` (0; reward models have one output). Inputs over `max_length` tokens are cut from the
left (reward-bench's `--force_truncation`; `truncation=right` or `error` on request); every cut
is counted in the results. Batches are sorted by token length so padding stays small; fp32 on
CPU (bf16 there is slow and makes scores depend on batch shape).

M-RewardBench ran classifiers with max_length 512 and left truncation (its
`run_rewardbench.py` defaults): `-M max_length=512` reproduces that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from globeval.backends.base import Backend, BackendError
from globeval.backends.chat_format import PLAIN, conversation, plain
from globeval.backends.fingerprint import model_source_identity
from globeval.requests import ChatMessage, RequestKind, RewardRequest, RewardResult

TRUNCATION = ("left", "right", "error")
#: tokenizers without a real limit report this sentinel as model_max_length
_NO_LIMIT = 10**12


class SequenceClassifierRM(Backend):
    name: ClassVar[str] = "hf-rm"
    capabilities: ClassVar[frozenset[RequestKind]] = frozenset({"reward"})

    def __init__(
        self,
        model: str,
        embedded: str | None = None,
        dtype: str | None = None,
        device: str | None = None,
        revision: str | None = None,
        batch_size: int = 8,
        max_length: int | None = None,
        truncation: str = "left",
        add_special_tokens: bool = True,
        label: int = 0,
        trust_remote_code: bool = False,
    ) -> None:
        if embedded is not None or model.endswith(".gguf"):
            raise BackendError(
                f"{model!r} is a language model, not a reward model: --backend hf-rm needs a "
                "sequence-classification model (a folder or Hub id); for a language model use "
                "--backend dpo or the generative judge (-f generative)"
            )
        if truncation not in TRUNCATION:
            raise BackendError(f"truncation must be one of {', '.join(TRUNCATION)}")
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise BackendError('hf-rm backend needs: pip install "globeval[hf]"') from exc
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        self._torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if dtype is None:
            dtype = "float32" if self.device == "cpu" else "bfloat16"
        if not isinstance(getattr(torch, dtype, None), torch.dtype):
            raise BackendError(f"unknown dtype {dtype!r} (float32, bfloat16 or float16)")
        try:
            self.tokenizer: Any = AutoTokenizer.from_pretrained(
                model, revision=revision, trust_remote_code=trust_remote_code
            )
            loaded: Any = AutoModelForSequenceClassification.from_pretrained(
                model,
                revision=revision,
                dtype=getattr(torch, dtype),
                trust_remote_code=trust_remote_code,
            )
        except (OSError, ValueError) as exc:
            raise BackendError(f"could not load reward model {model!r}: {exc}") from exc
        self.model: Any = loaded.to(self.device).eval()
        n_labels = int(self.model.config.num_labels)
        if not 0 <= label < n_labels:
            raise BackendError(f"label {label} is not one of the model's {n_labels} outputs")
        if self.tokenizer.pad_token_id is None:  # as reward-bench: pad with EOS
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if self.model.config.pad_token_id is None:
            self.model.config.pad_token_id = self.tokenizer.pad_token_id
        limits = [
            int(v)
            for v in (
                getattr(self.tokenizer, "model_max_length", None),
                getattr(self.model.config, "max_position_embeddings", None),
            )
            if v and int(v) < _NO_LIMIT
        ]
        self.max_length = int(max_length or (min(limits) if limits else 2048))
        self.batch_size = batch_size
        self.truncation = truncation
        self.add_special_tokens = add_special_tokens
        self.label = label
        self.model_name = model
        self.dtype_name = dtype
        self.revision = revision
        self._identity = self._fingerprint(model)

    # -- identity ---------------------------------------------------------------------------
    def _fingerprint(self, source: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dtype": self.dtype_name,
            "device_type": self.device.split(":")[0],
            "max_length": self.max_length,
            "truncation": self.truncation,
            "add_special_tokens": self.add_special_tokens,
            "label": self.label,
            "chat_format": "template" if self.chat_template() else PLAIN,
        }
        out.update(model_source_identity(source, self.model.config, self.revision))
        return out

    def identity(self) -> dict[str, Any]:
        return self._identity

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "model": self.model_name, "device": self.device}

    def chat_template(self) -> str | None:
        template = getattr(self.tokenizer, "chat_template", None)
        return template if isinstance(template, str) and template else None

    def render_chat(self, messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
        if self.chat_template() is None:
            return plain(messages, add_generation_prompt)
        chat = [{"role": m.role, "content": m.content} for m in messages]
        return str(
            self.tokenizer.apply_chat_template(
                chat, tokenize=False, add_generation_prompt=add_generation_prompt
            )
        )

    # -- requests ---------------------------------------------------------------------------
    def encode(self, request: RewardRequest) -> tuple[list[int], bool]:
        """Token ids of a request and whether they were truncated."""
        text = self.render_chat(conversation(request.prompt, request.response), False)
        ids: list[int] = self.tokenizer(text, add_special_tokens=self.add_special_tokens)[
            "input_ids"
        ]
        bos = self.tokenizer.bos_token_id
        if bos is not None and len(ids) > 1 and ids[0] == ids[1] == bos:
            ids = ids[1:]
        if len(ids) <= self.max_length:
            return ids, False
        if self.truncation == "error":
            raise BackendError(f"{len(ids)} tokens exceed max_length={self.max_length}")
        cut = ids[-self.max_length :] if self.truncation == "left" else ids[: self.max_length]
        return cut, True

    def reward(self, requests: Sequence[RewardRequest]) -> list[RewardResult]:
        torch = self._torch
        encoded = [self.encode(r) for r in requests]
        order = sorted(range(len(requests)), key=lambda i: -len(encoded[i][0]))
        out: list[RewardResult | None] = [None] * len(requests)
        pad = int(self.tokenizer.pad_token_id)
        for start in range(0, len(order), max(1, self.batch_size)):
            rows = order[start : start + self.batch_size]
            width = len(encoded[rows[0]][0])
            ids = torch.full((len(rows), width), pad, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for r, i in enumerate(rows):
                seq = encoded[i][0]
                ids[r, : len(seq)] = torch.tensor(seq)
                mask[r, : len(seq)] = 1
            with torch.inference_mode():
                logits = self.model(
                    input_ids=ids.to(self.device), attention_mask=mask.to(self.device)
                ).logits
            rewards = logits[:, self.label].float().cpu().tolist()
            for r, i in enumerate(rows):
                seq, truncated = encoded[i]
                out[i] = RewardResult(float(rewards[r]), n_tokens=len(seq), truncated=truncated)
        return [r for r in out if r is not None]

    def close(self) -> None:
        self.model = None
        if self._torch.cuda.is_available():
            self._torch.cuda.empty_cache()
