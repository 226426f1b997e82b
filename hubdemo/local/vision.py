"""Image tasks on this machine: classification, detection, depth estimation, segmentation,
zero-shot classification (transformers 5 has a pipeline for each) and image-to-text (the model
classes directly).

Each runner answers the router's wire body: images (depth maps, masks) as base64 PNG.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

from ..media import Media
from .common import Json, Runner, generate_kwargs, jsonable, make_pipeline, pick, pil_images


def _png(image: Any) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def depth_estimation(model_dir: Path) -> Runner:
    pipe = make_pipeline("depth-estimation", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        results = pipe(pil_images(inputs))
        results = [results] if isinstance(results, dict) else results
        return [
            {"predicted_depth": jsonable(r["predicted_depth"]), "depth": _png(r["depth"])}
            for r in results
        ]

    return run


def image_segmentation(model_dir: Path) -> Runner:
    pipe = make_pipeline("image-segmentation", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        kwargs = pick(parameters, "threshold", "mask_threshold", "overlap_mask_area_threshold")
        if parameters.get("subtask"):
            kwargs["subtask"] = parameters["subtask"]
        answers = []
        for image in pil_images(inputs):  # one image at a time: the pipeline nests batches oddly
            segments = []
            for found in pipe(image, **kwargs):
                segment: dict[str, Any] = {
                    "label": str(found["label"]),
                    "mask": _png(found["mask"]),
                }
                if found.get("score") is not None:  # semantic segmentation gives no score
                    segment["score"] = float(found["score"])
                segments.append(segment)
            answers.append(segments)
        return answers

    return run


def zero_shot_image_classification(model_dir: Path) -> Runner:
    pipe = make_pipeline("zero-shot-image-classification", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        kwargs = pick(parameters, "hypothesis_template")
        labels = parameters["candidate_labels"]
        results = pipe(pil_images(inputs), candidate_labels=labels, **kwargs)
        if len(inputs) == 1 and results and isinstance(results[0], dict):
            results = [results]
        return [jsonable(r) for r in results]

    return run


def image_classification(model_dir: Path) -> Runner:
    pipe = make_pipeline("image-classification", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        kwargs = {"top_k": parameters.get("top_k") or 5, **pick(parameters, "function_to_apply")}
        results = pipe(pil_images(inputs), **kwargs)
        if len(inputs) == 1 and results and isinstance(results[0], dict):
            results = [results]
        return [jsonable(r) for r in results]

    return run


def object_detection(model_dir: Path) -> Runner:
    pipe = make_pipeline("object-detection", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        threshold = parameters.get("threshold", 0.5)
        results = pipe(pil_images(inputs), threshold=threshold)
        if len(inputs) == 1 and (not results or isinstance(results[0], dict)):
            results = [results]
        return [jsonable(r) for r in results]

    return run


def image_to_text(model_dir: Path) -> Runner:
    import torch
    from transformers import AutoImageProcessor, AutoModelForImageTextToText, AutoTokenizer

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") == "vision-encoder-decoder":
        from transformers import VisionEncoderDecoderModel

        model = VisionEncoderDecoderModel.from_pretrained(model_dir).eval()
    else:
        model = AutoModelForImageTextToText.from_pretrained(model_dir).eval()
    images_in = AutoImageProcessor.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        pixels = images_in(images=pil_images(inputs), return_tensors="pt")["pixel_values"]
        with torch.inference_mode():
            generated = model.generate(pixel_values=pixels, **generate_kwargs(parameters))
        texts = tokenizer.batch_decode(generated, skip_special_tokens=True)
        return [[{"generated_text": text.strip()}] for text in texts]

    return run
