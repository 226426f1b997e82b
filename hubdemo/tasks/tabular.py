"""tabular-classification and tabular-regression: a table of rows in, one prediction per row out.

hf-tasks has no spec for them: the wire form is huggingface.js's (``{"inputs": {"data": {column:
[cells]}}}`` in, a list with one label or number per row out) and the schemas are written for
hubdemo (schemas.OWN_SPECS). The page shows each prediction beside its row.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import UpstreamBadResponse
from ..wire import Json, WireRequest
from .base import TaskHandler, TaskInput
from .table_question import read_table


class TabularTask(TaskHandler):
    max_text_chars = 1_000_000  # every cell of the table counts

    def check_inputs(self, inputs: Any) -> dict[str, list[str]]:
        if isinstance(inputs, dict) and set(inputs) == {"data"}:  # the wire's own form
            inputs = inputs["data"]
        return read_table(inputs, self.inputs[0].name)

    def serialize(self, task_input: TaskInput) -> WireRequest:
        body: dict[str, Any] = {"inputs": {"data": task_input.inputs}}
        if task_input.parameters:
            body["parameters"] = task_input.parameters
        return WireRequest(json=body, route=self.route)

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        table = widget.get("structured_data")
        return [table] if isinstance(table, dict) else None

    def postprocess(self, output: Json, task_input: TaskInput) -> list[Json]:
        rows = len(next(iter(task_input.inputs.values())))
        if len(output) != rows:
            raise UpstreamBadResponse(
                f"the endpoint answered {len(output)} predictions for {rows} rows; check that "
                f"the model really is a {self.name} model"
            )
        return [{"table": task_input.inputs, "column": self.outputs[0].label, "values": output}]


def _predictions(payload: Json, numbers_only: bool) -> list[Any]:
    if not isinstance(payload, list) or not payload:
        raise TypeError("expected a list with one prediction per row")
    for value in payload:
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if is_number and not math.isfinite(value):
            raise ValueError(f"{value} is not a number")
        if not is_number and (numbers_only or not isinstance(value, str)):
            raise TypeError(f"{value!r} is not a {'number' if numbers_only else 'label'}")
    return payload


def row_labels(payload: Json) -> Json:
    """One class per row: a label, or the class's number."""
    return _predictions(payload, numbers_only=False)


def row_values(payload: Json) -> Json:
    """One number per row."""
    return _predictions(payload, numbers_only=True)


def beside_rows(output: Json, _: TaskInput) -> Json:
    """(The chain's name for TabularTask.postprocess.)"""
    return output
