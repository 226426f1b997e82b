"""Chat on this machine: a causal language model with a chat template answers chat-completion
objects, whole (through the batcher) or streamed piece by piece as generate() makes them.

Everything here runs on the backend's worker thread. A stream pushes each piece of text to the
event loop through a callback, and stops generating as soon as its listener has gone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, LocalModelError

DEFAULT_MAX_TOKENS = 256


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


class ChatModel:
    """A Runner for the batcher (a list of conversations in, chat-completion objects out), and
    ``stream`` for one conversation at a time."""

    def __init__(self, model_dir: Path) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.name = model_dir.name
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        if not getattr(self.tokenizer, "chat_template", None):
            raise LocalModelError(
                f"the model in {model_dir} has no chat template, so it cannot chat; serve it "
                "with --task text-generation"
            )
        self.model = AutoModelForCausalLM.from_pretrained(model_dir)
        self.model.eval()
        config = self.model.config
        self.context = getattr(config, "max_position_embeddings", None) or getattr(
            config, "n_positions", None
        )

    def _prompt(self, messages: list[dict[str, Any]]) -> Any:
        encoded = self.tokenizer.apply_chat_template(
            _text_messages(messages), add_generation_prompt=True, return_tensors="pt",
            return_dict=True,
        )  # fmt: skip
        return encoded["input_ids"]

    def _settings(self, prompt_length: int, parameters: dict[str, Any]) -> dict[str, Any]:
        """The spec's chat settings as generate() arguments; greedy unless a temperature or
        top_p asks for sampling, and never past the model's context."""
        import torch

        wanted = int(parameters.get("max_tokens") or DEFAULT_MAX_TOKENS)
        room = self.context - prompt_length if self.context else wanted
        if room < 1:
            raise InputError(
                f"the conversation is {prompt_length} tokens, as long as this model's context "
                f"({self.context}); start a new conversation"
            )
        kwargs: dict[str, Any] = {"max_new_tokens": min(wanted, room)}
        temperature, top_p = parameters.get("temperature"), parameters.get("top_p")
        if temperature or top_p:
            kwargs.update(do_sample=True, temperature=temperature or 1.0, top_p=top_p or 1.0)
        else:
            kwargs["do_sample"] = False
        if parameters.get("seed") is not None:
            torch.manual_seed(int(parameters["seed"]))
        pad = self.tokenizer.pad_token_id
        kwargs["pad_token_id"] = pad if pad is not None else self.tokenizer.eos_token_id
        return kwargs

    def _completion(
        self, text: str, prompt_tokens: int, new_tokens: int, limit: int
    ) -> dict[str, Any]:
        return {
            "id": f"local-{time.time_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "system_fingerprint": "hubdemo-local",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "length" if new_tokens >= limit else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": new_tokens,
                "total_tokens": prompt_tokens + new_tokens,
            },
        }

    def __call__(self, inputs: list[Any], parameters: dict[str, Any]) -> list[Any]:
        import torch

        answers = []
        for messages in inputs:  # prompts differ in length: one conversation at a time
            prompt = self._prompt(messages)
            settings = self._settings(prompt.shape[1], parameters)
            with torch.inference_mode():
                generated = self.model.generate(prompt, **settings)
            new = generated[0, prompt.shape[1] :]
            text = self.tokenizer.decode(new, skip_special_tokens=True)
            answers.append(
                self._completion(text, prompt.shape[1], len(new), settings["max_new_tokens"])
            )
        return answers

    def stream(
        self,
        messages: list[dict[str, Any]],
        parameters: dict[str, Any],
        push: Callable[[str], None],
        stopped: threading.Event,
    ) -> dict[str, Any]:
        """Generate one answer, handing each finished piece of text to ``push``; stop early once
        ``stopped`` is set. Returns the chat-completion object of the whole answer."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextStreamer

        # transformers is untyped here (Any): mypy cannot check these subclasses.
        class Pieces(TextStreamer):  # type: ignore[misc]
            def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
                if text:
                    push(text)

        class WhenStopped(StoppingCriteria):  # type: ignore[misc]
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                return torch.full((input_ids.shape[0],), stopped.is_set(), dtype=torch.bool)

        prompt = self._prompt(messages)
        settings = self._settings(prompt.shape[1], parameters)
        streamer = Pieces(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        with torch.inference_mode():
            generated = self.model.generate(
                prompt, streamer=streamer,
                stopping_criteria=StoppingCriteriaList([WhenStopped()]), **settings,
            )  # fmt: skip
        new = generated[0, prompt.shape[1] :]
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        return self._completion(text, prompt.shape[1], len(new), settings["max_new_tokens"])
