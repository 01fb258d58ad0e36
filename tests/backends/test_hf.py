from __future__ import annotations

from pathlib import Path

import pytest
import torch

from globeval.backends.base import BackendError
from globeval.backends.hf import TransformersBackend
from globeval.requests import ChatMessage, GenerateRequest, LoglikelihoodRequest

SHOTS = "What is 2 + 2?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer: B\n\n" * 3
QUESTIONS = ["La capitale de la France", "フランスの首都", "Столица Франции", "法国的首都", "فرنسا"]
REQUESTS = [
    LoglikelihoodRequest(SHOTS + q + "?\nAnswer:", " " + letter)
    for q in QUESTIONS
    for letter in "ABCD"
] + [LoglikelihoodRequest("The capital", " of France is Paris."), LoglikelihoodRequest("x ", "y")]


@pytest.fixture(scope="module")
def backend(tiny_lm: Path) -> TransformersBackend:
    return TransformersBackend(str(tiny_lm))


def reference(backend: TransformersBackend, req: LoglikelihoodRequest) -> float:
    """One unpadded forward pass over context + continuation, lm-eval style."""
    context, continuation = req.context, req.continuation
    n = len(context) - len(context.rstrip())
    if n:
        context, continuation = context[:-n], context[-n:] + continuation
    ctx = backend.tokenizer(context)["input_ids"]
    whole = backend.tokenizer(context + continuation)["input_ids"]
    with torch.no_grad():
        logits = backend.model(torch.tensor([whole])).logits[0].float()
    lp = torch.log_softmax(logits, -1)
    return sum(float(lp[len(ctx) - 1 + j, t]) for j, t in enumerate(whole[len(ctx) :]))


def test_loglikelihood_matches_a_plain_forward_pass(backend: TransformersBackend) -> None:
    results = backend.loglikelihood(REQUESTS)
    for req, res in zip(REQUESTS, results, strict=True):
        assert res.logprob == pytest.approx(reference(backend, req), abs=1e-5)
    assert results[-2].n_tokens > 1


def test_shared_prefix_path_is_taken_and_exact(backend: TransformersBackend) -> None:
    few_shot = REQUESTS[:20]  # all share SHOTS: computed once, reused through the KV cache
    backend._prefix = None
    results = backend.loglikelihood(few_shot)
    assert backend._prefix is not None and len(backend._prefix[0]) > 50
    for req, res in zip(few_shot, results, strict=True):
        assert res.logprob == pytest.approx(reference(backend, req), abs=1e-5)


@pytest.mark.parametrize("batch", [1, 3, 7])
def test_scores_do_not_change_with_batch_size(backend: TransformersBackend, batch: int) -> None:
    full = backend.loglikelihood(REQUESTS)
    chunked = [
        r
        for i in range(0, len(REQUESTS), batch)
        for r in backend.loglikelihood(REQUESTS[i : i + batch])
    ]
    for a, b in zip(full, chunked, strict=True):
        assert a.logprob == pytest.approx(b.logprob, abs=1e-5)
        assert a.is_greedy == b.is_greedy


def test_greedy_generation_is_the_same_alone_and_batched(backend: TransformersBackend) -> None:
    reqs = [GenerateRequest(prompt=p, max_tokens=6) for p in ("Paris is", "フランスの首都は", "A")]
    batched = backend.generate(reqs)
    alone = [backend.generate([r])[0] for r in reqs]
    assert [r.text for r in batched] == [r.text for r in alone]
    assert all(r.completion_tokens <= 6 for r in batched)


def test_sampling_is_reproducible_by_seed(backend: TransformersBackend) -> None:
    def sample(seed: int) -> str:
        req = GenerateRequest(prompt="Paris", max_tokens=12, temperature=1.0, top_p=1.0, seed=seed)
        return backend.generate([req])[0].text

    assert sample(7) == sample(7)
    assert len({sample(s) for s in range(5)}) > 1


def test_chat_template_is_rendered(backend: TransformersBackend) -> None:
    text = backend.render_chat([ChatMessage("user", "Bonjour")], add_generation_prompt=True)
    assert text == "<s>user: Bonjour\nassistant:"
    assert backend.identity()["dtype"] == "float32"
    assert len(backend.identity()["model_sha256"]) == 64


def test_too_long_input_is_a_clear_error(tiny_lm: Path) -> None:
    short = TransformersBackend(str(tiny_lm), max_length=16)
    with pytest.raises(BackendError, match="exceed the model's 16"):
        short.loglikelihood([LoglikelihoodRequest("word " * 40, " x")])


def test_unknown_dtype(tiny_lm: Path) -> None:
    with pytest.raises(BackendError, match="unknown dtype"):
        TransformersBackend(str(tiny_lm), dtype="float13")


def test_one_forward_row_per_context_for_single_token_choices(
    backend: TransformersBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[int] = []
    original = backend._last_logprobs

    def spy(seqs: list[list[int]], shared: list[int], keep: int) -> object:
        rows.append(len(seqs))
        return original(seqs, shared, keep)

    monkeypatch.setattr(backend, "_last_logprobs", spy)
    backend.loglikelihood(REQUESTS[:20])  # 5 contexts x 4 one-token letters
    assert rows == [5]


def test_long_continuations_after_a_shared_prefix(backend: TransformersBackend) -> None:
    """Rows that share all but their continuation: the prefix must stop before what is read."""
    reqs = [
        LoglikelihoodRequest(SHOTS + "The capital is", " Paris, the city of light."),
        LoglikelihoodRequest(SHOTS + "The capital is", " Lyon, by the two rivers."),
    ]
    for req, res in zip(reqs, backend.loglikelihood(reqs), strict=True):
        assert res.logprob == pytest.approx(reference(backend, req), abs=1e-5)


def test_batches_longer_than_a_sliding_window_score_as_alone(tmp_path: Path) -> None:
    """Contexts share a prefix and outgrow an 8-token attention window; their own parts differ
    in length, so a batch pads some rows. Every score and greedy generation must be what the
    row gets alone."""
    from tests.tiny_models import build_sliding_window_lm

    backend = TransformersBackend(str(build_sliding_window_lm(tmp_path / "gemma3")))
    # generation pads on the left, before everything: the window shifts with the row intact
    prompts = [SHOTS + "Q?", SHOTS + "A much longer question, several words on.", "Short"]
    reqs_gen = [GenerateRequest(prompt=p, max_tokens=6) for p in prompts]
    alone = [backend.generate([r])[0].text for r in reqs_gen]
    assert [r.text for r in backend.generate(reqs_gen)] == alone
    questions = ["Q?", "A much longer question, several words on.", "Mid-sized one here"]
    reqs = [
        LoglikelihoodRequest(SHOTS + q + "\nAnswer:", cont)
        for q in questions
        for cont in (" A", " B", " no, it is C")
    ]
    assert len(backend._encode(SHOTS, False)) > 8
    batched = backend.loglikelihood(reqs)
    for req, res in zip(reqs, batched, strict=True):
        assert res.logprob == pytest.approx(reference(backend, req), abs=1e-5)
