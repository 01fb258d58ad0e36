"""Tiny models built from configs for tests: no download, seconds to build."""

from __future__ import annotations

from pathlib import Path

LINES = [
    "The capital of France is Paris.",
    "Answer: A B C D",
    "La capitale de la France est Paris.",
    "Die Hauptstadt von Frankreich ist Paris.",
    "فرنسا عاصمتها باريس.",
    "फ्रांस की राजधानी पेरिस है।",
    "フランスの首都はパリです。",
    "Столица Франции — Париж.",
    "法国的首都是巴黎。",
    "Ο Δίας είναι ο βασιλιάς των θεών.",
    "What is 2 + 2? A. 3 B. 4 C. 5 D. 6",
] * 20


def build_tokenizer(folder: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<pad>", "<s>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(LINES, trainer)
    from tokenizers.processors import TemplateProcessing

    tok.post_processor = TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    fast.chat_template = (
        "{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant:{% endif %}"
    )
    fast.save_pretrained(folder)


#: a tiny decoder's shape, shared by the causal LMs below
TINY_DECODER: dict[str, int] = {
    "vocab_size": 400,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 2048,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 0,
}


def _save_random_lm(folder: Path, config: object, seed: int) -> Path:
    import torch
    from transformers import AutoModelForCausalLM

    folder.mkdir(parents=True, exist_ok=True)
    build_tokenizer(folder)
    torch.manual_seed(seed)
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    return folder


def build_causal_lm(folder: Path, seed: int = 0) -> Path:
    """A 2-layer Llama with random weights and a byte-level BPE tokenizer, saved to `folder`."""
    from transformers import LlamaConfig

    return _save_random_lm(folder, LlamaConfig(**TINY_DECODER), seed)


def build_sliding_window_lm(folder: Path, window: int = 8, seed: int = 0) -> Path:
    """A 2-layer Gemma 3 (one sliding-window layer of `window` tokens, one global layer) with
    random weights and the byte-level BPE tokenizer."""
    from transformers import Gemma3TextConfig

    config = Gemma3TextConfig(
        **TINY_DECODER,
        head_dim=16,
        sliding_window=window,
        layer_types=["sliding_attention", "full_attention"],
    )
    return _save_random_lm(folder, config, seed)


def build_reward_model(folder: Path, seed: int = 0, hidden_size: int = 64, layers: int = 2) -> Path:
    """A Llama sequence classifier with one output (a reward model's shape), random weights."""
    import torch
    from transformers import AutoModelForSequenceClassification, LlamaConfig

    folder.mkdir(parents=True, exist_ok=True)
    build_tokenizer(folder)
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=400,
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
        num_labels=1,
    )
    model = AutoModelForSequenceClassification.from_config(config)
    model.save_pretrained(folder)
    return folder
