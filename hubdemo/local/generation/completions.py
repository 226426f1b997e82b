"""Text generation on this machine in the two forms clients speak besides chat.

- TGI's (and the router's): ``{"inputs", "parameters", "stream"}`` answered with
  ``[{"generated_text", "details"}]``, or streamed as ``{"index", "token", "generated_text",
  "details"}`` events (text-generation/output.json and stream_output.json);
- OpenAI's completions (``POST /v1/completions``, what ``@huggingface/inference``'s
  textGeneration calls): ``{"prompt", "max_tokens", ...}`` answered with ``text_completion``.

Both run the CausalLM that chat uses (one model in memory). Settings it cannot honour are
refused with 422 naming them. Runs on the backend's worker thread.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ...errors import InputError, InvalidParameter
from .chat import FINISH, Push, logit_bias, nth_choice, until_stop, usage_of
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

TGI_NOT_HERE = ("adapter_id", "grammar", "watermark", "decoder_input_details")
# OpenAI's completions body, and TGI's extensions of it (top_k, repetition_penalty).
COMPLETION_FIELDS = (
    "model", "prompt", "max_tokens", "temperature", "top_p", "top_k", "n", "stream",
    "stream_options", "logprobs", "echo", "stop", "seed", "frequency_penalty",
    "presence_penalty", "repetition_penalty", "logit_bias", "user", "suffix", "best_of",
)  # fmt: skip
COMPLETION_DEFAULT_TOKENS = 16  # OpenAI's default max_tokens


def tgi_settings(parameters: dict[str, Any]) -> Settings:
    refuse(parameters, TGI_NOT_HERE, "transformers' generate() on this machine")
    if (parameters.get("best_of") or 1) > 1:
        raise InvalidParameter("best_of: one sequence per request here; leave it out")
    return checked(
        Settings(
            max_new_tokens=parameters.get("max_new_tokens"),
            temperature=parameters.get("temperature"),
            top_p=parameters.get("top_p"),
            top_k=parameters.get("top_k"),
            typical_p=parameters.get("typical_p"),
            do_sample=parameters.get("do_sample"),
            repetition_penalty=parameters.get("repetition_penalty"),
            frequency_penalty=float(parameters.get("frequency_penalty") or 0),
            seed=parameters.get("seed"),
            stop=stop_list(parameters.get("stop")),
            top_n=count(parameters.get("top_n_tokens") or 0, "top_n_tokens", low=0, high=MAX_TOP),
            truncate=parameters.get("truncate"),
        )
    )


def _tgi_token(token: Token) -> dict[str, Any]:
    return {"id": token.id, "text": token.text, "logprob": token.logprob, "special": token.special}


def _alternatives(token: Token) -> list[dict[str, Any]]:
    return [{"id": i, "text": text, "logprob": lp, "special": False} for i, text, lp in token.top]


class TextGenerator:
    """text-generation for the batcher (TGI's whole answers) and ``stream`` (TGI's events)."""

    def __init__(self, lm: CausalLM) -> None:
        self.lm = lm

    def _answer(self, prompt: str, run: Generation, parameters: dict[str, Any]) -> Any:
        full = parameters.get("return_full_text", False)  # TGI's default
        answer: dict[str, Any] = {"generated_text": (prompt if full else "") + run.text}
        if parameters.get("details"):
            details: dict[str, Any] = {
                "finish_reason": run.finish_reason,
                "generated_tokens": len(run.tokens),
                "seed": run.seed,
                "prefill": [],
                "tokens": [_tgi_token(t) for t in run.tokens],
            }
            if parameters.get("top_n_tokens"):
                details["top_tokens"] = [_alternatives(t) for t in run.tokens]
            answer["details"] = details
        return answer

    def __call__(self, inputs: list[str], parameters: dict[str, Any]) -> list[Any]:
        settings = tgi_settings(parameters)
        answers = []
        for prompt in inputs:  # GPT-style tokenizers often have no pad token: one at a time
            run = self.lm.run(self.lm.encode(prompt), settings)
            answers.append([self._answer(prompt, run, parameters)])
        return answers

    def stream(
        self, prompt: str, parameters: dict[str, Any], push: Push, stopped: threading.Event
    ) -> list[dict[str, Any]]:
        """TGI's events; the last carries generated_text (and details when asked for), so
        each token is sent when the next one arrives."""
        settings = tgi_settings(parameters)
        held: list[dict[str, Any]] = []

        def on_token(token: Token) -> None:
            if held:
                push(held.pop())
            event: dict[str, Any] = {
                "index": len(run_tokens) + 1,  # TGI counts from 1
                "token": _tgi_token(token),
                "generated_text": None,
                "details": None,
            }
            if settings.top_n:
                event["top_tokens"] = _alternatives(token)
            run_tokens.append(token)
            held.append(event)

        run_tokens: list[Token] = []
        prompt_ids = self.lm.encode(prompt)
        run = self.lm.run(prompt_ids, settings, on_token, stopped)
        if not held:
            return []
        last = held.pop()
        last["token"]["text"] += run.text[len("".join(t.text for t in run.tokens)) :]
        last["generated_text"] = self._answer(prompt, run, parameters)["generated_text"]
        if parameters.get("details"):
            last["details"] = {
                "finish_reason": run.finish_reason,
                "generated_tokens": len(run.tokens),
                "input_length": len(prompt_ids),
                "seed": run.seed,
            }
        return [last]


def completion_settings(body: dict[str, Any]) -> tuple[Settings, int, int | None]:
    unknown = [name for name in body if name not in COMPLETION_FIELDS]
    if unknown:
        raise InvalidParameter(
            f"{', '.join(unknown)}: not a setting of POST /v1/completions; the endpoint's GET "
            "/info lists what it serves"
        )
    refuse(body, ("suffix",), "no fill-in-the-middle")
    if (body.get("best_of") or 1) > 1:
        raise InvalidParameter("best_of: one sequence per choice here; use n")
    logprobs = body.get("logprobs")
    settings = checked(
        Settings(
            max_new_tokens=count(
                body.get("max_tokens") or COMPLETION_DEFAULT_TOKENS, "max_tokens", low=1, high=10**6
            ),
            temperature=body.get("temperature"),
            top_p=body.get("top_p"),
            top_k=body.get("top_k"),
            repetition_penalty=body.get("repetition_penalty"),
            frequency_penalty=float(body.get("frequency_penalty") or 0),
            presence_penalty=float(body.get("presence_penalty") or 0),
            logit_bias=logit_bias(body.get("logit_bias")),
            seed=body.get("seed"),
            stop=stop_list(body.get("stop")),
            top_n=count(logprobs or 0, "logprobs", low=0, high=MAX_TOP),
        )
    )
    n = count(body.get("n") or 1, "n", low=1, high=MAX_CHOICES)
    return settings, n, (settings.top_n if logprobs is not None else None)


def completion_prompt(body: dict[str, Any]) -> str:
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1:
        prompt = prompt[0]
    if not isinstance(prompt, str) or not prompt:
        raise InputError('prompt: give the text to continue, e.g. {"prompt": "Paris is"}')
    return prompt


def _openai_logprobs(tokens: list[Token], offset: int) -> dict[str, Any]:
    offsets = []
    for token in tokens:
        offsets.append(offset)
        offset += len(token.text)
    return {
        "tokens": [t.text for t in tokens],
        "token_logprobs": [t.logprob for t in tokens],
        "top_logprobs": [{text: lp for _, text, lp in t.top} for t in tokens],
        "text_offset": offsets,
    }


class Completer:
    """OpenAI's completions: whole for the batcher, and ``stream``."""

    def __init__(self, lm: CausalLM) -> None:
        self.lm = lm

    def _head(self, model: Any) -> dict[str, Any]:
        return {
            "id": f"local-{time.time_ns()}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": self.lm.name,
            "system_fingerprint": "hubdemo-local",
        }

    def __call__(self, inputs: list[dict[str, Any]], parameters: dict[str, Any]) -> list[Any]:
        answers = []
        for body in inputs:
            settings, n, top = completion_settings(body)
            prompt = completion_prompt(body)
            ids = self.lm.encode(prompt)
            echo = prompt if body.get("echo") else ""
            choices, made = [], 0
            for i in range(n):
                run = self.lm.run(ids, nth_choice(settings, i))
                made += len(run.tokens)
                logprobs = _openai_logprobs(run.tokens, len(echo)) if top is not None else None
                choices.append(
                    {
                        "index": i,
                        "text": echo + until_stop(run.text, settings.stop),
                        "logprobs": logprobs,
                        "finish_reason": FINISH[run.finish_reason],
                    }
                )
            answers.append(
                {
                    **self._head(body.get("model")),
                    "choices": choices,
                    "usage": usage_of(len(ids), made),
                }
            )
        return answers

    def stream(
        self, body: dict[str, Any], parameters: dict[str, Any], push: Push, stopped: threading.Event
    ) -> list[dict[str, Any]]:
        settings, n, top = completion_settings(body)
        if n > 1:
            raise InvalidParameter("n: more than one choice cannot be streamed here; drop stream")
        prompt = completion_prompt(body)
        head = self._head(body.get("model"))
        written = ""

        def choice(text: str, finish: str | None, logprobs: Any) -> dict[str, Any]:
            return {
                **head,
                "choices": [
                    {"index": 0, "text": text, "logprobs": logprobs, "finish_reason": finish}
                ],
            }

        if body.get("echo"):
            push(choice(prompt, None, None))

        def on_token(token: Token) -> None:
            nonlocal written
            visible = until_stop(written + token.text, settings.stop)[len(written) :]
            written += token.text
            if visible or top is not None:
                logprobs = _openai_logprobs([token], len(written)) if top is not None else None
                push(choice(visible, None, logprobs))

        ids = self.lm.encode(prompt)
        run = self.lm.run(ids, settings, on_token, stopped)
        return [
            {
                **choice("", FINISH[run.finish_reason], None),
                "usage": usage_of(len(ids), len(run.tokens)),
            }
        ]
