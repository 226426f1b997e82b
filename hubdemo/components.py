"""Input and output components: what the page draws and what ``/api/info`` lists; and the
table of output kinds, each drawn, printed and converted the same way everywhere.

A component is a description, not code: the template partial ``partials/<kind>.html`` draws it
and the page's scripts fill it. An output kind lives in these places, all named by the kind and
checked for every kind by tests/unit/test_registry.py (adding a kind is that checklist):

    templates/partials/output_<kind>.html   the view on the page
    templates/static/renderers.js           renderers.<kind>: fills the view with a display value
    hubdemo/cli/render.py                   RENDERERS[<kind>]: prints it on a terminal
    OUTPUT_KINDS[<kind>].gradio             the component hubdemo's Gradio API declares for it
                                            (gradio_api/values.py converts the answer to it)
    OUTPUT_KINDS[<kind>].space_schema       a Space output drawn as this kind: its value's schema
                                            (None: no Space component is drawn as this kind)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

INPUT_KINDS = (
    "text", "textarea", "image", "audio", "video", "file", "labels", "sentences", "table", "chat",
)  # fmt: skip
DATA_URL_SCHEMA = {"type": "string", "description": "a data URL"}

# The value of a Space output drawn as each kind (its /openapi.json and smoke check it).
SPACE_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": {},  # any JSON: a Textbox's text, a Number's number, a JSON component's value
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
class OutputKind:
    """One way of showing an output (see the module docstring for where it lives)."""

    name: str
    gradio: str = "json"  # "json": Gradio's clients get the normalized output as JSON
    space_schema: dict[str, Any] | None = field(default=None, compare=False)


def _kind(name: str, gradio: str = "json") -> OutputKind:
    return OutputKind(name, gradio, SPACE_SCHEMAS.get(name))


OUTPUT_KINDS: dict[str, OutputKind] = {
    kind.name: kind
    for kind in (
        _kind("labels", "label"),
        _kind("entities", "highlightedtext"),
        _kind("answer"),
        _kind("text", "textbox"),
        _kind("boxes"),
        _kind("embedding"),
        _kind("similarity"),
        _kind("image", "image"),
        _kind("audio", "audio"),
        _kind("video", "video"),
        _kind("tracks"),
        _kind("segments"),
        _kind("table"),
        _kind("rows"),
        _kind("chat"),
        _kind("gallery"),
        _kind("annotated"),
        _kind("file"),
    )
}


@dataclass(frozen=True)
class Component:
    """One input control or one output view."""

    name: str
    kind: str
    label: str
    placeholder: str = ""
    optional: bool = False
    value: Any = None  # what the input starts with (a Space's default text); None: empty
    multiple: bool = False  # a file input that takes several files (a list of data URLs)

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        if found["value"] is None:
            del found["value"]
        if not found["multiple"]:
            del found["multiple"]
        return found


def text(name: str = "text", label: str = "Text", placeholder: str = "") -> Component:
    return Component(name, "textarea", label, placeholder)


def line(name: str, label: str, placeholder: str = "") -> Component:
    return Component(name, "text", label, placeholder)


def image(name: str = "image", label: str = "Image") -> Component:
    return Component(name, "image", label)


def audio(name: str = "audio", label: str = "Audio") -> Component:
    return Component(name, "audio", label)


def video(name: str = "video", label: str = "Video") -> Component:
    return Component(name, "video", label)


def out(kind: str, label: str) -> Component:
    return Component("output", kind, label)
