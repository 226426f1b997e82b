"""A causal language model on this machine: one generate() loop for chat, TGI and OpenAI.

Every form (chat-completion, TGI's text-generation, OpenAI's completions) is the same run: a
prompt's token ids in, tokens out one at a time with their log-probabilities, until the length
limit, the end-of-sequence token or a stop sequence. ``forms.py`` writes the wire bodies. The
settings generate() has no argument for (OpenAI's frequency and presence penalties, logit bias)
are applied by one logits processor, so nothing a client sends is silently ignored.

Everything here runs on the backend's worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, InvalidParameter

DEFAULT_MAX_TOKENS = 256
MAX_CHOICES = 8  # OpenAI's n: each is a whole generate() on this machine's CPU
MAX_TOP = 20  # top_logprobs / top_n_tokens, as OpenAI and TGI cap them
MAX_STOPS = 8


@dataclass(frozen=True)
class Token:
    id: int
    text: str  # this token's share of the text: the pieces add up to the answer exactly
    logprob: float
    special: bool
    top: tuple[tuple[int, str, float], ...] = ()  # the most likely tokens at this step


@dataclass
class Generation:
    prompt_tokens: int
    tokens: list[Token] = field(default_factory=list)
    text: str = ""
    finish_reason: str = "length"  # TGI's names: length | eos_token | stop_sequence
    seed: int | None = None


@dataclass(frozen=True)
class Settings:
    """What one run needs, read from any of the three request forms."""

    max_new_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    typical_p: float | None = None
    do_sample: bool | None = None
    repetition_penalty: float | None = None
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    logit_bias: dict[int, float] = field(default_factory=dict)
    seed: int | None = None
    stop: tuple[str, ...] = ()
    top_n: int = 0  # how many alternatives to report per token
    truncate: int | None = None  # keep only the prompt's last N tokens


MAX_TEMPERATURE = 100.0  # past it sampling is uniform noise; 1e308 made the logits inf
MAX_SEED = 2**64 - 1  # torch.manual_seed's range


def checked(settings: Settings) -> Settings:
    """422 for values generate() would fail on (a 502 after the model ran) or choke on."""
    temperature = settings.temperature
    if temperature is not None and (
        not isinstance(temperature, (int, float)) or not 0 <= temperature <= MAX_TEMPERATURE
    ):
        raise InvalidParameter(f"temperature: give a number from 0 to {MAX_TEMPERATURE:g}")
    seed = settings.seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidParameter(f"seed: give a whole number from 0 to {MAX_SEED}")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise InvalidParameter(f"seed: give a whole number from 0 to {MAX_SEED}")
    return settings


def stop_list(value: Any, name: str = "stop") -> tuple[str, ...]:
    if value is None:
        return ()
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
        raise InvalidParameter(f"{name}: give a text or a list of texts")
    if len(stops) > MAX_STOPS:
        raise InvalidParameter(f"{name}: at most {MAX_STOPS} stop sequences")
    return tuple(stops)


def count(value: Any, name: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidParameter(f"{name}: give a whole number from {low} to {high}")
    return value


def refuse(parameters: dict[str, Any], names: tuple[str, ...], why: str) -> None:
    """422 naming every parameter given (not null, not false) that this model cannot honour."""
    given = [n for n in names if parameters.get(n) not in (None, False, [], {})]
    if given:
        raise InvalidParameter(
            f"{', '.join(given)}: not supported by the model on this machine ({why}); leave "
            f"{'it' if len(given) == 1 else 'them'} out"
        )


class CausalLM:
    """The tokenizer and model, loaded once, shared by chat and text generation."""

    def __init__(self, model_dir: Path, name: str) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.name = name
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
        config = self.model.config
        self.context: int | None = getattr(config, "max_position_embeddings", None) or getattr(
            config, "n_positions", None
        )
        self.eos_ids = _eos_ids(self.model, self.tokenizer)
        self.special_ids = set(getattr(self.tokenizer, "all_special_ids", []) or [])

    @property
    def chats(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def encode(self, prompt: str) -> list[int]:
        ids: list[int] = self.tokenizer(prompt)["input_ids"]
        return ids

    def run(
        self,
        prompt: list[int],
        settings: Settings,
        on_token: Callable[[Token], None] | None = None,
        stopped: threading.Event | None = None,
    ) -> Generation:
        """Generate one answer; ``on_token`` hears each token as it is made, and a set
        ``stopped`` (the listener left) ends the run at the next token."""
        import torch
        from transformers import LogitsProcessorList, StoppingCriteriaList
        from transformers.generation.streamers import BaseStreamer

        prompt, limit = self._room(prompt, settings)
        result = Generation(prompt_tokens=len(prompt), seed=settings.seed)
        if limit < 1:  # max_new_tokens: 0 asks for nothing, as TGI answers it
            return result
        steps: list[Any] = []  # the scores each step chose from
        ids: list[int] = []
        state = {"stop": False}

        class Record:  # the last processor: sees the scores the next token is drawn from
            def __call__(self, input_ids: Any, scores: Any) -> Any:
                steps.append(scores[0].detach())
                return scores

        outer = self

        class Collect(BaseStreamer):  # type: ignore[misc]
            prompt_seen = False

            def put(self, value: Any) -> None:
                if not self.prompt_seen:  # generate() hands over the prompt first
                    self.prompt_seen = True
                    return
                token_id = int(value.reshape(-1)[0])
                ids.append(token_id)
                token = outer._token(token_id, ids, result, steps[-1], settings.top_n)
                result.tokens.append(token)
                result.text += token.text
                if settings.stop and any(s in result.text for s in settings.stop):
                    state["stop"] = True
                if on_token is not None:
                    on_token(token)

            def end(self) -> None:
                pass

        def done(input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            end = state["stop"] or (stopped is not None and stopped.is_set())
            return torch.full((input_ids.shape[0],), end, dtype=torch.bool)

        kwargs = self._generate_kwargs(settings, limit)
        processors: list[Any] = [Record()]
        if settings.frequency_penalty or settings.presence_penalty or settings.logit_bias:
            processors.insert(0, Penalties(settings, len(prompt)))
        if settings.seed is not None:
            torch.manual_seed(settings.seed)
        with torch.inference_mode():
            self.model.generate(
                torch.tensor([prompt]),
                attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                streamer=Collect(),
                logits_processor=LogitsProcessorList(processors),
                stopping_criteria=StoppingCriteriaList([done]),
                **kwargs,
            )
        result.text += self._rest(ids, result.text)  # a held-back partial character, if any
        if state["stop"]:
            result.finish_reason = "stop_sequence"
        elif ids and ids[-1] in self.eos_ids:
            result.finish_reason = "eos_token"
        return result

    def _room(self, prompt: list[int], settings: Settings) -> tuple[list[int], int]:
        """The prompt (truncated as asked) and how many tokens may follow it."""
        if settings.truncate:
            prompt = prompt[-settings.truncate :]
        if not prompt:
            raise InputError("the prompt is empty; type something")
        room = self.context - len(prompt) if self.context else None
        wanted = settings.max_new_tokens or DEFAULT_MAX_TOKENS
        if room is not None and room < 1:
            raise InputError(
                f"the prompt is {len(prompt)} tokens, as long as this model's context "
                f"({self.context}); shorten it"
            )
        return prompt, min(wanted, room) if room is not None else wanted

    def _generate_kwargs(self, settings: Settings, limit: int) -> dict[str, Any]:
        sample = settings.do_sample
        if sample is None:  # greedy unless asked otherwise, as the router does
            sample = bool(settings.temperature or settings.top_p or settings.top_k)
        kwargs: dict[str, Any] = {"max_new_tokens": limit, "do_sample": sample}
        if sample:
            kwargs["temperature"] = settings.temperature or 1.0
            kwargs["top_p"] = settings.top_p or 1.0
            kwargs["top_k"] = settings.top_k or 0
            if settings.typical_p:
                kwargs["typical_p"] = settings.typical_p
        if settings.repetition_penalty:
            kwargs["repetition_penalty"] = settings.repetition_penalty
        pad = self.tokenizer.pad_token_id
        kwargs["pad_token_id"] = pad if pad is not None else self.tokenizer.eos_token_id
        return kwargs

    def _token(
        self, token_id: int, ids: list[int], result: Generation, scores: Any, top_n: int
    ) -> Token:
        import torch

        logprobs = torch.log_softmax(scores.float(), dim=-1)
        top: tuple[tuple[int, str, float], ...] = ()
        if top_n:
            values, indices = logprobs.topk(top_n)
            top = tuple(
                (int(i), self.tokenizer.decode([int(i)]), float(v))
                for v, i in zip(values, indices, strict=True)
            )
        return Token(
            id=token_id,
            text=self._rest(ids, result.text),
            logprob=float(logprobs[token_id]),
            special=token_id in self.special_ids,
            top=top,
        )

    def _rest(self, ids: list[int], so_far: str) -> str:
        """The new text the token ids add after ``so_far``; a character whose bytes span
        tokens is held back (U+FFFD) until its last byte arrives."""
        text: str = self.tokenizer.decode(ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):
            return ""
        return text[len(so_far) :] if text.startswith(so_far) else ""


class Penalties:
    """OpenAI's frequency and presence penalties and logit bias, as a logits processor: each
    token's score falls by frequency_penalty times its count in the answer so far, and by
    presence_penalty once it has appeared; logit_bias adds to the named tokens' scores."""

    def __init__(self, settings: Settings, prompt_length: int) -> None:
        self.settings = settings
        self.prompt_length = prompt_length

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        made = input_ids[0, self.prompt_length :]
        if made.numel():
            counts = torch.bincount(made, minlength=scores.shape[-1])[: scores.shape[-1]]
            counts = counts.to(scores.dtype)
            scores = scores - self.settings.frequency_penalty * counts
            scores = scores - self.settings.presence_penalty * (counts > 0).to(scores.dtype)
        for token_id, bias in self.settings.logit_bias.items():
            if 0 <= token_id < scores.shape[-1]:
                scores[:, token_id] += bias
        return scores


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    found = getattr(model.generation_config, "eos_token_id", None)
    ids = set(found if isinstance(found, list) else [found] if found is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return ids


def created() -> int:
    return int(time.time())
