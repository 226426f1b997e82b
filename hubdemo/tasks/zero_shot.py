"""zero-shot-classification: a text and the candidate labels the user makes up."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParameter
from .base import BLANK, TaskHandler, TaskInput, require_text


def split_labels(value: Any) -> list[str]:
    """Candidate labels from "a, b, c" or a list; at least one is needed."""
    if isinstance(value, str):
        labels = [part.strip(BLANK) for part in value.split(",")]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        labels = [v.strip(BLANK) for v in value]
    else:
        raise InvalidParameter("candidate_labels: give labels as a list or as 'a, b, c'")
    labels = [label for label in labels if label]
    if not labels:
        raise InvalidParameter(
            "candidate_labels: give at least one label, e.g. 'urgent, not urgent'"
        )
    return labels


class ZeroShotTask(TaskHandler):
    def parse(self, body: Any) -> TaskInput:
        task_input = super().parse(body)
        parameters = dict(task_input.parameters)
        if isinstance(task_input.inputs, tuple):  # the {"data": [...]} form
            text, labels = task_input.inputs
            parameters.setdefault("candidate_labels", labels)
            task_input = TaskInput(text, parameters)
        if "candidate_labels" not in parameters:
            raise InvalidParameter("candidate_labels: this task needs the labels to choose from")
        parameters["candidate_labels"] = split_labels(parameters["candidate_labels"])
        return TaskInput(task_input.inputs, parameters)

    def inputs_from_data(self, values: list[Any]) -> tuple[Any, Any]:
        return (require_text(values[0], "text"), values[1])

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        text, labels = widget.get("text"), widget.get("candidate_labels")
        if isinstance(text, str) and isinstance(labels, (str, list)):
            return [text, labels if isinstance(labels, str) else ", ".join(labels)]
        return None
