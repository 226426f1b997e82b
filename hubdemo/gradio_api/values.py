"""Values between Gradio's protocol and hubdemo's: the endpoint's positional values as an
``/api/predict`` body, and an answer as the Gradio value of its output's component (a Label's
``{label, confidences}``, text, a HighlightedText's spans, a file's ``{path, url, meta}``, or
the normalized output as JSON)."""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..inputs import from_upload
from ..media import data_url_bytes
from .describe import FILE_TYPES, Endpoint
from .files import FileStore


def body_of(data: list[Any], endpoint: Endpoint, files: FileStore) -> dict[str, Any]:
    """The /api/predict body of the endpoint's positional values (inputs, then parameters)."""
    inputs = data[: len(endpoint.inputs)]
    if len(inputs) < len(endpoint.inputs):
        names = ", ".join(c["name"] for c in endpoint.inputs)
        raise InputError(f"/predict takes {len(endpoint.inputs)} input(s): {names}")
    values = [input_value(v, c, files) for v, c in zip(inputs, endpoint.inputs, strict=True)]
    parameters = {
        control["name"]: value
        for control, value in zip(endpoint.controls, data[len(endpoint.inputs) :], strict=False)
        if value not in (None, "")
    }
    return {"data": values, **({"parameters": parameters} if parameters else {})}


def input_value(value: Any, component: dict[str, Any], files: FileStore) -> Any:
    """One input: text as it is; a file as the data URL of what the client uploaded here."""
    if component["kind"] not in FILE_TYPES:
        return value
    if value in (None, "") and component.get("optional"):
        return ""
    if not isinstance(value, dict) or not isinstance(value.get("path"), str):
        raise InputError(f"{component['name']}: give a file (gradio_client's handle_file)")
    name = files.ours(value["path"])
    if name is None:
        raise InputError(
            f"{component['name']}: {value['path'][:100]} is not a file uploaded to this "
            "server; upload it first (gradio_client does, with handle_file)"
        )
    given = value.get("orig_name")  # a File input keeps the name it was uploaded with
    shown = given if isinstance(given, str) and given else None
    return from_upload(files.folder / name, shown, component)


def gradio_values(answer: dict[str, Any], endpoint: Endpoint, files: FileStore) -> list[Any]:
    """The answer's outputs, each in its Gradio component's value shape (a Space with several
    outputs answers a list of them, one shown value each)."""
    several = len(endpoint.outputs) > 1
    outputs = answer["output"] if several else [answer["output"]]
    return [
        gradio_value(value, shown, o["kind"], files)
        for value, shown, o in zip(outputs, answer["data"], endpoint.outputs, strict=False)
    ]


def gradio_value(output: Any, shown: Any, kind: str, files: FileStore) -> Any:
    """One output (its normalized value, and as shown) in the Gradio component's shape."""
    if kind == "labels":  # the bars the page draws (fill-mask's tokens too)
        rows = sorted(shown, key=lambda r: -r["score"])
        return {
            "label": rows[0]["label"] if rows else None,
            "confidences": [{"label": r["label"], "confidence": r["score"]} for r in rows],
        }
    if kind == "text":
        if isinstance(output, int | float) and not isinstance(output, bool):
            return output  # a Space's Number or Slider out: the number, as Gradio gives it
        return shown["text"] if isinstance(shown, dict) and "text" in shown else output
    if kind == "entities" and isinstance(shown, dict):
        return highlighted(shown["text"], shown["entities"])
    if kind in FILE_TYPES and isinstance(shown, dict) and "url" in shown:
        data, mime = data_url_bytes(shown["url"], shown["name"])
        name = files.keep(data, "." + shown["name"].rsplit(".", 1)[-1])
        return {
            "path": name,
            "url": f"/gradio_api/file={name}",
            "orig_name": shown["name"],
            "mime_type": mime,
            "meta": {"_type": "gradio.FileData"},
        }
    return output


def highlighted(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities as HighlightedText's [{token, class_or_confidence}] over the whole text."""
    pieces, cursor = [], 0
    for span in entities:
        if span["start"] > cursor:
            pieces.append({"token": text[cursor : span["start"]], "class_or_confidence": None})
        token = text[span["start"] : span["end"]]
        pieces.append({"token": token, "class_or_confidence": span["label"]})
        cursor = span["end"]
    if cursor < len(text):
        pieces.append({"token": text[cursor:], "class_or_confidence": None})
    return pieces


def applied(value: Any, update: Any) -> Any:
    """A streamed value after one update: the first carries the value, the next ones Gradio's
    ``[["append", [], text]]`` diffs."""
    if value is None:
        return update
    for _action, _path, piece in update:
        value += piece
    return value


def message_text(value: Any) -> str:
    """A ChatInterface message: text, or a multimodal one's ``{"text": ...}``."""
    if isinstance(value, dict) and not value.get("files"):
        value = value.get("text")
    if not isinstance(value, str):
        raise InputError("message: give the message as text")
    return value


def failed(event_id: str, text: str, title: str) -> dict[str, Any]:
    """The queue's message for a job that failed (the client raises it as AppError)."""
    return {
        "msg": "process_completed",
        "event_id": event_id,
        "output": {"error": text, "title": title},
        "success": False,
    }
