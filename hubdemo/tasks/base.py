"""The task handler: the four steps of one prediction (docs/design.md §1) and the task's components.

A handler runs, in order::

    1. preprocess   request body ({"data": [...]} or the task's own {"inputs", "parameters"})
                    -> TaskInput, validated
    2. serialize    TaskInput -> WireRequest for the upstream
    3. deserialize  2xx WireResponse -> output normalized to hf-tasks/<task>/output.json
    4. postprocess  normalized output -> display values, one per output component

Tasks that behave alike are parametrised instances of one subclass; a subclass overrides only
the hooks that differ (each hook's docstring says whether that is usual).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import jsonio
from ..components import Component
from ..errors import InputError, InvalidParameter, PayloadTooLarge, UpstreamBadResponse
from ..parameters import parameter_controls
from ..schemas import coerce_parameters, parameter_errors
from ..wire import Json, WireRequest, WireResponse

Normalizer = Callable[[Json], Json]

# Texts one batch request ({"inputs": ["a", "b", ...]}) may carry: the router runs a list as one
# batch, and one request must not hold a model for minutes.
MAX_BATCH = 256


@dataclass(frozen=True)
class TaskInput:
    """A validated prediction input: the task's ``inputs`` and its ``parameters``."""

    inputs: Any
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Example:
    """One clickable example: a title and the values of the input components, in order (and
    the parameters it sets, when it sets any: a Space's gr.Examples row)."""

    title: str
    data: list[Any]
    parameters: dict[str, Any] = field(default_factory=dict)


def short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TaskHandler:
    """Base handler for a task whose input is one text and whose wire form is JSON."""

    # Whether the answer can come as it is written (chat): see serialize_stream.
    streams = False
    partials = False  # streams progress and partial answers instead (a Space's endpoint)

    # Characters of text one request may carry (README, "Limits"); tasks with long inputs
    # (chat histories, tables) raise it.
    max_text_chars = 100_000

    def __init__(
        self,
        name: str,
        *,
        title: str,
        action: str,
        inputs: Sequence[Component],
        outputs: Sequence[Component],
        normalize: Normalizer,
        display: Callable[[Json, TaskInput], Json],
        route: str = "",
        spec: str | None = None,
        batches: bool = False,
    ) -> None:
        self.name = name
        self.title = title
        self.action = action  # the primary button's label: says what happens
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self.route = route
        self.spec = spec or name  # the hf-tasks folder whose schemas this task follows
        # {"inputs": [texts]} is one batch, answered with one result per text (the router's
        # pipelines take lists; only feature-extraction's schema says so).
        self.batches = batches
        self._normalize = normalize
        self._display = display

    # -- 1. preprocess ---------------------------------------------------------------------

    def preprocess(self, body: Json) -> TaskInput:
        """Validate a request body of either form, then its parameters against the task's
        input.json (unknown names, types, enums, ranges): 422 naming the parameter."""
        return self.checked(self.parse(body))

    def checked(self, task_input: TaskInput) -> TaskInput:
        """``task_input`` with its text size and parameters checked (see ``preprocess``)."""
        self.check_text_size(task_input.inputs)
        errors = parameter_errors(self.spec, task_input.parameters)
        if errors:
            raise InvalidParameter(f"{errors[0]}; GET /api/info lists the task's parameters")
        if task_input.parameters:
            return TaskInput(task_input.inputs, coerce_parameters(self.spec, task_input.parameters))
        return task_input

    def check_text_size(self, inputs: Any) -> None:
        """413 when the texts of ``inputs`` (data URLs aside) pass ``max_text_chars``: a 5 MB
        string is no sentence, and the upstream would truncate or refuse it after a long wait."""
        total = text_chars(inputs)
        if total > self.max_text_chars:
            raise PayloadTooLarge(
                f"the text is {total:,} characters; {self.name} takes at most "
                f"{self.max_text_chars:,}: shorten it"
            )

    def parse(self, body: Json) -> TaskInput:
        """Read a body of either form. Rarely overridden: see the two hooks below."""
        if not isinstance(body, dict):
            raise InputError(
                'the request body must be a JSON object: {"data": [...]} or {"inputs": ...}'
            )
        parameters = self.parameters_from(body)
        if "data" in body:
            values = body["data"]
            if not isinstance(values, list) or len(values) != len(self.inputs):
                names = ", ".join(c.name for c in self.inputs)
                raise InputError(
                    f'"data" must be a list of {len(self.inputs)} value(s), in this order: {names}'
                )
            return TaskInput(self.inputs_from_data(values), parameters)
        if "inputs" in body:
            return TaskInput(self.check_inputs(body["inputs"]), parameters)
        raise InputError(
            f'the request body needs "data" (a list: {", ".join(c.name for c in self.inputs)}) '
            'or "inputs" (the task\'s own input)'
        )

    def parameters_from(self, body: dict[str, Any]) -> dict[str, Any]:
        """Read ``parameters``; overridden where the task keeps them at the top level."""
        parameters = body.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise InvalidParameter('"parameters" must be a JSON object of name: value')
        return dict(parameters)

    def inputs_from_data(self, values: list[Any]) -> Any:
        """Turn the UI values (in component order) into the task's ``inputs``. Usually overridden
        by tasks with more than one input."""
        return self.check_inputs(values[0])

    def check_inputs(self, inputs: Any) -> Any:
        """Validate the task's own ``inputs``; the default wants non-empty text, or for a task
        that ``batches``, a list of them."""
        name = self.inputs[0].name
        if self.batches and isinstance(inputs, list):
            if not inputs:
                raise InputError(f"{name}: the list of texts is empty; give at least one")
            if len(inputs) > MAX_BATCH:
                raise PayloadTooLarge(
                    f"{name}: {len(inputs)} texts in one request; at most {MAX_BATCH}: send "
                    "them in smaller groups"
                )
            return [require_text(text, f"{name}[{i}]") for i, text in enumerate(inputs)]
        if isinstance(inputs, list) and not self.batches:
            raise InputError(f"{name}: expected one text; {self.name} takes one per request")
        return require_text(inputs, name)

    def is_batch(self, task_input: TaskInput) -> bool:
        return self.batches and isinstance(task_input.inputs, list)

    # -- 2. serialize ----------------------------------------------------------------------

    def serialize(self, task_input: TaskInput) -> WireRequest:
        """The router's JSON form. Overridden by media tasks (raw bytes) and top-level params."""
        body: dict[str, Any] = {"inputs": task_input.inputs}
        if task_input.parameters:
            body["parameters"] = task_input.parameters
        return WireRequest(json=body, route=self.route)

    def serialize_stream(self, task_input: TaskInput) -> WireRequest:
        """The request for an answer streamed as it is written; only tasks that ``streams``
        override it."""
        raise InputError(
            f"streaming (?stream=true) is offered for chat models; this {self.name} model "
            "answers in one piece: drop ?stream=true"
        )

    def read_request(self, request: WireRequest) -> TaskInput:
        """The inverse of serialize: what an in-process backend or ``hubdemo endpoint`` gets.
        Overridden by media tasks, whose wire body may be the raw file."""
        body = request.json
        if request.content is not None:
            try:
                body = jsonio.loads(request.content)
            except (ValueError, UnicodeDecodeError):
                raise InputError(
                    f'{self.name} takes a JSON body: {{"inputs": ..., "parameters": {{...}}}}'
                ) from None
        return self.preprocess(body)

    # -- 3. deserialize --------------------------------------------------------------------

    def deserialize(self, response: WireResponse) -> Json:
        """Parse a 2xx answer and undo the wire quirks; the normalizer is the usual override."""
        payload = parse_json(response)
        try:
            return self._normalize(payload)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise UpstreamBadResponse(
                f"the endpoint's answer is not a {self.name} result ({exc}); check that the "
                f"model really is a {self.name} model, or pass the right --task"
            ) from None

    def deserialize_batch(self, response: WireResponse, count: int) -> list[Json]:
        """A batch's answer: the router's list, one result per text, each normalized."""
        payload = parse_json(response)
        if not isinstance(payload, list) or len(payload) != count:
            got = f"{len(payload)} results" if isinstance(payload, list) else "one result"
            raise UpstreamBadResponse(
                f"the endpoint answered {got} for {count} texts; it may not take lists: send "
                "one text per request"
            )
        try:
            return [self._normalize(item) for item in payload]
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise UpstreamBadResponse(
                f"the endpoint's answer is not a list of {self.name} results ({exc})"
            ) from None

    # -- 4. postprocess --------------------------------------------------------------------

    def postprocess(self, output: Json, task_input: TaskInput) -> list[Json]:
        """Display values for the output components."""
        return [self._display(output, task_input)]

    def postprocess_batch(self, outputs: list[Json], task_input: TaskInput) -> list[Json]:
        """A batch's display values: per output component, one value per text."""
        each = [
            self.postprocess(output, TaskInput(text, task_input.parameters))
            for output, text in zip(outputs, task_input.inputs, strict=True)
        ]
        return [list(values) for values in zip(*each, strict=True)]

    # -- examples --------------------------------------------------------------------------

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        """The input values of one card ``widget:`` entry, or None when it does not fit."""
        value = widget.get("text")
        return [value] if isinstance(value, str) else None

    def examples(
        self, widget_data: Sequence[dict[str, Any]], defaults: Sequence[Any]
    ) -> list[Example]:
        """The card's examples, else (none of them fits this task's inputs) the Hub's defaults."""
        defaults_as_widgets = [d if isinstance(d, dict) else {"text": d} for d in defaults]
        for source in (list(widget_data), defaults_as_widgets):
            examples = []
            for widget in source:
                data = self.example_from_widget(widget)
                if data is not None:
                    texts = [d for d in data if isinstance(d, str) and not d.startswith("data:")]
                    title = widget.get("example_title") or short(texts[0] if texts else "example")
                    examples.append(Example(title=str(title), data=data))
            if examples:
                return examples
        return []

    def api_document(self, info: dict[str, Any]) -> dict[str, Any]:
        """``GET /openapi.json`` for this task (``info``: the /api/info object)."""
        from ..openapi import openapi

        return openapi(info, self.spec)

    def describe(self) -> dict[str, Any]:
        return {
            "task": self.name,
            "title": self.title,
            "action": self.action,
            "max_text_chars": self.max_text_chars,
            "inputs": [c.to_json() for c in self.inputs],
            "outputs": [c.to_json() for c in self.outputs],
            "parameters": self.controls(),
            "chain": self.chain(),
        }

    def controls(self) -> list[dict[str, Any]]:
        """The page's parameter controls (parameters.py), from the task's spec."""
        return parameter_controls(self.spec, {c.name for c in self.inputs})

    def chain(self) -> dict[str, str]:
        """What runs each of the four steps, as describe shows it."""
        return {
            "preprocess": f"{type(self).__name__}.preprocess",
            "serialize": f"{type(self).__name__}.serialize",
            "deserialize": getattr(self._normalize, "__name__", "normalize"),
            "postprocess": getattr(self._display, "__name__", "display"),
        }


# What JSON Schema's (ECMAScript's) \s matches. /openapi.json promises that text needs one
# character besides these; Python's str.strip() would also drop \x1c-\x1f and \x85.
BLANK = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def is_blank(text: str) -> bool:
    return not text.strip(BLANK)


def texts_in(value: Any) -> Iterator[str]:
    """The texts of a task input: its strings, in lists and objects (data URLs are media)."""
    if isinstance(value, str):
        if not value.startswith("data:"):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from texts_in(item)


def text_chars(value: Any) -> int:
    return sum(len(text) for text in texts_in(value))


def count_texts(value: Any) -> int:
    return sum(1 for _ in texts_in(value))


def require_text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{field}: expected text, got {type(value).__name__}")
    if is_blank(value):
        raise InputError(f"{field}: the text is empty; type something")
    return value


def parse_json(response: WireResponse) -> Json:
    if response.payload is not None:
        return response.payload
    try:
        return jsonio.loads(response.body)
    except (jsonio.JSONTooDeep, jsonio.NotUnicode) as exc:
        raise UpstreamBadResponse(f"the endpoint's answer is not a usable result: {exc}") from None
    except (ValueError, UnicodeDecodeError):
        kind = response.content_type.split(";")[0].strip() or "no content type"
        raise UpstreamBadResponse(
            f"the endpoint answered {kind} that is not JSON ({len(response.body)} bytes); "
            "check that --endpoint/--router point at a Hugging Face inference endpoint"
        ) from None
