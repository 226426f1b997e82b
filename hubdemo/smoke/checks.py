"""What an output must mean, beyond its schema: what a person would call a broken answer
(scores outside [0, 1], boxes outside the picture, empty text, media that does not decode)."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

from ..media import sniff_as

EPSILON = 1e-6


def _score(value: Any, where: str, low: float = 0.0) -> list[str]:
    if not isinstance(value, (int, float)) or math.isnan(value):
        return [f"{where}: the score is not a number ({value!r})"]
    if not low - EPSILON <= value <= 1 + EPSILON:
        return [f"{where}: the score {value} is outside [{low:g}, 1]"]
    return []


def _media_problems(value: Any, where: str = "output") -> list[str]:
    """Every data URL in the output must hold a file of the kind it says."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _media_problems(v, f"{where}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _media_problems(v, f"{where}/{i}")]
    if not (isinstance(value, str) and value.startswith("data:") and ";base64," in value):
        return []
    declared = value[5:].split(";", 1)[0].split(",", 1)[0]
    try:
        data = base64.b64decode(value.split(",", 1)[1], validate=True)
    except ValueError:
        return [f"{where}: the data URL is not valid base64"]
    if declared.startswith("image/"):
        from PIL import Image

        try:
            Image.open(io.BytesIO(data)).load()
        except Exception as exc:
            return [f"{where}: the image does not decode ({exc})"]
    elif declared.startswith(("audio/", "video/")):
        family = declared.split("/")[0]
        if not (sniff_as(data, family) or "").startswith(family + "/"):
            return [f"{where}: the {family} is not a {family} file hubdemo recognises"]
    return []


def _image_size(data_url: str) -> tuple[int, int] | None:
    from PIL import Image

    try:
        raw = base64.b64decode(data_url.split(",", 1)[1])
        size: tuple[int, int] = Image.open(io.BytesIO(raw)).size
        return size
    except Exception:
        return None


def meaning_problems(task: str, kind: str, output: Any, data: list[Any]) -> list[str]:
    """Beyond the schema: what a person would call a broken answer."""
    problems = _media_problems(output)
    items = output if isinstance(output, list) else [output]
    if kind in ("labels", "answer") and not items:
        problems.append("the answer is empty: no labels")
    for i, item in enumerate(items):
        where = f"output/{i}"
        if not isinstance(item, dict):
            continue
        if "score" in item:
            problems += _score(item["score"], where)
        if kind == "labels" and task != "fill-mask" and not str(item.get("label", "")).strip():
            problems.append(f"{where}: the label is empty")
        if task == "zero-shot-classification" and len(data) > 1:
            asked = {label.strip() for label in str(data[1]).split(",")}
            if item.get("label") not in asked:
                problems.append(f"{where}: '{item.get('label')}' is not one of the labels asked")
        if kind == "answer":
            answer, context = item.get("answer"), data[-1] if data else None
            if not str(answer or "").strip():
                problems.append(f"{where}: the answer is empty")
            start, end = item.get("start"), item.get("end")
            spans = isinstance(start, int) and isinstance(end, int)
            if isinstance(context, str) and spans and context[start:end] != answer:
                problems.append(f"{where}: start/end do not point at the answer in its context")
        if kind == "boxes" and data and isinstance(item.get("box"), dict):
            size = _image_size(str(data[0]))
            box = item["box"]
            if size and not (
                0 <= box["xmin"] <= box["xmax"] <= size[0] + 1
                and 0 <= box["ymin"] <= box["ymax"] <= size[1] + 1
            ):
                problems.append(
                    f"{where}: the box {box} lies outside the {size[0]}×{size[1]} image"
                )
    if kind == "text":  # a task's {"generated_text": ...}, or a Space's plain text
        first = items[0] if items else ""
        text = (
            next((v for v in first.values() if isinstance(v, str)), "")
            if isinstance(first, dict)
            else str(first)
        )
        if not text.strip():
            problems.append("the generated text is empty")
    if kind == "embedding":
        numbers = [v for row in output for v in row] if output else []
        if not numbers or not all(
            isinstance(v, (int, float)) and math.isfinite(v) for v in numbers
        ):
            problems.append("the embedding is empty or has non-finite numbers")
    if kind == "similarity":
        expected = len([s for s in str(data[1]).splitlines() if s.strip()]) if len(data) > 1 else 0
        if expected and len(output) != expected:
            problems.append(f"{len(output)} scores for {expected} sentences")
        for i, value in enumerate(output):
            problems += _score(value, f"output/{i}", low=-1.0)
    return problems
