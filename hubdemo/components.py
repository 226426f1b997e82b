"""Input and output components: what the page draws and what ``/api/info`` lists.

A component is a description, not code: the template partial ``partials/<kind>.html`` draws it
and ``static/app.js`` fills it. Tasks share components; the registry test checks that every kind
has its partial.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

INPUT_KINDS = (
    "text", "textarea", "image", "audio", "video", "file", "labels", "sentences", "table", "chat",
)  # fmt: skip
OUTPUT_KINDS = (
    "labels",
    "entities",
    "answer",
    "text",
    "boxes",
    "embedding",
    "similarity",
    "image",
    "audio",
    "video",
    "tracks",
    "segments",
    "table",
    "rows",
    "chat",
    "gallery",
    "annotated",
    "file",
)


@dataclass(frozen=True)
class Component:
    """One input control or one output view."""

    name: str
    kind: str
    label: str
    placeholder: str = ""
    optional: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


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
