"""question-answering: a question and a context in, answers with their spans out."""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from .base import TaskHandler, require_text


class QuestionAnsweringTask(TaskHandler):
    def inputs_from_data(self, values: list[Any]) -> dict[str, str]:
        return self.check_inputs({"question": values[0], "context": values[1]})

    def check_inputs(self, inputs: Any) -> dict[str, str]:
        if not isinstance(inputs, dict):
            raise InputError('inputs: expected {"question": ..., "context": ...}')
        return {
            "question": require_text(inputs.get("question"), "question"),
            "context": require_text(inputs.get("context"), "context"),
        }

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        question, context = widget.get("text"), widget.get("context")
        if isinstance(question, str) and isinstance(context, str):
            return [question, context]
        return None
