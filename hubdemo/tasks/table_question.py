"""table-question-answering: a table and a question in; the answer and its cells out.

The spec calls the question "question"; the router still takes "query": the serializer
translates (docs/design.md §3). A table is {column: [cell, ...]} with columns of equal length; the
page's editable grid sends that, and CSV text (first line the headers) is accepted too.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..errors import InputError
from ..wire import Json, WireRequest
from .base import TaskHandler, TaskInput, require_text


def read_table(value: Any, field: str = "table") -> dict[str, list[str]]:
    if isinstance(value, str):
        rows = [row for row in csv.reader(io.StringIO(value.strip())) if row]
        if len(rows) < 2:
            raise InputError(f"{field}: give a header line and at least one row (CSV)")
        value = {name: [row[i] if i < len(row) else "" for row in rows[1:]]
                 for i, name in enumerate(rows[0])}  # fmt: skip
    if not isinstance(value, dict) or not value:
        raise InputError(f'{field}: expected {{"column": ["cell", ...], ...}} or CSV text')
    lengths = set()
    table = {}
    for name, cells in value.items():
        if not isinstance(cells, list) or not all(isinstance(c, (str, int, float)) for c in cells):
            raise InputError(f"{field}: column {name!r} must be a list of cells")
        table[str(name)] = [str(c) for c in cells]
        lengths.add(len(cells))
    if len(lengths) != 1 or 0 in lengths:
        raise InputError(f"{field}: every column needs the same number of cells, at least one")
    return table


class TableQuestionTask(TaskHandler):
    max_text_chars = 1_000_000  # every cell of the table counts

    def inputs_from_data(self, values: list[Any]) -> dict[str, Any]:
        return self.check_inputs({"table": values[0], "question": values[1]})

    def check_inputs(self, inputs: Any) -> dict[str, Any]:
        if not isinstance(inputs, dict):
            raise InputError('inputs: expected {"table": {...}, "question": "..."}')
        question = inputs.get("question", inputs.get("query"))  # "query": the older form
        return {
            "table": read_table(inputs.get("table")),
            "question": require_text(question, "question"),
        }

    def serialize(self, task_input: TaskInput) -> WireRequest:
        wire = {"query": task_input.inputs["question"], "table": task_input.inputs["table"]}
        body: dict[str, Any] = {"inputs": wire}
        if task_input.parameters:
            body["parameters"] = task_input.parameters
        return WireRequest(json=body, route=self.route)

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        table, question = widget.get("table") or widget.get("structured_data"), widget.get("text")
        if isinstance(table, dict) and isinstance(question, str):
            return [table, question]
        return None


def table_answers(payload: Json) -> Json:
    items = [payload] if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not all(isinstance(i, dict) and "answer" in i for i in items):
        raise KeyError("answer")
    return items


def answer_in_table(output: Json, task_input: TaskInput) -> Json:
    best = output[0]
    return {
        "answer": best["answer"],
        "aggregator": best.get("aggregator"),
        "cells": best.get("cells", []),
        "coordinates": best.get("coordinates", []),
        "table": task_input.inputs["table"],
    }
