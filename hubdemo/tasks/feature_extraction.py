"""feature-extraction: TEI's request keeps its options at the top level, not in parameters."""

from __future__ import annotations

from typing import Any

from ..wire import WireRequest
from .base import TaskHandler, TaskInput

TOP_LEVEL = ("normalize", "prompt_name", "truncate", "truncation_direction")


class FeatureExtractionTask(TaskHandler):
    def parameters_from(self, body: dict[str, Any]) -> dict[str, Any]:
        parameters = super().parameters_from(body)
        parameters.update({key: body[key] for key in TOP_LEVEL if key in body})
        return parameters

    def serialize(self, task_input: TaskInput) -> WireRequest:
        return WireRequest(
            json={"inputs": task_input.inputs, **task_input.parameters}, route=self.route
        )
