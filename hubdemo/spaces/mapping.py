"""From a Space endpoint's signature (view_api) and config to the task that serves it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import InvalidParameter, UnsupportedSpace
from ..media import file_name
from ..tasks.base import Example, short
from .chat import SpaceChatTask
from .components import TEXTS, Argument, Return, arguments_of, drawable, kind_of
from .task import SpaceTask
from .values import history_form


def space_task(
    title: str,
    api_name: str,
    signature: dict[str, Any],
    props_by_position: list[dict[str, Any]],
    examples: list[list[Any]] | None = None,
    chat: str | None = None,
) -> SpaceTask:
    """The task of endpoint ``api_name`` from its view_api signature and its input
    components' config props (in the endpoint's order); ``chat``: "interface" for a
    ChatInterface, "blocks" for a chatbot built with gr.Blocks (is_blocks_chat)."""
    if chat == "blocks":
        return blocks_chat_task(title, api_name, signature, props_by_position)
    missing = drawable(signature["parameters"], signature["returns"], chat == "interface")
    if missing:
        raise UnsupportedSpace(f"{api_name} has what hubdemo cannot draw: {', '.join(missing)}")
    arguments = arguments_of(signature, props_by_position)
    if chat == "interface":
        extra = [replace(a, kind="parameter") for a in arguments[1:]]
        return SpaceChatTask(title, api_name, [arguments[0], *extra])
    returns = [Return(str(r.get("label") or "output"), kind_of(r)) for r in signature["returns"]]
    positions = [i for i, a in enumerate(arguments) if a.kind == "input"]
    samples = [
        _example(row, arguments, positions)
        for row in examples or []
        if len(row) == len(arguments) and all(_offered(arguments[i], row[i]) for i in positions)
    ]
    task = SpaceTask(title, api_name, arguments, returns, samples)
    task.example_rows = [row for row in examples or [] if len(row) == len(arguments)]
    return task


def blocks_chat_task(
    title: str, api_name: str, signature: dict[str, Any], props: list[dict[str, Any]]
) -> SpaceChatTask:
    """A chatbot built with gr.Blocks: its message box and Chatbot are the chat page's
    message and conversation; its other inputs are parameters."""
    arguments = arguments_of(signature, props)
    roles = {}
    for argument in arguments:
        if argument.component == "chatbot":
            roles[argument.name] = "history"
        elif argument.component in TEXTS and "message" not in roles.values():
            roles[argument.name] = "message"
    returns = [kind_of(r) for r in signature["returns"]]
    history = next(p for p in signature["parameters"] if kind_of(p) == "chatbot")
    return SpaceChatTask(
        title,
        api_name,
        [a if a.name in roles else replace(a, kind="parameter") for a in arguments],
        roles=roles,
        reply=returns.index("chatbot"),
        form=history_form(history),
    )


def _offered(argument: Argument, value: Any) -> bool:
    """An example's input hubdemo can send: text for a text input, a fetched file (a data URL)
    for a file one (a File example names its file only; Gradio's page asks the app for it)."""
    if not isinstance(value, str):
        return False
    return argument.component in TEXTS or value.startswith("data:")


def _example(row: list[Any], arguments: list[Argument], positions: list[int]) -> Example:
    """One gr.Examples row: its inputs, and the parameter values it sets (converted to each
    component's type; a value the component would refuse is left to its default)."""
    data = [row[i] for i in positions]
    parameters = {}
    for argument, value in zip(arguments, row, strict=True):
        if argument.kind != "parameter" or value is None:
            continue
        try:
            parameters[argument.name] = argument.convert(value)
        except InvalidParameter:
            continue
    shown = [
        (file_name(v) or f"example {v[5:].split('/')[0]}") if v.startswith("data:") else v
        for v in data
    ]
    return Example(short(" · ".join(shown)), data, parameters)
