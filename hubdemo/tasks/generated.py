"""Tasks whose output is a file: a generated image, sound or video (the router answers the
bytes, with their Content-Type), and segmentation masks (PNG in base64). Files become data URLs."""

from __future__ import annotations

import base64
import struct
from typing import Any

from ..errors import InputError, UpstreamBadResponse
from ..media import sniff_as
from ..wire import Json, WireRequest, WireResponse
from .base import BLANK, TaskHandler, TaskInput, is_blank, parse_json
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
    """Text in; one image (``key="image"``), sound (``key="audio"``) or video (``"video"``) out."""

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
        family = self.key
        mime = sniff_as(data, family)
        if not mime or not mime.startswith(family + "/"):
            raise UpstreamBadResponse(
                f"the endpoint answered {len(data)} bytes that are not {family} data; check "
                f"that the model really is a {self.name} model"
            )
        output: dict[str, Any] = {self.key: f"data:{mime};base64,{base64.b64encode(data).decode()}"}
        rate = flac_or_wav_rate(data) if family == "audio" else None
        if rate:
            output["sampling_rate"] = rate
        return output

    def postprocess(self, output: Json, task_input: TaskInput) -> list[Json]:
        return [file_shown(output[self.key], self.name)]


EXTENSIONS = {
    "image/jpeg": "jpg", "audio/x-wav": "wav", "audio/mpeg": "mp3", "audio/mp4": "m4a",
    "video/quicktime": "mov", "video/x-msvideo": "avi",
}  # fmt: skip


def file_shown(url: str, stem: str) -> dict[str, Any]:
    """A data URL as the page shows a file: its URL, type, size and a download name."""
    mime = url[5 : url.index(";")]
    extension = EXTENSIONS.get(mime, mime.split("/")[1])
    size = len(url.split(",", 1)[1]) * 3 // 4
    return {"url": url, "mime": mime, "size": size, "name": f"{stem}.{extension}"}


def tracks(payload: Json) -> Json:
    """audio-to-audio's [{label, blob: <base64>, content-type}]: each blob becomes a data URL."""
    if not isinstance(payload, list) or not payload:
        raise TypeError("expected a list of sounds")
    found = []
    for item in payload:
        if not isinstance(item, dict) or not isinstance(item.get("blob"), str):
            raise KeyError("blob")
        blob, mime = item["blob"], item.get("content-type")
        if not blob.startswith("data:"):
            sniffed = sniff_as(base64.b64decode(blob[:64]), "audio") or ""  # 64 chars: 48 bytes
            mime = sniffed if sniffed.startswith("audio/") else mime
            if not isinstance(mime, str) or not mime.startswith("audio/"):
                raise ValueError(f"{item.get('label')!r} is not a sound")
            blob = f"data:{mime};base64,{blob}"
        found.append({"label": str(item.get("label", "")), "blob": blob, "content-type": mime})
    return found


def playable_tracks(output: Json, _: TaskInput) -> Json:
    """One player per sound, each downloadable under its label."""
    return [
        {"label": track["label"], **file_shown(track["blob"], track["label"] or "sound")}
        for track in output
    ]


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


class ImageTextTask(ImageToImageTask):
    """An image, a prompt, or both in (image-text-to-image, image-text-to-video: the spec
    requires neither alone); an image or a video out."""

    def inputs_from_data(self, values: list[Any]) -> tuple[Any, str]:
        image, prompt = values[0], values[1] if isinstance(values[1], str) else ""
        if isinstance(image, str) and is_blank(image):
            if is_blank(prompt):
                raise InputError(
                    f"{self.inputs[0].name}, {self.inputs[1].name}: give an image, a prompt or both"
                )
            return (None, prompt)
        return (self.check_inputs(image), prompt)

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        text = widget.get("text") or widget.get("prompt")
        if not widget.get("src") and isinstance(text, str):
            return ["", text]  # a prompt alone
        return super().example_from_widget(widget)

    def parse(self, body: Json) -> TaskInput:
        if isinstance(body, dict) and "data" not in body and body.get("inputs") in (None, ""):
            parameters = self.parameters_from(body)
            prompt = parameters.get("prompt")
            if not isinstance(prompt, str) or is_blank(prompt):
                raise InputError(
                    '"inputs" (an image) or "parameters.prompt" is needed; give either or both'
                )
            return TaskInput(None, parameters)
        return super().parse(body)

    def serialize(self, task_input: TaskInput) -> WireRequest:
        if task_input.inputs is None:  # a prompt alone
            return WireRequest(json={"parameters": task_input.parameters}, route=self.route)
        return super().serialize(task_input)


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
