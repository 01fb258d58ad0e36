from __future__ import annotations

import pytest

from globeval.backends.embedded import EMBEDDED
from globeval.backends.llamacpp import LlamaCppBackend
from globeval.requests import ChatMessage, GenerateRequest, LoglikelihoodRequest

SHOTS = "What is 7 + 5?\nA. 10\nB. 11\nC. 12\nD. 13\nAnswer: C\n\n" * 2
QUESTIONS = [
    "What is 15 + 27?",
    "Quelle est la capitale de la France ?",
    "日本の首都はどこですか。",
]
REQUESTS = [
    LoglikelihoodRequest(
        SHOTS + q + "\nA. x\nB. y\nC. z\nD. w\nAnswer:", " " + letter, prefix=len(SHOTS)
    )
    for q in QUESTIONS
    for letter in "ABCD"
]
UNHINTED = [LoglikelihoodRequest(r.context, r.continuation) for r in REQUESTS]


@pytest.fixture(scope="module")
def gemma() -> LlamaCppBackend:
    return LlamaCppBackend(str(EMBEDDED["gemma-3-270m"].path()), n_ctx=1024)


def test_prefix_reuse_gives_what_a_fresh_evaluation_gives(gemma: LlamaCppBackend) -> None:
    warm = gemma.loglikelihood(REQUESTS)  # contexts share the few-shot block: KV reused
    cold = []
    for req in REQUESTS:
        gemma.llm.reset()  # nothing held: evaluate from scratch
        gemma._held = 0
        cold.append(gemma.loglikelihood([req])[0])
    # aligned chunking makes reuse exact, not merely close
    assert [a.logprob for a in warm] == [b.logprob for b in cold]
    assert {a.n_tokens for a in warm} == {1}


def test_single_letter_choices_share_one_evaluation(gemma: LlamaCppBackend) -> None:
    evals: list[bool] = []
    original = gemma._decode

    def counting(tokens: list[int], begin: int, end: int, logits: bool) -> None:
        evals.append(logits)
        original(tokens, begin, end, logits)

    gemma.llm.reset()
    gemma._held = 0
    gemma._decode = counting  # type: ignore[method-assign]
    try:
        gemma.loglikelihood(REQUESTS)
    finally:
        gemma._decode = original  # type: ignore[method-assign]
    # the shared block once (no logits: nothing reads them), then each question once for its
    # four letters
    assert evals == [False] + [True] * len(QUESTIONS)


def test_the_shared_block_is_evaluated_once(gemma: LlamaCppBackend) -> None:
    evaluated: list[int] = []
    original = gemma._decode

    def counting(tokens: list[int], begin: int, end: int, logits: bool) -> None:
        evaluated.append(end - begin)
        original(tokens, begin, end, logits)

    gemma.llm.reset()
    gemma._held = 0
    block = len(gemma._tokenize(SHOTS, templated=False))
    whole = [len(gemma._tokenize(r.context, templated=False)) for r in REQUESTS[::4]]
    gemma._decode = counting  # type: ignore[method-assign]
    try:
        gemma.loglikelihood(REQUESTS)
    finally:
        gemma._decode = original  # type: ignore[method-assign]
    assert sum(evaluated) == block + sum(n - block for n in whole)


def test_results_without_a_hint_are_exact_too(gemma: LlamaCppBackend) -> None:
    together = gemma.loglikelihood(UNHINTED)
    alone = []
    for req in reversed(UNHINTED):
        alone.append(gemma.loglikelihood([req])[0])
    assert [r.logprob for r in together] == [r.logprob for r in reversed(alone)]


def test_multi_token_continuations_add_up(gemma: LlamaCppBackend) -> None:
    whole = gemma.loglikelihood([LoglikelihoodRequest("The capital of France is", " Paris.")])[0]
    first = gemma.loglikelihood([LoglikelihoodRequest("The capital of France is", " Paris")])[0]
    rest = gemma.loglikelihood([LoglikelihoodRequest("The capital of France is Paris", ".")])[0]
    assert whole.n_tokens == 2
    # the second token is evaluated alone rather than inside a chunk: close, not identical
    assert whole.logprob == pytest.approx(first.logprob + rest.logprob, abs=0.05)


def test_results_do_not_depend_on_what_ran_before(gemma: LlamaCppBackend) -> None:
    mixed = [LoglikelihoodRequest("The capital of France is", " Paris."), *REQUESTS]
    together = gemma.loglikelihood(mixed)
    alone = [gemma.loglikelihood([r])[0] for r in reversed(mixed)][::-1]
    assert [r.logprob for r in together] == [r.logprob for r in alone]


def test_greedy_generation_is_deterministic(gemma: LlamaCppBackend) -> None:
    req = GenerateRequest(prompt="The capital of France is", max_tokens=8, stop=("\n",))
    a, b = gemma.generate([req, req])
    assert a.text == b.text and a.completion_tokens <= 8


def test_sampling_follows_the_seed(gemma: LlamaCppBackend) -> None:
    def sample(seed: int) -> str:
        req = GenerateRequest(prompt="Once upon a time", max_tokens=16, temperature=1.0, seed=seed)
        return gemma.generate([req])[0].text

    assert sample(3) == sample(3)
    assert len({sample(s) for s in range(4)}) > 1


def test_identity_is_the_file_hash_and_chat_template_is_absent(gemma: LlamaCppBackend) -> None:
    assert len(gemma.identity()["model_sha256"]) == 64
    assert gemma.chat_template() is None


def test_chat_model_renders_its_template() -> None:
    smol = LlamaCppBackend(str(EMBEDDED["smollm2-135m-instruct"].path()), n_ctx=512)
    try:
        text = smol.render_chat([ChatMessage("user", "Bonjour")], add_generation_prompt=True)
        assert "<|im_start|>user\nBonjour<|im_end|>" in text
        assert text.rstrip().endswith("<|im_start|>assistant")
    finally:
        smol.close()
