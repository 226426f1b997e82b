"""A Gradio Space's endpoint as a task: its components mapped to hubdemo's, not rebuilt.

The endpoint's parameters (from gradio_client's ``view_api`` and the app's config) become
hubdemo inputs (text and media) or parameter controls (numbers, sliders, checkboxes, dropdowns,
radios) carrying the Gradio label and parameter name; its returns become output components. A
request is read in either body form, converted to each component's type (a slider given "3"
is 3), and sent as the endpoint's positional arguments; the answer's values are normalized
(values.py) and drawn by the matching output kind (display.py).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .. import components as c
from ..components import OUTPUT_KINDS
from ..errors import HubdemoError, InputError, InvalidParameter, UpstreamBadResponse
from ..media import parse_file, parse_media
from ..openapi import openapi_from
from ..tasks.base import Example, TaskHandler, TaskInput, is_blank, parse_json
from ..wire import Json, WireRequest, WireResponse
from .components import (
    FILES,
    MEDIA,
    OUTPUTS,
    TEXTS,
    Argument,
    Return,
)
from .display import display_value
from .values import normalize_value


class SpaceTask(TaskHandler):
    """The task of one Space endpoint; ``spec`` stays chat-free: nothing here reads hf-tasks.
    ``?stream=true`` streams its gr.Progress and a generator's partial answers."""

    partials = True

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
                placeholder=str(a.props.get("placeholder") or ""),
                # A text box starts with its default, as on the Space's own page.
                value=a.default if a.component in TEXTS and isinstance(a.default, str) else None,
                multiple=a.multiple,
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
        # cache_examples=True: the endpoint answering a gr.Examples row from the Space's
        # cache (config.example_loader), and the rows, by the arguments they send.
        self.example_loader: str | None = None
        self.example_rows: list[list[Any]] = []
        self._cached: dict[str, int] | None = None

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
        values: dict[str, Any] = {}
        for argument in (a for a in self.arguments if a.kind == "input"):
            value = given.get(argument.name)
            family = MEDIA.get(argument.component) or FILES.get(argument.component)
            if family and value in (None, "", []) and argument.has_default:
                continue
            if argument.multiple:  # a list of files (one alone is taken as a list of one)
                listed = value if isinstance(value, list) else [value]
                if not listed:
                    raise InputError(f"{argument.name}: give at least one file")
                values[argument.name] = [
                    parse_file(v, f"{argument.name}[{i}]") for i, v in enumerate(listed)
                ]
            elif family == "file":
                values[argument.name] = parse_file(value, argument.name)
            elif family:
                values[argument.name] = parse_media(value, family, argument.name).data_url()
            else:
                if value is None and isinstance(argument.default, str):
                    value = argument.default  # left out: what the Space's page starts with
                if not isinstance(value, str) or (is_blank(value) and not argument.has_default):
                    raise InputError(f"{argument.name}: the text is empty; type something")
                values[argument.name] = value
        return values

    # -- 2. serialize: the endpoint's positional arguments ---------------------------------

    def serialize(self, task_input: TaskInput) -> WireRequest:
        args = self._arguments(task_input)
        if self.example_loader is not None:  # an example the Space already answered
            row = self.cached_rows().get(_key(args))
            if row is not None:
                return WireRequest(json={"api_name": self.example_loader, "args": [row]})
        return WireRequest(json={"api_name": self.api_name, "args": args})

    def _arguments(self, task_input: TaskInput) -> list[Any]:
        args = []
        for argument in self.arguments:
            source = task_input.inputs if argument.kind == "input" else task_input.parameters
            args.append(source.get(argument.name, argument.default))
        return args

    def cached_rows(self) -> dict[str, int]:
        """The Space's cached examples by the arguments a request for one sends (read as any
        request is: a slider given "3" is 3), to their row's number; rows that do not read
        are left out."""
        if self._cached is None:
            self._cached = {}
            for number, row in enumerate(self.example_rows):
                inputs = [v for a, v in zip(self.arguments, row, strict=True) if a.kind == "input"]
                given = {
                    a.name: v
                    for a, v in zip(self.arguments, row, strict=True)
                    if a.kind == "parameter" and v is not None
                }
                try:
                    read = self.preprocess({"data": inputs, "parameters": given})
                except HubdemoError:
                    continue
                self._cached.setdefault(_key(self._arguments(read)), number)
        return self._cached

    # -- 3 and 4 ---------------------------------------------------------------------------

    def deserialize(self, response: WireResponse) -> Json:
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
            {"anyOf": [OUTPUT_KINDS[OUTPUTS[r.component]].space_schema or {}, {"type": "null"}]}
            for r in self.returns
        ]
        output = outputs[0] if len(outputs) == 1 else {"type": "array", "prefixItems": outputs}
        return openapi_from(info, native, parameters, output)

    def examples(self, widget_data: Any, defaults: Any) -> list[Example]:
        """The Space's own examples (gr.Examples / Interface examples), text ones only."""
        return self.samples


def _key(args: list[Any]) -> str:
    return hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()
