"""Built-in examples for a model whose card has none: a picture, a sound, a text file, a
sentence — so that ``hubdemo smoke`` can still run one prediction of a media task."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

from ..media import file_url


def sample_image() -> str:
    """A 96x64 PNG (a red disc and a blue bar on white), as a data URL."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 64), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 48, 48), fill=(200, 30, 30))
    draw.rectangle((56, 20, 90, 44), fill=(30, 60, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def sample_audio() -> str:
    """One second of a 440 Hz tone, 16 kHz mono WAV, as a data URL."""
    import struct
    import wave

    rate = 16000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(rate)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode()


SAMPLE_TEXT = "The quick brown fox jumps over the lazy dog."


def sample_file() -> str:
    """A small text file under its name (a Space's File input), as a data URL."""
    return file_url(f"{SAMPLE_TEXT}\n".encode(), "text/plain", "sample.txt")


def examples_of(info: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """The page's examples (card, else the Hub defaults), else a built-in sample for tasks
    with one image, one sound, one file or one text as input."""
    # Not the page's stand-ins for a card without examples (the Hub's example for the task,
    # fetched or not as the network allows, or hubdemo's sample): a recorded run and its
    # replay offline must run the same examples.
    examples = [e for e in info.get("examples") or [] if e.get("source") not in ("task", "sample")]
    kinds = [c["kind"] for c in info["inputs"]]
    if (
        not examples
        and len(kinds) == 1
        and kinds[0] in ("image", "audio", "file", "text", "textarea", "chat")
    ):
        samples = {"image": sample_image, "audio": sample_audio, "file": sample_file}
        sample = samples[kinds[0]]() if kinds[0] in samples else SAMPLE_TEXT
        examples = [{"title": f"built-in sample {kinds[0]}", "data": [sample]}]
    elif not examples and kinds in (["image", "text"], ["image", "labels"]):
        second = "What is in the picture?" if kinds[1] == "text" else "disc, bar, triangle"
        examples = [{"title": "built-in sample image", "data": [sample_image(), second]}]
    return examples[:limit] if limit > 0 else examples
