"""Tasks whose output is a file: a generated image or sound (the router answers the bytes,
with their Content-Type), and segmentation masks (PNG in base64). Files become data URLs."""

from __future__ import annotations

import base64
import struct
from typing import Any

from ..errors import UpstreamBadResponse
from ..media import sniff
from .base import BLANK, Json, TaskHandler, TaskInput, WireResponse, parse_json
from .media import MediaTask


def flac_or_wav_rate(data: bytes) -> int | None:
    """The sampling rate in a FLAC STREAMINFO block or a WAV header, read without decoding."""
    if data[:4] == b"fLaC" and len(data) >= 21:
        return int.from_bytes(data[18:21], "big") >> 4
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE" and len(data) >= 28:
        return int(struct.unpack("<I", data[24:28])[0])
    return None


def file_as_data_url(payload: Json) -> Json:
    """(The chain's name for GeneratedFileTask.deserialize, which reads the bytes itself.)"""
    return payload


def downloadable_file(output: Json, _: TaskInput) -> Json:
    """(The chain's name for GeneratedFileTask.postprocess.)"""
    return output


class GeneratedFileTask(TaskHandler):
    """Text in; one image (``key="image"``) or sound (``key="audio"``) out."""

    def __init__(self, *args: Any, key: str, **kwargs: Any) -> None:
        super().__init__(*args, normalize=file_as_data_url, display=downloadable_file, **kwargs)
        self.key = key

    def deserialize(self, response: WireResponse) -> Json:
        data = response.body
        if "json" in response.content_type:  # some servers send {"image": <base64>}
            payload = parse_json(response)
            value = payload.get(self.key) if isinstance(payload, dict) else None
            if not isinstance(value, str):
                raise UpstreamBadResponse(f"the endpoint's answer has no {self.key}")
            data = base64.b64decode(value.split(",")[-1])
        mime = sniff(data)
        family = "image" if self.key == "image" else "audio"
        if not mime or not mime.startswith(family + "/"):
            raise UpstreamBadResponse(
                f"the endpoint answered {len(data)} bytes that are not an {family} file; check "
                f"that the model really is a {self.name} model"
            )
        output: dict[str, Any] = {self.key: f"data:{mime};base64,{base64.b64encode(data).decode()}"}
        rate = flac_or_wav_rate(data) if family == "audio" else None
        if rate:
            output["sampling_rate"] = rate
        return output

    def postprocess(self, output: Json, task_input: TaskInput) -> list[Json]:
        url: str = output[self.key]
        mime = url[5 : url.index(";")]
        extension = mime.split("/")[1].replace("jpeg", "jpg").replace("x-wav", "wav")
        size = len(url.split(",", 1)[1]) * 3 // 4
        return [{"url": url, "mime": mime, "size": size, "name": f"{self.name}.{extension}"}]


def segments(payload: Json) -> Json:
    if not isinstance(payload, list):
        raise TypeError("expected a list of segments")
    found = []
    for item in payload:
        if not isinstance(item, dict) or not isinstance(item.get("mask"), str):
            raise KeyError("mask")
        mask = item["mask"]
        if not mask.startswith("data:"):
            mask = "data:image/png;base64," + mask
        found.append({**item, "mask": mask})
    return found


def segment_overlay(output: Json, _: TaskInput) -> Json:
    return [
        {"label": s.get("label", ""), "score": s.get("score"), "mask": s["mask"]} for s in output
    ]


class ImageToImageTask(GeneratedFileTask, MediaTask):
    """An image and an optional prompt in (the prompt is the spec's ``parameters.prompt``); an
    image out. Without prompt or parameters the image goes as raw bytes, as to the router."""

    def inputs_from_data(self, values: list[Any]) -> tuple[Any, str]:
        prompt = values[1] if isinstance(values[1], str) else ""
        return (self.check_inputs(values[0]), prompt)

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        src = widget.get("src")
        if isinstance(src, str) and src.startswith("data:"):
            return [src, str(widget.get("prompt") or "")]
        return None

    def parse(self, body: Json) -> TaskInput:
        task_input = super().parse(body)
        if not isinstance(task_input.inputs, tuple):
            return task_input
        image, prompt = task_input.inputs
        parameters = dict(task_input.parameters)
        if prompt.strip(BLANK):
            parameters.setdefault("prompt", prompt.strip(BLANK))
        return TaskInput(image, parameters)


def depth_map(payload: Json) -> Json:
    """{"predicted_depth": <tensor>, "depth": <PNG>}: the depth image becomes a data URL."""
    if not isinstance(payload, dict) or not isinstance(payload.get("depth"), str):
        raise KeyError("depth")
    depth = payload["depth"]
    if not depth.startswith("data:"):
        depth = "data:image/png;base64," + depth
    return {**payload, "depth": depth}


def coloured_depth(output: Json, _: TaskInput) -> Json:
    """The grey depth image in colour (near dark blue, far yellow), ready to show and save."""
    import io

    from PIL import Image, ImageOps

    raw = base64.b64decode(output["depth"].split(",", 1)[1])
    grey = Image.open(io.BytesIO(raw)).convert("L")
    coloured = ImageOps.colorize(grey, black="#1e1b4b", mid="#0d9488", white="#fde047")
    buffer = io.BytesIO()
    coloured.save(buffer, "PNG")
    data = buffer.getvalue()
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    return {"url": url, "mime": "image/png", "size": len(data), "name": "depth.png"}
