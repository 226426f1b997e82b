"""hubdemo.Demo on your own function, in process: paths, bytes and PIL images in; its errors
are hubdemo's."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import hubdemo
from hubdemo.errors import InputError, LocalModelError
from support.checks import validate_output


def colour_of(image: Image.Image) -> dict[str, float]:
    red, green, blue = image.convert("RGB").resize((1, 1)).getpixel((0, 0))
    total = (red + green + blue) or 1
    return {"red": red / total, "green": green / total, "blue": blue / total}


def test_a_function_demo_takes_paths_bytes_and_pil_images(tmp_path: Path) -> None:
    demo = hubdemo.Demo(colour_of, task="image-classification")
    picture = Image.new("RGB", (8, 8), (200, 30, 20))
    path = tmp_path / "red.png"
    picture.save(path)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    answers = [demo.predict(path), demo.predict(str(path)), demo.predict(buffer.getvalue())]
    answers.append(demo.predict(picture))
    demo.close()
    for output in answers:
        validate_output("image-classification", output)
        assert output[0]["label"] == "red"  # highest first
        assert output[0]["score"] == pytest.approx(200 / 250, abs=0.01)
    assert demo.info()["upstream"]["kind"] == "function"


def test_a_function_that_fails_says_so() -> None:
    def broken(text: str) -> Any:
        raise RuntimeError("the model fell over")

    with hubdemo.Demo(broken, task="text-classification") as demo:
        with pytest.raises(LocalModelError, match="fell over"):
            demo.predict("hello")
        with pytest.raises(InputError, match="a file path"):
            hubdemo.Demo(colour_of, task="image-classification").predict(12)
