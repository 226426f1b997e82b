"""hubdemo smoke's checks of an output's meaning, and its built-in samples."""

from __future__ import annotations

import pytest

from hubdemo.smoke.checks import meaning_problems
from hubdemo.smoke.samples import sample_image

IMAGE = sample_image()  # 96x64

CASES = [
    ("text-classification", "labels", [{"label": "A", "score": 0.9}], ["x"], []),
    ("text-classification", "labels", [], ["x"], ["no labels"]),
    ("text-classification", "labels", [{"label": "A", "score": 1.5}], ["x"], ["outside [0, 1]"]),
    ("text-classification", "labels", [{"label": " ", "score": 0.5}], ["x"], ["label is empty"]),
    ("zero-shot-classification", "labels", [{"label": "c", "score": 0.5}], ["x", "a, b"], ["'c'"]),
    ("summarization", "text", {"summary_text": "  "}, ["x"], ["text is empty"]),
    (
        "question-answering",
        "answer",
        [{"answer": "Paris", "score": 0.5, "start": 0, "end": 5}],
        ["Where?", "Lyon is nice"],
        ["do not point at the answer"],
    ),
    (
        "object-detection",
        "boxes",
        [{"label": "x", "score": 0.5, "box": {"xmin": 0, "ymin": 0, "xmax": 300, "ymax": 10}}],
        [IMAGE],
        ["outside the 96×64 image"],
    ),
    ("sentence-similarity", "similarity", [0.5], ["a", "b\nc"], ["1 scores for 2 sentences"]),
    ("feature-extraction", "embedding", [[]], ["x"], ["embedding is empty"]),
    (
        "image-to-text",
        "text",
        {"generated_text": "data:image/png;base64,AAAA"},
        [IMAGE],
        ["does not decode"],
    ),
    (
        "text-to-video",
        "video",
        {"video": IMAGE.replace("data:image/png", "data:video/mp4")},
        ["x"],
        ["the video is not a video file"],
    ),
]


@pytest.mark.parametrize(("task", "kind", "output", "data", "expected"), CASES)
def test_meaning_checks(task, kind, output, data, expected) -> None:
    problems = meaning_problems(task, kind, output, data)
    assert len(problems) == len(expected), problems
    for problem, words in zip(problems, expected):
        assert words in problem


def test_the_built_in_sample_image_is_a_real_png() -> None:
    from base64 import b64decode
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(b64decode(IMAGE.split(",", 1)[1])))
    assert (image.format, image.size) == ("PNG", (96, 64))
