"""A Space endpoint's components, read from gradio_client's ``view_api`` and the app's config:
which are inputs, which are parameter controls, which outputs hubdemo can draw and as what.

Gradio component types are named as view_api names them, lower-cased ("json", "html",
"model3d").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidParameter

# Gradio component types, as view_api names them, lower-cased ("Json", "Html", "Model3d").
MEDIA = {"image": "image", "audio": "audio", "video": "video"}


FILES = {"file": "file"}  # a file of any kind, sent under its own name


TEXTS = {"textbox": "textarea", "textarea": "textarea", "code": "textarea"}


CONTROLS = {"number", "slider", "checkbox", "dropdown", "radio"}


OUTPUTS = {
    "label": "labels", "textbox": "text", "textarea": "text", "markdown": "text",
    "html": "text", "number": "text", "slider": "text", "json": "text", "code": "text",
    "image": "image",
    "audio": "audio", "video": "video", "highlightedtext": "entities", "dataframe": "rows",
    "gallery": "gallery", "annotatedimage": "annotated", "file": "file", "chatbot": "chat",
}  # fmt: skip


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

    @property
    def multiple(self) -> bool:
        """A File input that takes several files (``file_count="multiple"`` or a folder)."""
        return self.component in FILES and self.props.get("file_count") in ("multiple", "directory")

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


def is_chat_interface(config: dict[str, Any], signature: dict[str, Any]) -> bool:
    """gr.ChatInterface: the app says so, and its endpoint takes the message as a Textbox
    first and answers one value."""
    parameters = signature["parameters"]
    return (
        config.get("mode") == "chat_interface"
        and bool(parameters)
        and kind_of(parameters[0]) in ("textbox", "multimodaltextbox")
        and len(signature["returns"]) == 1
    )


def is_blocks_chat(signature: dict[str, Any]) -> bool:
    """A chatbot built with gr.Blocks: one Chatbot among its inputs (the history), one among
    its outputs (the history with the reply), at most one text input (the message) and
    otherwise controls. Its other outputs (the message box, cleared) are not shown."""
    kinds = [kind_of(p) for p in signature["parameters"]]
    others = [k for k in kinds if k != "chatbot"]
    returned = [kind_of(r) for r in signature["returns"]]
    return (
        kinds.count("chatbot") == 1
        and returned.count("chatbot") == 1
        and sum(k in TEXTS for k in others) <= 1
        and all(k in CONTROLS or k in TEXTS for k in others)
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
    if not any(kind_of(p) in {*MEDIA, *FILES, *TEXTS} for p in parameters):
        missing.append("no input (hubdemo draws a form for a text or a file)")
    if not returns:
        missing.append("no output")
    return missing


def arguments_of(signature: dict[str, Any], props: list[dict[str, Any]]) -> list[Argument]:
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
