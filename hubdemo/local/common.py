"""What the local runners share: a runner's shape, transformers' pipelines, JSON out of numpy
and torch values, images decoded, and generation settings read from a task's parameters.

A runner takes a batch of task inputs and the request's parameters, and answers the router's
wire body for each input (text-classification's ``[[...]]``, summarization's
``[{"summary_text"}]``, ...), so the task handlers' deserialize and postprocess steps, the page
and ``hubdemo endpoint`` treat local answers like remote ones. Everything here runs in the
backend's worker thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..media import Media

Json = Any
Runner = Callable[[list[Any], dict[str, Any]], list[Json]]

# Generation settings of the spec (hf-tasks generate_parameters / text-generation parameters)
# that map one to one onto transformers' generate() arguments.
GENERATE_KEYS = (
    "max_new_tokens",
    "min_new_tokens",
    "max_length",
    "min_length",
    "do_sample",
    "temperature",
    "top_k",
    "top_p",
    "typical_p",
    "repetition_penalty",
    "num_beams",
    "no_repeat_ngram_size",
    "early_stopping",
)
DEFAULT_NEW_TOKENS = 50


def jsonable(value: Any) -> Json:
    """numpy/torch scalars and arrays to plain JSON values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value


def generate_kwargs(parameters: dict[str, Any]) -> dict[str, Any]:
    nested = parameters.get("generate_parameters") or parameters.get("generation_parameters") or {}
    merged = {**parameters, **(nested if isinstance(nested, dict) else {})}
    kwargs = {key: merged[key] for key in GENERATE_KEYS if merged.get(key) is not None}
    if "max_new_tokens" not in kwargs and "max_length" not in kwargs:
        kwargs["max_new_tokens"] = DEFAULT_NEW_TOKENS
    # Greedy unless asked otherwise, as the router does (transformers' pipeline would sample).
    kwargs.setdefault("do_sample", bool(merged.get("temperature") or merged.get("top_p")))
    return kwargs


def make_pipeline(task: str, model_dir: Path, **kwargs: Any) -> Any:
    from transformers import pipeline

    return pipeline(task, model=str(model_dir), device="cpu", **kwargs)


def pil_images(inputs: list[Media]) -> list[Any]:
    import io

    from PIL import Image, UnidentifiedImageError

    images = []
    for media in inputs:
        try:
            image = Image.open(io.BytesIO(media.data))
            images.append(image.convert("RGB"))
        except (UnidentifiedImageError, OSError) as exc:
            raise InputError(f"image: cannot decode this {media.mime} image ({exc})") from None
    return images


def pick(parameters: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: parameters[name] for name in names if parameters.get(name) is not None}
