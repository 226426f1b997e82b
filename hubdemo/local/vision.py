"""Image tasks beyond classification and detection, on this machine: depth estimation, image
segmentation and zero-shot image classification (transformers 5 has a pipeline for each).

Each runner answers the router's wire body: images (depth maps, masks) as base64 PNG.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from ..media import Media
from .runners import Json, Runner, jsonable, make_pipeline, pick, pil_images


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
