"""A Gradio Space's endpoint as a task: its components mapped to hubdemo's, not rebuilt.

The endpoint's parameters (from gradio_client's ``view_api`` and the app's config) become
hubdemo inputs (text and media) or parameter controls (numbers, sliders, checkboxes, dropdowns,
radios) carrying the Gradio label and parameter name; its returns become output components. A
request is read in either body form, converted to each component's type (a slider given "3"
is 3), and sent as the endpoint's positional arguments; the answer's values are normalized
(a Label becomes the Hub's classification list) and drawn by the matching output kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from .. import components as c
from ..errors import InputError, InvalidParameter, UnsupportedSpace
from ..media import decode_base64, file_name, parse_file, parse_media, unnamed
from . import outputs as o
from .base import (
    Example,
    Json,
    TaskHandler,
    TaskInput,
    WireRequest,
    WireResponse,
    is_blank,
    parse_json,
    short,
)
from .chat import chat_completion, conversation
from .generated import file_shown

# Gradio component types, as view_api names them, lower-cased ("Json", "Html", "Model3d").
MEDIA = {"image": "image", "audio": "audio", "video": "video"}
FILES = {"file": "file"}  # a file of any kind, sent under its own name
TEXTS = {"textbox": "textarea", "textarea": "textarea", "code": "textarea"}
CONTROLS = {"number", "slider", "checkbox", "dropdown", "radio"}
OUTPUTS = {
    "label": "labels", "textbox": "text", "textarea": "text", "markdown": "text",
    "html": "text", "number": "text", "json": "text", "code": "text", "image": "image",
    "audio": "audio", "video": "video", "highlightedtext": "entities", "dataframe": "rows",
    "gallery": "gallery", "annotatedimage": "annotated", "file": "file", "chatbot": "chat",
}  # fmt: skip
DATA_URL_SCHEMA = {"type": "string", "description": "a data URL"}
RETURN_SCHEMAS: dict[str, dict[str, Any]] = {
    "labels": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["label", "score"],
            "properties": {"label": {"type": "string"}, "score": {"type": "number"}},
        },
    },
    "entities": {
        "type": "object",
        "required": ["text", "entities"],
        "properties": {
            "text": {"type": "string"},
            "entities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["label", "start", "end"],
                    "properties": {
                        "label": {"type": "string"},
                        "score": {"type": "number"},
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                    },
                },
            },
        },
    },
    "rows": {
        "type": "object",
        "required": ["headers", "data"],
        "properties": {
            "headers": {"type": "array", "items": {"type": "string"}},
            "data": {"type": "array", "items": {"type": "array"}},
        },
    },
    "image": DATA_URL_SCHEMA,
    "audio": DATA_URL_SCHEMA,
    "video": DATA_URL_SCHEMA,
    "gallery": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "image": DATA_URL_SCHEMA,
                "video": DATA_URL_SCHEMA,
                "caption": {"type": ["string", "null"]},
            },
        },
    },
    "annotated": {
        "type": "object",
        "required": ["image", "segments"],
        "properties": {
            "image": DATA_URL_SCHEMA,
            "segments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["label", "mask"],
                    "properties": {"label": {"type": "string"}, "mask": DATA_URL_SCHEMA},
                },
            },
        },
    },
    "file": {
        "anyOf": [DATA_URL_SCHEMA, {"type": "array", "items": DATA_URL_SCHEMA}],
        "description": "a data URL (its name in the parameter name=), or a list of them",
    },
    "chat": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["role", "content"],
            "properties": {"role": {"type": "string"}, "content": {}},
        },
    },
}


@dataclass(frozen=True)
class Argument:
    """One parameter of the endpoint, in its position."""

    name: str
    label: str
    component: str
    kind: str  # "input" (drawn as an input component) or "parameter" (a control)
    has_default: bool = False
    default: Any = None
    props: dict[str, Any] = field(default_factory=dict)  # the component's config (choices…)

    def control(self) -> dict[str, Any]:
        """The page's parameter control (parameters.py's shape)."""
        found: dict[str, Any] = {"name": self.name, "description": self.label}
        if self.component == "checkbox":
            found["kind"] = "boolean"
        elif self.component in ("dropdown", "radio"):
            found.update(kind="choice", options=[str(v) for v in self.choices()])
        elif self.component in TEXTS:  # a ChatInterface's additional text input
            found["kind"] = "text"
        else:
            whole = isinstance(self.props.get("step", 1), int) and self.component == "slider"
            found["kind"] = "integer" if whole else "number"
            for key in ("minimum", "maximum"):
                if isinstance(self.props.get(key), (int, float)):
                    found[key] = self.props[key]
        if self.has_default and self.default is not None:
            found["default"] = self.default
        return found

    def choices(self) -> list[Any]:
        listed = self.props.get("choices") or []
        return [pair[1] if isinstance(pair, (list, tuple)) else pair for pair in listed]

    def convert(self, value: Any) -> Any:
        """The value as the component takes it; 422 naming the parameter when it cannot be."""
        where = f"{self.name} ({self.label})"
        if self.component in TEXTS:
            if not isinstance(value, str):
                raise InvalidParameter(f"{where}: give a text")
            return value
        if self.component == "checkbox":
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if not isinstance(value, bool):
                raise InvalidParameter(f"{where}: give true or false")
            return value
        if self.component in ("dropdown", "radio"):
            allowed = self.choices()
            if value not in allowed:
                match = [a for a in allowed if str(a) == str(value)]
                if not match:
                    shown = ", ".join(str(a) for a in allowed)
                    raise InvalidParameter(f"{where}: give one of {shown}")
                value = match[0]
            return value
        try:
            number = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number != number:
            raise InvalidParameter(f"{where}: give a number")
        low, high = self.props.get("minimum"), self.props.get("maximum")
        too_low = isinstance(low, (int, float)) and number < low
        if too_low or (isinstance(high, (int, float)) and number > high):
            raise InvalidParameter(f"{where}: give a number from {low} to {high}")
        return int(number) if number.is_integer() else number


@dataclass(frozen=True)
class Return:
    label: str
    component: str


def normalize_value(component: str, value: Any) -> Any:
    """One returned value in hubdemo's output form: a Label as [{label, score}] (the Hub's
    classification shape), files as data URLs (the upstream made them so), the rest as is.
    None (an app may answer no file, no picture) stays None: the page says so."""
    if value is None:
        return None
    if component == "label":
        if isinstance(value, dict) and isinstance(value.get("confidences"), list):
            return [
                {"label": str(item["label"]), "score": float(item["confidence"])}
                for item in value["confidences"]
            ]
        if isinstance(value, dict) and "label" in value:  # a Label given only its top class
            return [{"label": str(value["label"]), "score": 1.0}]
        raise ValueError("a Label value has label and confidences")
    if component == "highlightedtext":
        return highlighted_spans(value)
    if component == "dataframe":
        return dataframe(value)
    if component == "gallery":
        return gallery(value)
    if component == "annotatedimage":
        return annotated(value)
    if component == "chatbot":
        return chat_messages(value)
    if component == "file":
        return [_file(v) for v in value] if isinstance(value, list) else _file(value)
    if component in MEDIA:
        return unnamed(_file(value, component))
    return value


def _file(value: Any, family: str = "file") -> str:
    """A file the upstream fetched: a data URL (its type is the Space's word, as Gradio's)."""
    if not isinstance(value, str) or not value.startswith("data:"):
        raise ValueError(f"a {family} value is a file")
    return value


def gallery(value: Any) -> list[dict[str, Any]]:
    """A Gallery's [{image | video, caption}], each picture or film a data URL."""
    found = []
    for item in value:
        family = "video" if isinstance(item, dict) and "video" in item else "image"
        url = unnamed(_file(item[family], family))
        caption = item.get("caption")
        found.append({family: url, "caption": None if caption is None else str(caption)})
    return found


def annotated(value: Any) -> dict[str, Any]:
    """An AnnotatedImage's {image, annotations: [{image: mask, label}]} as the picture and its
    labelled masks (a mask is a PNG: painted where it is opaque and not black)."""
    segments = [
        {"label": str(note["label"]), "mask": unnamed(_file(note["image"], "image"))}
        for note in value["annotations"]
    ]
    return {"image": unnamed(_file(value["image"], "image")), "segments": segments}


def chat_messages(value: Any) -> list[dict[str, Any]]:
    """A Chatbot's conversation as [{role, content}]: content is the text, or OpenAI's parts
    when a turn holds a picture. Gradio 6's parts, Gradio 5's messages and tuples are read."""
    if value and all(isinstance(turn, (list, tuple)) for turn in value):  # [[user, bot], …]
        value = [
            {"role": role, "content": said}
            for pair in value
            for role, said in zip(("user", "assistant"), pair, strict=False)
            if said is not None
        ]
    found = []
    for turn in value:
        content = turn["content"]
        pieces = content if isinstance(content, list) else [content]
        parts = [_chat_part(piece) for piece in pieces]
        if all(p["type"] == "text" for p in parts):
            shown: Any = "\n".join(p["text"] for p in parts)
        else:
            shown = parts
        found.append({"role": str(turn["role"]), "content": shown})
    return found


def _chat_part(piece: Any) -> dict[str, Any]:
    if isinstance(piece, str):
        if piece.startswith("data:"):  # Gradio 5: a file as the whole content
            piece = {"type": "file", "file": piece}
        else:
            return {"type": "text", "text": piece}
    if isinstance(piece, dict) and piece.get("type") == "text":
        return {"type": "text", "text": str(piece.get("text", ""))}
    url = piece.get("file") if isinstance(piece, dict) else None
    if isinstance(url, dict):  # Gradio 5's {"file": {"path", "url"}}, fetched
        url = url.get("path") or url.get("url")
    if not (isinstance(url, str) and url.startswith("data:")):  # a component, a plot…
        kind = piece.get("type") if isinstance(piece, dict) else None
        return {"type": "text", "text": f"[{kind or 'a part'} that hubdemo does not show]"}
    if url.startswith("data:image/"):
        return {"type": "image_url", "image_url": {"url": unnamed(url)}}
    return {"type": "text", "text": f"[a file: {file_name(url) or url[5:].split(';')[0]}]"}


def dataframe(value: Any) -> dict[str, Any]:
    """A Dataframe's ``{headers, data}`` (gradio_client's form), checked: a header per column."""
    headers, rows = value["headers"], value["data"]
    if not isinstance(headers, list) or not isinstance(rows, list):
        raise ValueError("a Dataframe value has a list of headers and a list of rows")
    if any(not isinstance(row, list) or len(row) != len(headers) for row in rows):
        raise ValueError(f"a Dataframe row does not have its {len(headers)} columns")
    return {"headers": [str(h) for h in headers], "data": rows}


def table_shown(value: dict[str, Any]) -> dict[str, Any]:
    """The rows view's grid: column name -> the column's cells as text (a repeated name is
    numbered, so no column hides another)."""
    names: list[str] = []
    for header in value["headers"]:
        name, n = header, 2
        while name in names:
            name, n = f"{header} ({n})", n + 1
        names.append(name)
    table = {
        name: ["" if row[i] is None else str(row[i]) for row in value["data"]]
        for i, name in enumerate(names)
    }
    return {"table": table, "column": None, "values": None}


def highlighted_spans(value: Any) -> dict[str, Any]:
    """HighlightedText's [{token, class_or_confidence}] as the text with labelled spans (the
    entities view's shape); a numeric class is a confidence, shown as its label's score."""
    if isinstance(value, dict):  # {"text", "entities"} as some apps return it
        value = value.get("value", value)
    text, spans = "", []
    for piece in value:
        token, kind = str(piece["token"]), piece.get("class_or_confidence")
        if kind is not None:
            score = float(kind) if isinstance(kind, (int, float)) else 1.0
            label = "" if isinstance(kind, (int, float)) else str(kind)
            spans.append(
                {"label": label, "score": score, "start": len(text), "end": len(text) + len(token)}
            )
        text += token
    return {"text": text, "entities": spans}


def display_value(component: str, kind: str, value: Any, label: str) -> Any:
    if value is None:  # drawn as a line saying so, in place of the output's view
        return {"nothing": f"The Space answered nothing for {label}."}
    if kind == "labels":
        return o.label_bars(value, TaskInput(None))
    if kind == "entities":
        return value
    if kind == "rows":
        return table_shown(value)
    stem = label.lower().replace(" ", "-") or kind
    if kind in ("image", "audio", "video"):
        return file_shown(value, stem)
    if kind == "gallery":
        items = []
        for i, item in enumerate(value):
            family = "video" if "video" in item else "image"
            shown = file_shown(item[family], f"{stem}-{i + 1}")
            items.append({"kind": family, "caption": item["caption"], **shown})
        return {"items": items}
    if kind == "annotated":
        return {"image": file_shown(value["image"], stem), "segments": value["segments"]}
    if kind == "file":
        files = value if isinstance(value, list) else [value]
        return {"files": [file_listed(url, f"{stem}-{i + 1}") for i, url in enumerate(files)]}
    if kind == "chat":
        return {"messages": value}
    if component == "json" or not isinstance(value, str):
        return {"text": json.dumps(value, indent=2, ensure_ascii=False)}
    return {"text": value}  # Markdown and HTML too, as text: never as markup on this page


PREVIEW_CHARS = 2000  # of a text file answered, shown on the page


def file_listed(url: str, stem: str) -> dict[str, Any]:
    """A File output as the page lists it: under its own name, with the start of its text
    when it is a text file."""
    plain = unnamed(url)
    shown = file_shown(plain, stem)
    shown["name"] = file_name(url) or shown["name"]
    mime = shown["mime"]
    textual = mime.startswith("text/") or mime in ("application/json", "application/xml")
    if textual:
        head = decode_base64(plain.split(",", 1)[1][: PREVIEW_CHARS * 8 // 3 // 4 * 4], "file")
        shown["preview"] = head.decode("utf-8", errors="replace")[:PREVIEW_CHARS]
    return shown


class SpaceTask(TaskHandler):
    """The task of one Space endpoint; ``spec`` stays chat-free: nothing here reads hf-tasks."""

    def __init__(
        self,
        title: str,
        api_name: str,
        arguments: list[Argument],
        returns: list[Return],
        samples: list[Example] | None = None,
    ) -> None:
        inputs = [
            c.Component(
                a.name,
                MEDIA.get(a.component) or FILES.get(a.component) or TEXTS[a.component],
                a.label,
            )
            for a in arguments
            if a.kind == "input"
        ]
        outputs = [c.out(OUTPUTS[r.component], r.label) for r in returns]
        super().__init__(
            "space",
            title=title,
            action="Run",
            inputs=inputs,
            outputs=outputs,
            normalize=lambda payload: payload,
            display=lambda output, _: output,
            spec="space",
        )
        self.api_name = api_name
        self.arguments = arguments
        self.returns = returns
        self.samples = samples or []  # the Space's examples: inputs in order, and parameters

    # -- 1. preprocess ---------------------------------------------------------------------

    def preprocess(self, body: Json) -> TaskInput:
        if not isinstance(body, dict):
            raise InputError(
                'the request body must be a JSON object: {"data": [...]} or {"inputs": ...}'
            )
        given = body.get("parameters") or {}
        if not isinstance(given, dict):
            raise InvalidParameter('"parameters" must be a JSON object of name: value')
        controls = [a for a in self.arguments if a.kind == "parameter"]
        unknown = sorted(set(given) - {a.name for a in controls})
        if unknown:
            names = ", ".join(a.name for a in controls) or "none"
            raise InvalidParameter(
                f"{', '.join(unknown)}: not a parameter of this Space's {self.api_name} "
                f"(it takes: {names}); GET /api/info lists them"
            )
        values = self._input_values(body)
        self.check_text_size(list(values.values()))
        parameters = {a.name: a.convert(given[a.name]) for a in controls if a.name in given}
        return TaskInput(values, parameters)

    def _input_values(self, body: dict[str, Any]) -> dict[str, Any]:
        names = [a.name for a in self.arguments if a.kind == "input"]
        if "data" in body:
            data = body["data"]
            if not isinstance(data, list) or len(data) != len(names):
                raise InputError(
                    f'"data" must be a list of {len(names)} value(s), in this order: '
                    + ", ".join(names)
                )
            given = dict(zip(names, data, strict=True))
        elif "inputs" in body:
            inputs = body["inputs"]
            if len(names) == 1 and not (isinstance(inputs, dict) and names[0] in inputs):
                inputs = {names[0]: inputs}
            if not isinstance(inputs, dict):
                raise InputError(f'"inputs" must name each input: {{{", ".join(names)}}}')
            given = inputs
        else:
            raise InputError(f'the request body needs "data" (a list: {", ".join(names)})')
        values = {}
        for argument in (a for a in self.arguments if a.kind == "input"):
            value = given.get(argument.name)
            family = MEDIA.get(argument.component) or FILES.get(argument.component)
            if family and value in (None, "") and argument.has_default:
                continue
            if family == "file":
                values[argument.name] = parse_file(value, argument.name)
            elif family:
                values[argument.name] = parse_media(value, family, argument.name).data_url()
            else:
                if not isinstance(value, str) or (is_blank(value) and not argument.has_default):
                    raise InputError(f"{argument.name}: the text is empty; type something")
                values[argument.name] = value
        return values

    # -- 2. serialize: the endpoint's positional arguments ---------------------------------

    def serialize(self, task_input: TaskInput) -> WireRequest:
        args = []
        for argument in self.arguments:
            source = task_input.inputs if argument.kind == "input" else task_input.parameters
            args.append(source.get(argument.name, argument.default))
        return WireRequest(json={"api_name": self.api_name, "args": args})

    # -- 3 and 4 ---------------------------------------------------------------------------

    def deserialize(self, response: WireResponse) -> Json:
        from ..errors import UpstreamBadResponse

        values = parse_json(response)
        if not isinstance(values, list) or len(values) != len(self.returns):
            raise UpstreamBadResponse(
                f"the Space answered {len(values) if isinstance(values, list) else 1} value(s) "
                f"for {len(self.returns)} output(s)"
            )
        try:
            shown = [normalize_value(r.component, v) for r, v in zip(self.returns, values)]
        except (KeyError, TypeError, ValueError) as exc:
            raise UpstreamBadResponse(
                f"the Space's answer does not fit its outputs ({exc})"
            ) from None
        return shown[0] if len(shown) == 1 else shown

    def postprocess(self, output: Json, task_input: TaskInput) -> list[Json]:
        values = [output] if len(self.returns) == 1 else output
        return [
            display_value(r.component, component.kind, value, r.label)
            for r, component, value in zip(self.returns, self.outputs, values, strict=True)
        ]

    def controls(self) -> list[dict[str, Any]]:
        return [a.control() for a in self.arguments if a.kind == "parameter"]

    def chain(self) -> dict[str, str]:
        return {
            "preprocess": "SpaceTask.preprocess",
            "serialize": f"gradio_client predict(api_name={self.api_name!r})",
            "deserialize": "SpaceTask.deserialize",
            "postprocess": "SpaceTask.postprocess",
        }

    def api_document(self, info: dict[str, Any]) -> dict[str, Any]:
        """/openapi.json from the Space's components: its inputs by name, its controls with
        their ranges and choices, its outputs in hubdemo's form."""
        from ..openapi import openapi_from

        schemas = {"number": {"type": "number"}, "integer": {"type": "integer"}}
        properties: dict[str, Any] = {}
        for control in self.controls():
            kind = control["kind"]
            if kind == "boolean":
                schema: dict[str, Any] = {"type": "boolean"}
            elif kind == "choice":
                schema = {"enum": control["options"]}
            else:
                schema = dict(schemas[kind])
                schema.update({k: control[k] for k in ("minimum", "maximum") if k in control})
            properties[control["name"]] = {**schema, "description": control["description"]}
        parameters = {"type": "object", "properties": properties, "additionalProperties": False}
        names = [a.name for a in self.arguments if a.kind == "input"]
        native = {
            "type": "object",
            "required": ["inputs"],
            "properties": {
                "inputs": {
                    "type": "object",
                    "required": names,
                    "properties": {n: {"type": "string"} for n in names},
                }
                if len(names) > 1
                else {"type": "string"},
                "parameters": parameters,
            },
            "not": {"required": ["data"]},
        }
        outputs = [
            {"anyOf": [RETURN_SCHEMAS.get(OUTPUTS[r.component], {}), {"type": "null"}]}
            for r in self.returns
        ]
        output = outputs[0] if len(outputs) == 1 else {"type": "array", "prefixItems": outputs}
        return openapi_from(info, native, parameters, output)

    def examples(self, widget_data: Any, defaults: Any) -> list[Example]:
        """The Space's own examples (gr.Examples / Interface examples), text ones only."""
        return self.samples


class SpaceChatTask(SpaceTask):
    """A ChatInterface Space: hubdemo's chat demo, the answer streamed as the Space writes it.

    The Space keeps each conversation's history itself (in its session), so only the last user
    message and the endpoint's additional inputs go to it; upstream/space.py keeps one session
    per conversation. ``output`` is a chat-completion object, as for a chat model."""

    streams = True
    max_text_chars = 500_000

    def __init__(self, title: str, api_name: str, arguments: list[Argument]) -> None:
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

    def preprocess(self, body: Json) -> TaskInput:
        from .chat import check_messages

        if not isinstance(body, dict):
            raise InputError('the request body must be {"messages": [...]} or {"data": [...]}')
        given = body.get("parameters") or {}
        if not isinstance(given, dict):
            raise InvalidParameter('"parameters" must be a JSON object of name: value')
        if "messages" in body:
            messages = check_messages(body["messages"])
        elif isinstance(body.get("data"), list) and len(body["data"]) == 1:
            value = body["data"][0]
            listed = value if isinstance(value, list) else [{"role": "user", "content": value}]
            messages = check_messages(listed)
        else:
            raise InputError('the request body needs "messages" (the conversation) or "data"')
        for i, message in enumerate(messages):
            if not isinstance(message.get("content"), str):
                raise InputError(f"messages[{i}].content: this Space's chat takes text only")
        if messages[-1]["role"] != "user":
            raise InputError("the last message must be the user's: the Space answers it")
        self.check_text_size([m["content"] for m in messages])
        controls = {a.name: a for a in self.arguments[1:]}
        unknown = sorted(set(given) - set(controls))
        if unknown:
            raise InvalidParameter(
                f"{', '.join(unknown)}: not a parameter of this Space's {self.api_name} "
                f"(it takes: {', '.join(controls) or 'none'}); GET /api/info lists them"
            )
        return TaskInput(messages, {n: controls[n].convert(v) for n, v in given.items()})

    def serialize(self, task_input: TaskInput, stream: bool = False) -> WireRequest:
        messages = task_input.inputs
        extra = [task_input.parameters.get(a.name, a.default) for a in self.arguments[1:]]
        return WireRequest(
            json={
                "api_name": self.api_name,
                "args": [messages[-1]["content"], *extra],
                "history": messages[:-1],  # what the Space's session must already hold
                "stream": stream,
            },
            route="chat",
        )

    def deserialize(self, response: WireResponse) -> Json:
        return chat_completion(parse_json(response))

    def postprocess(self, output: Json, task_input: TaskInput) -> list[Json]:
        return [conversation(output, task_input)]

    def api_document(self, info: dict[str, Any]) -> dict[str, Any]:
        from ..openapi import openapi

        return openapi(info, "chat-completion")


def is_chat_interface(config: dict[str, Any], signature: dict[str, Any]) -> bool:
    """gr.ChatInterface: the app says so, and its endpoint takes the message as a Textbox
    first and answers one value."""
    parameters = signature["parameters"]
    return (
        config.get("mode") == "chat_interface"
        and bool(parameters)
        and kind_of(parameters[0]) == "textbox"
        and len(signature["returns"]) == 1
    )


def kind_of(entry: dict[str, Any]) -> str:
    return str(entry.get("component") or "").lower()


def drawable(
    parameters: list[dict[str, Any]], returns: list[dict[str, Any]], chat: bool = False
) -> list[str]:
    """What hubdemo cannot draw in an endpoint (empty: it can), as "Component (label)"."""
    if chat:  # the message, then additional inputs as controls (text ones too)
        usable = CONTROLS | set(TEXTS)
        return [
            f"{p['component']} ({p.get('label') or p.get('parameter_name')})"
            for p in parameters[1:]
            if kind_of(p) not in usable
        ]
    missing = [
        f"{p['component']} ({p.get('label') or p.get('parameter_name')})"
        for p in parameters
        if kind_of(p) not in {*MEDIA, *FILES, *TEXTS, *CONTROLS}
    ]
    missing += [
        f"{r['component']} ({r.get('label') or 'output'})"
        for r in returns
        if kind_of(r) not in OUTPUTS
    ]
    kinds = [OUTPUTS.get(kind_of(r)) for r in returns]
    if len(kinds) != len(set(kinds)):
        missing.append("two outputs drawn alike (hubdemo draws one of each kind)")
    if not returns:
        missing.append("no output")
    return missing


def _arguments(signature: dict[str, Any], props: list[dict[str, Any]]) -> list[Argument]:
    arguments = []
    for position, parameter in enumerate(signature["parameters"]):
        component = kind_of(parameter)
        name = str(parameter.get("parameter_name") or f"input_{position}")
        arguments.append(
            Argument(
                name=name,
                label=str(parameter.get("label") or name),
                component=component,
                kind="parameter" if component in CONTROLS else "input",
                has_default=bool(parameter.get("parameter_has_default")),
                default=parameter.get("parameter_default"),
                props=props[position] if position < len(props) else {},
            )
        )
    return arguments


def space_task(
    title: str,
    api_name: str,
    signature: dict[str, Any],
    props_by_position: list[dict[str, Any]],
    examples: list[list[Any]] | None = None,
    chat: bool = False,
) -> SpaceTask:
    """The task of endpoint ``api_name`` from its view_api signature and its input
    components' config props (in the endpoint's order); ``chat``: a ChatInterface."""
    missing = drawable(signature["parameters"], signature["returns"], chat)
    if missing:
        raise UnsupportedSpace(f"{api_name} has what hubdemo cannot draw: {', '.join(missing)}")
    arguments = _arguments(signature, props_by_position)
    if chat:
        extra = [replace(a, kind="parameter") for a in arguments[1:]]
        return SpaceChatTask(title, api_name, [arguments[0], *extra])
    if not any(a.kind == "input" for a in arguments):
        raise UnsupportedSpace(f"{api_name} takes no text or media input to draw a form for")
    returns = [Return(str(r.get("label") or "output"), kind_of(r)) for r in signature["returns"]]
    positions = [i for i, a in enumerate(arguments) if a.kind == "input"]
    samples = [
        _example(row, arguments, positions)
        for row in examples or []
        if len(row) == len(arguments) and all(_offered(arguments[i], row[i]) for i in positions)
    ]
    return SpaceTask(title, api_name, arguments, returns, samples)


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
    shown = [f"example {v[5:].split('/')[0]}" if v.startswith("data:") else v for v in data]
    return Example(short(" · ".join(shown)), data, parameters)
