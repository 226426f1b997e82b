"""Chat on this machine: a causal language model with a chat template answers the OpenAI chat
body with chat-completion objects, whole (through the batcher) or as chat.completion.chunk
events while generate() writes them.

The spec's settings are honoured (max_tokens, temperature, top_p, seed, stop, n, logprobs and
top_logprobs, frequency and presence penalties, logit_bias); the rest (tools, response_format,
...) are refused with 422 naming them. Runs on the backend's worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ...errors import InputError, InvalidParameter, LocalModelError
from .model import (
    MAX_CHOICES,
    MAX_TOP,
    CausalLM,
    Generation,
    Settings,
    Token,
    checked,
    count,
    refuse,
    stop_list,
)

Push = Callable[[dict[str, Any]], None]
NOT_HERE = ("tools", "tool_choice", "tool_prompt", "response_format", "reasoning_effort")
FINISH = {"length": "length", "eos_token": "stop", "stop_sequence": "stop"}


def _text_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The conversation with each content as text; images cannot go to a text-only model."""
    plain = []
    for i, message in enumerate(messages):
        content = message.get("content")
        if isinstance(content, list):
            if any(isinstance(p, dict) and p.get("type") != "text" for p in content):
                raise InputError(
                    f"messages[{i}].content: this local model reads text only; leave the image "
                    "out, or use the router for an image-text-to-text model"
                )
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        plain.append({"role": str(message.get("role")), "content": str(content or "")})
    return plain


MAX_LOGIT_BIAS = 300  # tokens, as OpenAI caps them


def logit_bias(value: Any) -> dict[int, float]:
    """OpenAI's {"token id": bias} (the spec also allows a list: bias per token id), at most
    MAX_LOGIT_BIAS tokens, each bias from -100 to 100."""
    if value in (None, {}, []):
        return {}
    if not isinstance(value, (list, dict)):
        raise InvalidParameter('logit_bias: give {"token id": bias, ...}')
    if len(value) > MAX_LOGIT_BIAS:
        raise InvalidParameter(
            f"logit_bias: {len(value):,} tokens; at most {MAX_LOGIT_BIAS}, as OpenAI allows"
        )
    pairs: Any = enumerate(value) if isinstance(value, list) else value.items()
    bias: dict[int, float] = {}
    for key, number in pairs:
        try:
            token, shift = int(key), float(number)
        except (TypeError, ValueError):
            raise InvalidParameter('logit_bias: give {"token id": bias, ...}') from None
        if token < 0 or not -100 <= shift <= 100:
            raise InvalidParameter("logit_bias: token ids from 0, each bias from -100 to 100")
        bias[token] = shift
    return bias


def chat_settings(parameters: dict[str, Any]) -> tuple[Settings, int, int | None]:
    """Settings, how many choices (n), and how many alternatives per token when logprobs is
    asked for (None: no logprobs)."""
    refuse(parameters, NOT_HERE, "a plain chat template")
    n = count(parameters.get("n") or 1, "n", low=1, high=MAX_CHOICES)
    top = parameters.get("top_logprobs")
    if top is not None and not parameters.get("logprobs"):
        raise InvalidParameter("top_logprobs: needs logprobs: true")
    settings = checked(
        Settings(
            max_new_tokens=parameters.get("max_tokens"),
            temperature=parameters.get("temperature"),
            top_p=parameters.get("top_p"),
            seed=parameters.get("seed"),
            stop=stop_list(parameters.get("stop")),
            frequency_penalty=float(parameters.get("frequency_penalty") or 0),
            presence_penalty=float(parameters.get("presence_penalty") or 0),
            logit_bias=logit_bias(parameters.get("logit_bias")),
            top_n=count(top or 0, "top_logprobs", low=0, high=MAX_TOP),
        )
    )
    return settings, n, (settings.top_n if parameters.get("logprobs") else None)


def until_stop(text: str, stops: tuple[str, ...]) -> str:
    """OpenAI's answers end before the stop sequence (TGI's include it)."""
    cut = min((text.find(s) for s in stops if s in text), default=-1)
    return text if cut < 0 else text[:cut]


def token_logprobs(tokens: list[Token]) -> list[dict[str, Any]]:
    return [
        {
            "token": t.text,
            "logprob": t.logprob,
            "bytes": list(t.text.encode()),
            "top_logprobs": [
                {"token": text, "logprob": lp, "bytes": list(text.encode())}
                for _, text, lp in t.top
            ],
        }
        for t in tokens
    ]


class ChatModel:
    """A Runner for the batcher (a list of conversations in, chat-completion objects out), and
    ``stream`` for one conversation at a time."""

    def __init__(self, lm: CausalLM) -> None:
        if not lm.chats:
            raise LocalModelError(
                "this model has no chat template, so it cannot chat; serve it with --task "
                "text-generation"
            )
        self.lm = lm

    def _prompt(self, messages: list[dict[str, Any]]) -> list[int]:
        encoded = self.lm.tokenizer.apply_chat_template(
            _text_messages(messages), add_generation_prompt=True, return_dict=True
        )
        ids: list[int] = list(encoded["input_ids"])
        return ids

    def _choice(self, index: int, run: Generation, stops: tuple[str, ...], top: int | None) -> Any:
        return {
            "index": index,
            "message": {"role": "assistant", "content": until_stop(run.text, stops)},
            "finish_reason": FINISH[run.finish_reason],
            "logprobs": {"content": token_logprobs(run.tokens)} if top is not None else None,
        }

    def __call__(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]:
        settings, n, top = chat_settings(parameters)
        answers = []
        for messages in inputs:  # prompts differ in length: one conversation at a time
            prompt = self._prompt(messages)
            runs = [self.lm.run(prompt, nth_choice(settings, i)) for i in range(n)]
            made = sum(len(r.tokens) for r in runs)
            answers.append(
                {
                    **_head(self.lm.name, "chat.completion"),
                    "choices": [self._choice(i, r, settings.stop, top) for i, r in enumerate(runs)],
                    "usage": usage_of(len(prompt), made),
                }
            )
        return answers

    def stream(
        self,
        messages: list[dict[str, Any]],
        parameters: dict[str, Any],
        push: Push,
        stopped: threading.Event,
    ) -> list[dict[str, Any]]:
        """Push a chat.completion.chunk per piece of text as generate() makes it; stop early
        once ``stopped`` is set. Returns the last chunk (finish reason and usage)."""
        settings, n, top = chat_settings(parameters)
        if n > 1:
            raise InvalidParameter("n: more than one choice cannot be streamed here; drop stream")
        head = _head(self.lm.name, "chat.completion.chunk")
        written = ""

        def on_token(token: Token) -> None:
            nonlocal written
            visible = until_stop(written + token.text, settings.stop)[len(written) :]
            written += token.text
            if visible or top is not None:
                logprobs = {"content": token_logprobs([token])} if top is not None else None
                push(_chunk(head, {"role": "assistant", "content": visible}, None, logprobs))

        prompt = self._prompt(messages)
        run = self.lm.run(prompt, settings, on_token, stopped)
        last = _chunk(head, {}, FINISH[run.finish_reason], None)
        return [{**last, "usage": usage_of(len(prompt), len(run.tokens))}]


def nth_choice(settings: Settings, index: int) -> Settings:
    """The index-th of n choices: its own seed, so sampled choices differ and repeat."""
    if index == 0 or settings.seed is None:
        return settings
    from dataclasses import replace

    return replace(settings, seed=settings.seed + index)


def _head(model: str, kind: str) -> dict[str, Any]:
    return {
        "id": f"local-{time.time_ns()}",
        "object": kind,
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "hubdemo-local",
    }


def _chunk(
    head: dict[str, Any], delta: dict[str, Any], finish: str | None, logprobs: Any
) -> dict[str, Any]:
    """One chat.completion.chunk, as chat-completion/stream_output.json has it."""
    choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": logprobs}
    return {**head, "choices": [choice]}


def usage_of(prompt: int, made: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": made, "total_tokens": prompt + made}
