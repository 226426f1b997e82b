"""A chat Space as hubdemo's chat task: a gr.ChatInterface, or a chatbot built with gr.Blocks."""

from __future__ import annotations

from typing import Any

from .. import components as c
from ..errors import InputError, InvalidParameter
from ..openapi import openapi
from ..tasks.base import TaskHandler, TaskInput, parse_json
from ..tasks.chat import NOT_PARAMETERS, chat_completion, check_messages, conversation
from ..wire import Json, WireRequest, WireResponse
from .components import Argument, Return
from .task import SpaceTask
from .values import history_value


class SpaceChatTask(SpaceTask):
    """A chat Space: hubdemo's chat demo, the answer streamed as the Space writes it.

    A ChatInterface keeps each conversation's history itself (in its session), so only the
    last user message and the endpoint's additional inputs go to it; upstream.py keeps one
    session per conversation. A chatbot built with gr.Blocks takes the history as its Chatbot
    input (``roles`` names which argument is the "message" and which the "history"; ``form``
    how the Chatbot takes it, values.history_form) and answers it with the reply in its
    output number ``reply``. ``output`` is a chat-completion object, as for a chat model."""

    streams = True
    partials = False  # the answer streams as chat deltas
    max_text_chars = 500_000

    def __init__(
        self,
        title: str,
        api_name: str,
        arguments: list[Argument],
        *,
        roles: dict[str, str] | None = None,
        reply: int | None = None,
        form: str = "messages",
    ) -> None:
        TaskHandler.__init__(
            self,
            "space",
            title=title,
            action="Send",
            inputs=[c.Component("message", "chat", "Message")],
            outputs=[c.out("chat", "Conversation")],
            normalize=chat_completion,
            display=conversation,
            spec="space",
        )
        self.api_name = api_name
        self.arguments = arguments
        self.returns = [Return("Conversation", "Chatbot")]
        self.samples = []
        self.roles = roles if roles is not None else {arguments[0].name: "message"}
        # A MultimodalTextbox (ChatInterface(multimodal=True)) takes pictures with the text.
        self.multimodal = any(
            a.component == "multimodaltextbox" for a in arguments if a.name in self.roles
        )
        self.reply = reply
        self.form = form

    def preprocess(self, body: Json) -> TaskInput:
        if not isinstance(body, dict):
            raise InputError('the request body must be {"messages": [...]} or {"data": [...]}')
        extra = body.get("parameters") or {}
        if not isinstance(extra, dict):
            raise InvalidParameter('"parameters" must be a JSON object of name: value')
        # Additional inputs by name at the top level (as a chat model's parameters go, and as
        # the page sends them) or in "parameters".
        given = {k: v for k, v in body.items() if k not in NOT_PARAMETERS} | extra
        if "messages" in body:
            messages = check_messages(body["messages"])
        elif isinstance(body.get("data"), list) and len(body["data"]) == 1:
            value = body["data"][0]
            listed = value if isinstance(value, list) else [{"role": "user", "content": value}]
            messages = check_messages(listed)
        else:
            raise InputError('the request body needs "messages" (the conversation) or "data"')
        for i, message in enumerate(messages):
            content = message["content"]  # check_messages: a text or a list of parts
            if isinstance(content, str):
                continue
            if not self.multimodal:
                raise InputError(f"messages[{i}].content: this Space's chat takes text only")
            for part in content:  # check_messages checked their shape and inline pictures
                if part["type"] == "image_url" and not part["image_url"]["url"].startswith("data:"):
                    raise InputError(
                        f"messages[{i}].content: give the picture inline, as a data URL "
                        "(hubdemo uploads it to the Space as a file)"
                    )
        if messages[-1]["role"] != "user":
            raise InputError("the last message must be the user's: the Space answers it")
        self.check_text_size([text_of(m["content"]) for m in messages])
        controls = {a.name: a for a in self.arguments if a.kind == "parameter"}
        unknown = sorted(set(given) - set(controls))
        if unknown:
            raise InvalidParameter(
                f"{', '.join(unknown)}: not a parameter of this Space's {self.api_name} "
                f"(it takes: {', '.join(controls) or 'none'}); GET /api/info lists them"
            )
        return TaskInput(messages, {n: controls[n].convert(v) for n, v in given.items()})

    def serialize_stream(self, task_input: TaskInput) -> WireRequest:
        return self.serialize(task_input, stream=True)

    def serialize(self, task_input: TaskInput, stream: bool = False) -> WireRequest:
        messages = task_input.inputs
        # With a message box the last turn goes there; else the history ends with it.
        earlier = messages[:-1] if "message" in self.roles.values() else messages
        args = []
        for argument in self.arguments:
            role = self.roles.get(argument.name)
            if role == "message":
                args.append(self.message_value(messages[-1]["content"]))
            elif role == "history":
                args.append(history_value(earlier, self.form))
            else:
                args.append(task_input.parameters.get(argument.name, argument.default))
        body = {
            "api_name": self.api_name,
            "args": args,
            "history": messages[:-1],  # what a ChatInterface's session must already hold
            "stream": stream,
        }
        if self.reply is not None:
            body["reply"] = self.reply
        elif self.multimodal:  # a conversation unknown to the Space is replayed in its form
            body["replay"] = [
                self.message_value(m["content"]) for m in earlier if m["role"] == "user"
            ]
            body["said"] = messages[-1]["content"]  # the turn as the next request repeats it
        return WireRequest(json=body, route="chat")

    def message_value(self, content: Any) -> Any:
        """A user turn as the Space's message box takes it: the text, or for a
        MultimodalTextbox {"text", "files": [picture data URLs]} (upstream.py uploads them)."""
        if not self.multimodal:
            return content
        parts: list[dict[str, Any]] = [] if isinstance(content, str) else content
        files = [p["image_url"]["url"] for p in parts if p.get("type") == "image_url"]
        return {"text": text_of(content), "files": files}

    def deserialize(self, response: WireResponse) -> Json:
        return chat_completion(parse_json(response))

    def postprocess(self, output: Json, task_input: TaskInput) -> list[Json]:
        return [conversation(output, task_input)]

    def api_document(self, info: dict[str, Any]) -> dict[str, Any]:
        return openapi(info, "chat-completion")


def text_of(content: Any) -> str:
    """A message's text: the content itself, or its text parts joined."""
    if isinstance(content, str):
        return content
    return "\n".join(p["text"] for p in content if p.get("type") == "text")
