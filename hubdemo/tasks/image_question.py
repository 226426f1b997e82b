"""Tasks whose input is an image and some text: visual and document question answering, and
zero-shot image classification. The router takes them as JSON with the image in base64."""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..media import Media, parse_media
from ..wire import WireRequest
from .base import TaskHandler, TaskInput, require_text
from .zero_shot import ZeroShotTask


class ImageQuestionTask(TaskHandler):
    """{"inputs": {"image": <base64>, "question": "..."}, "parameters": {...}}"""

    def inputs_from_data(self, values: list[Any]) -> dict[str, Any]:
        return self.check_inputs({"image": values[0], "question": values[1]})

    def check_inputs(self, inputs: Any) -> dict[str, Any]:
        if not isinstance(inputs, dict):
            raise InputError('inputs: expected {"image": <base64>, "question": "..."}')
        return {
            "image": parse_media(inputs.get("image"), "image", self.inputs[0].name),
            "question": require_text(inputs.get("question"), "question"),
        }

    def serialize(self, task_input: TaskInput) -> WireRequest:
        image: Media = task_input.inputs["image"]
        body: dict[str, Any] = {
            "inputs": {"image": image.base64(), "question": task_input.inputs["question"]}
        }
        if task_input.parameters:
            body["parameters"] = task_input.parameters
        return WireRequest(json=body, route=self.route)

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        src, question = widget.get("src"), widget.get("text")
        if isinstance(src, str) and src.startswith("data:") and isinstance(question, str):
            return [src, question]
        return None


class ZeroShotImageTask(ZeroShotTask):
    """An image and the labels to choose from: {"inputs": <base64>, "parameters":
    {"candidate_labels": [...]}}."""

    def inputs_from_data(self, values: list[Any]) -> tuple[Media, Any]:
        return (self.check_inputs(values[0]), values[1])

    def check_inputs(self, inputs: Any) -> Media:
        return parse_media(inputs, "image", self.inputs[0].name)

    def serialize(self, task_input: TaskInput) -> WireRequest:
        media: Media = task_input.inputs
        body = {"inputs": media.base64(), "parameters": task_input.parameters}
        return WireRequest(json=body, route=self.route)

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        src, labels = widget.get("src"), widget.get("candidate_labels")
        if not (isinstance(src, str) and src.startswith("data:")):
            return None
        if isinstance(labels, list):
            labels = ", ".join(str(label) for label in labels)
        return [src, labels] if isinstance(labels, str) else None
