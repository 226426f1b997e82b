"""chat-completion: models tagged `conversational` (text-generation) and image-text-to-text.

The API takes the OpenAI-style body of the spec, ``{"messages": [...], "max_tokens": ...}`` (its
options at the top level), or ``{"data": ["a message"]}``. The upstream is the router's
``/v1/chat/completions``. A non-streamed ``output`` is the chat-completion object; streamed, the
deltas arrive as they are made and the same object, assembled, comes last.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError, InvalidParameter
from ..media import parse_media
from ..wire import Json, WireRequest
from .base import TaskHandler, TaskInput, is_blank

NOT_PARAMETERS = ("messages", "model", "stream", "stream_options", "data", "inputs", "parameters")
ROLES = ("system", "user", "assistant", "tool")


def check_messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise InputError('messages: give a list like [{"role": "user", "content": "Hello"}]')
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise InputError(f"messages[{i}]: needs a role ({', '.join(ROLES)}) and content")
        content = message.get("content")
        if isinstance(content, list):
            check_parts(content, f"messages[{i}].content")
        elif not isinstance(content, str) or is_blank(content):
            raise InputError(f"messages[{i}].content: the message is empty; type something")
    return messages


def check_parts(parts: list[Any], where: str) -> None:
    """OpenAI-style content parts: {"type": "text", "text"} and {"type": "image_url",
    "image_url": {"url"}}; an image given inline (a data URL) must be a whole image."""
    if not parts:
        raise InputError(f"{where}: the message is empty; type something")
    for j, part in enumerate(parts):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            continue
        url = (part.get("image_url") or {}).get("url") if kind == "image_url" else None
        if not isinstance(url, str):
            raise InputError(
                f'{where}[{j}]: a part is {{"type": "text", "text": ...}} or '
                '{"type": "image_url", "image_url": {"url": ...}}'
            )
        if url.startswith("data:"):
            parse_media(url, "image", f"{where}[{j}].image_url.url")
        elif not url.startswith(("https://", "http://")):
            raise InputError(f"{where}[{j}].image_url.url: give a data URL or an http(s) URL")


MAX_LOGIT_BIAS = 300  # tokens, as OpenAI caps them


def openai_logit_bias(value: dict[str, Any]) -> dict[str, float]:
    """OpenAI's ``{"token id": bias}`` form of logit_bias (the spec writes a list): at most
    MAX_LOGIT_BIAS tokens, ids as whole numbers, each bias from -100 to 100."""
    if len(value) > MAX_LOGIT_BIAS:
        raise InvalidParameter(f"logit_bias: {len(value):,} tokens; at most {MAX_LOGIT_BIAS}")
    for key, bias in value.items():
        number = isinstance(bias, (int, float)) and not isinstance(bias, bool)
        if not str(key).isdigit() or not number or not -100 <= bias <= 100:
            raise InvalidParameter(
                'logit_bias: give {"token id": bias, ...}, each bias from -100 to 100'
            )
    return value


class ChatTask(TaskHandler):
    streams = True
    max_text_chars = 500_000  # a whole conversation, as long contexts allow

    def checked(self, task_input: TaskInput) -> TaskInput:
        """The spec's checks, and OpenAI's object form of logit_bias (which the spec, written
        for TGI, does not list) checked on its own."""
        bias = task_input.parameters.get("logit_bias")
        if not isinstance(bias, dict):
            return super().checked(task_input)
        rest = {k: v for k, v in task_input.parameters.items() if k != "logit_bias"}
        found = super().checked(TaskInput(task_input.inputs, rest))
        return TaskInput(found.inputs, {**found.parameters, "logit_bias": openai_logit_bias(bias)})

    def parse(self, body: Json) -> TaskInput:
        if not isinstance(body, dict):
            raise InputError('the request body must be {"messages": [...]} or {"data": [...]}')
        parameters = {k: v for k, v in body.items() if k not in NOT_PARAMETERS}
        extra = body.get("parameters") or {}
        if not isinstance(extra, dict):
            raise InvalidParameter('"parameters" must be a JSON object of name: value')
        parameters.update(extra)
        if "messages" in body:
            return TaskInput(check_messages(body["messages"]), parameters)
        if "data" in body:
            values = body["data"]
            if not isinstance(values, list) or len(values) != 1:
                raise InputError('"data" must be a list of 1 value: the message')
            value = values[0]
            if isinstance(value, list):  # the page sends the whole conversation
                return TaskInput(check_messages(value), parameters)
            return TaskInput(check_messages([{"role": "user", "content": value}]), parameters)
        raise InputError('the request body needs "messages" (the conversation) or "data"')

    def serialize_stream(self, task_input: TaskInput) -> WireRequest:
        return self.serialize(task_input, stream=True)

    def serialize(self, task_input: TaskInput, stream: bool = False) -> WireRequest:
        body = {"messages": task_input.inputs, **task_input.parameters}
        if stream:
            body["stream"] = True
        return WireRequest(json=body, route=self.route)

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        messages = widget.get("messages")
        if isinstance(messages, list) and messages:
            last = messages[-1]
            if isinstance(last, dict) and isinstance(last.get("content"), str):
                return [last["content"]]
        text = widget.get("text")
        return [text] if isinstance(text, str) else None


def chat_completion(payload: Json) -> Json:
    """The chat.completion object as the upstream wrote it, with what some providers leave out
    or add empty filled to the spec's shape (system_fingerprint; an empty tool_calls list,
    which would make a text message look like a tool call)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("choices"), list):
        raise KeyError("choices")
    payload.setdefault("system_fingerprint", "")
    for choice in payload["choices"]:
        message = choice.get("message") if isinstance(choice, dict) else None
        if isinstance(message, dict) and not message.get("tool_calls"):
            message.pop("tool_calls", None)
            if message.get("content") is None:
                message["content"] = ""
    return payload


def conversation(output: Json, task_input: TaskInput) -> Json:
    reply = output["choices"][0]["message"] if output["choices"] else {}
    return {"messages": [*task_input.inputs, reply]}


def assemble(
    chunks: list[dict[str, Any]], text: str, started: float, reasoning: str = ""
) -> dict[str, Any]:
    """The chat-completion object a streamed answer adds up to (a reasoning model's thinking,
    when it came apart from the text, as the message's reasoning_content)."""
    last = chunks[-1] if chunks else {}
    choice = (last.get("choices") or [{}])[0]
    usage = next((c["usage"] for c in reversed(chunks) if c.get("usage")), None)
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if reasoning:
        message["reasoning_content"] = reasoning
    return {
        "id": last.get("id", ""),
        "object": "chat.completion",
        "created": last.get("created", int(started)),
        "model": last.get("model", ""),
        "system_fingerprint": last.get("system_fingerprint", ""),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": choice.get("finish_reason") or "stop",
                "logprobs": None,
            }
        ],
        "usage": usage
        or {"prompt_tokens": 0, "completion_tokens": len(chunks), "total_tokens": len(chunks)},
    }
