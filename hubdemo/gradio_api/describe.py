"""The app as Gradio's clients read it: ``GET /config`` and ``GET /gradio_api/info``.

One endpoint, ``/predict`` (a chat model's is also named ``/chat``; a compare demo's: one per
model, named after it, each with the same form): hubdemo's inputs in
``/api/info`` order, then the task's parameters, all with defaults; its outputs (one for a
model, each of a Space's), each declared as the Gradio component of its kind
(hubdemo/components.py's table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..components import OUTPUT_KINDS

# A version gradio_client reads its API description from (/info, not the Space fetcher: any
# version past 3.36.1) and cancels on (past 4.29).
GRADIO_VERSION = "5.0.0"
FILE_TYPES = {"image": "Image", "audio": "Audio", "video": "Video", "file": "File"}
FILE_DATA = {
    "type": "object",
    "properties": {
        "path": {"type": "string"},
        "url": {"type": ["string", "null"]},
        "meta": {"type": "object", "properties": {"_type": {"const": "gradio.FileData"}}},
    },
    "required": ["path"],
}


@dataclass(frozen=True)
class Endpoint:
    """The one endpoint, from the demo's /api/info object."""

    title: str
    inputs: list[dict[str, Any]]
    controls: list[dict[str, Any]]  # the parameters that take one value (not "a.b" settings)
    outputs: list[dict[str, Any]]
    chat: bool  # a generator that streams the reply, named /predict and /chat
    named: tuple[str, ...] = ()  # a compare demo's: one name per model

    @classmethod
    def of(cls, info: dict[str, Any], chat: bool, named: tuple[str, ...] = ()) -> Endpoint:
        return cls(
            title=f"{info['model']} · hubdemo",
            inputs=list(info["inputs"]),
            controls=[c for c in info["parameters"] if "." not in c["name"]],
            outputs=list(info["outputs"]),
            chat=chat,
            named=named,
        )

    @property
    def names(self) -> list[str]:
        if self.named:
            return list(self.named)
        return ["predict", "chat"] if self.chat else ["predict"]

    @property
    def returns(self) -> list[tuple[str, str]]:
        """Each output's Gradio component type and label (a chat's reply is text)."""
        if self.chat:
            return [("textbox", "Response")]
        return [(OUTPUT_KINDS[o["kind"]].gradio, str(o["label"])) for o in self.outputs]


def config(endpoint: Endpoint) -> dict[str, Any]:
    """``GET /config``: the components and the dependency of each name."""
    components = []
    for i, component in enumerate(endpoint.inputs, start=1):
        kind = component["kind"]
        entry: dict[str, Any] = {
            "id": i,
            "type": FILE_TYPES.get(kind, "Textbox").lower(),
            "props": {"label": component["label"], "name": component["name"]},
        }
        if kind in FILE_TYPES:
            entry["api_info"] = FILE_DATA  # gradio_client uploads what fits this
        components.append(entry)
    first = len(endpoint.inputs) + 1
    for j, control in enumerate(endpoint.controls, start=first):
        components.append({"id": j, "type": "textbox", "props": {"label": control["name"]}})
    inputs = list(range(1, len(components) + 1))
    for kind, label in endpoint.returns:
        output: dict[str, Any] = {
            "id": len(components) + 1,
            "type": kind,
            "props": {"label": label},
        }
        if kind in ("image", "audio", "video"):
            output["api_info"] = FILE_DATA
        components.append(output)
    outputs = list(range(len(inputs) + 1, len(components) + 1))
    return {
        "version": GRADIO_VERSION,
        "mode": "interface",
        "title": endpoint.title,
        "protocol": "sse_v3",
        "api_prefix": "/gradio_api",
        "connect_heartbeat": False,
        "enable_queue": True,
        "show_error": True,
        "components": components,
        "dependencies": [
            {
                "id": fn_index,
                "api_name": name,
                "inputs": inputs,
                "outputs": outputs,
                "backend_fn": True,
                "queue": True,
                "api_visibility": "public",
                "types": {"generator": endpoint.chat, "cancel": False},
            }
            for fn_index, name in enumerate(endpoint.names)
        ],
    }


def api_info(endpoint: Endpoint) -> dict[str, Any]:
    """``GET /gradio_api/info``: each name's parameters and returns."""
    parameters = [_input(component) for component in endpoint.inputs]
    parameters += [_control(control) for control in endpoint.controls]
    returns = [
        {
            "label": label,
            "type": FILE_DATA if kind in ("image", "audio", "video") else {},
            "python_type": {"type": "Any", "description": ""},
            "component": kind.capitalize(),
        }
        for kind, label in endpoint.returns
    ]
    described = {"parameters": parameters, "returns": returns}
    names = [f"/{name}" for name in endpoint.names]
    return {"named_endpoints": dict.fromkeys(names, described), "unnamed_endpoints": {}}


def _input(component: dict[str, Any]) -> dict[str, Any]:
    is_file = component["kind"] in FILE_TYPES
    return {
        "label": component["label"],
        "parameter_name": component["name"],
        "parameter_has_default": bool(component.get("optional")),
        "parameter_default": None,
        "type": FILE_DATA if is_file else {"type": "string"},
        "python_type": {
            "type": "filepath" if is_file else "str",
            "description": "a file path or URL" if is_file else "",
        },
        "component": FILE_TYPES.get(component["kind"], "Textbox"),
        "example_input": None if is_file else "Hello!!",
    }


def _control(control: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": control["name"],
        "parameter_name": control["name"],
        "parameter_has_default": True,
        "parameter_default": None,
        "type": {},
        "python_type": {"type": "Any", "description": control.get("description", "")},
        "component": "Textbox",
        "example_input": control.get("default"),
    }
