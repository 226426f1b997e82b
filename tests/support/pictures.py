"""Pictures in answers: decoded from data URLs and compared by colour, with a tolerance for
lossy formats (Gradio's gallery is WEBP)."""

from __future__ import annotations

import base64
import io

from PIL import Image

RED = (200, 10, 10)


def picture_of(url: str) -> Image.Image:
    assert url.startswith("data:image/"), url[:40]
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA")


def near(seen: tuple[int, ...], wanted: tuple[int, ...], within: int = 6) -> bool:
    """A pixel of a lossy picture near the one drawn."""
    return all(abs(a - b) <= within for a, b in zip(seen, wanted, strict=True))


def expected_colours(colour: tuple[int, int, int]) -> dict[str, float]:
    """What the stand-in classifier Space computes: each channel's share of the picture."""
    total = sum(colour)
    return {name: value / total for name, value in zip(("red", "green", "blue"), colour)}
