"""Tasks whose input is one image or one sound (classification, detection, captioning, ASR)."""

from __future__ import annotations

from typing import Any

from ..media import Media, media_from_bytes, parse_media
from ..wire import WireRequest
from .base import TaskHandler, TaskInput


class MediaTask(TaskHandler):
    """The router takes raw bytes with their Content-Type when there are no parameters, and the
    base64 text inside JSON when there are (hf-tasks input.json: ``comment: type=binary``)."""

    @property
    def family(self) -> str:
        return self.inputs[0].kind  # "image" or "audio"

    def check_inputs(self, inputs: Any) -> Media:
        return parse_media(inputs, self.family, self.inputs[0].name)

    def serialize(self, task_input: TaskInput) -> WireRequest:
        media: Media = task_input.inputs
        if not task_input.parameters:
            return WireRequest(content=media.data, content_type=media.mime, route=self.route)
        body = {"inputs": media.base64(), "parameters": task_input.parameters}
        return WireRequest(json=body, route=self.route)

    def read_request(self, request: WireRequest) -> TaskInput:
        if request.content is not None and "json" not in (request.content_type or ""):
            return TaskInput(media_from_bytes(request.content, self.family, self.inputs[0].name))
        return super().read_request(request)

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        src = widget.get("src")  # fetched from the Hub into a data URL (examples.py)
        return [src] if isinstance(src, str) and src.startswith("data:") else None
