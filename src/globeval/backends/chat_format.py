"""The text a reward model reads for (conversation, response), with or without a chat template.

With a template, the whole conversation ending in the assistant's response is rendered without a
generation prompt (reward-bench's `prepare_dialogue_from_tokenizer`). Without one, a plain
"role: text" layout is used and recorded as `chat_format: plain`, since no reference layout
exists for such models (reward-bench falls back to a FastChat template named by the user).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from globeval.requests import ChatMessage

Render = Callable[[Sequence[ChatMessage], bool], str]

PLAIN = "plain"


def plain(messages: Sequence[ChatMessage], add_generation_prompt: bool) -> str:
    text = "".join(f"{m.role}: {m.content}\n\n" for m in messages)
    return text + "assistant:" if add_generation_prompt else text.rstrip("\n")


def conversation(prompt: Sequence[ChatMessage], response: str) -> tuple[ChatMessage, ...]:
    return (*prompt, ChatMessage("assistant", response))


def split_response(render: Render, prompt: Sequence[ChatMessage], response: str) -> tuple[str, str]:
    """(context, continuation): the rendered conversation cut where the rendered prompt ends, so
    the continuation is the assistant's turn as the template writes it (its header, the response
    and the end-of-turn text). Templates that rewrite earlier turns are cut at the longest common
    prefix instead."""
    before = render(prompt, False)
    whole = render(conversation(prompt, response), False)
    if whole.startswith(before) and len(whole) > len(before):
        return before, whole[len(before) :]
    common = 0
    for a, b in zip(before, whole, strict=False):
        if a != b:
            break
        common += 1
    return whole[:common], whole[common:]
