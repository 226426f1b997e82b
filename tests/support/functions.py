"""Prediction functions for the function backend (``hubdemo serve support.functions:shout``),
one per shape of input: the unit layer serves them in process, with no model and no network."""

from __future__ import annotations

import asyncio
from typing import Any


def shout(text: str, **parameters: Any) -> str:
    return text.upper() + "!" * int(parameters.get("max_new_tokens", 1))


def feel(text: str) -> dict[str, float]:
    """A sentiment by counting words: a {label: score} dict, as a classifier returns."""
    happy = sum(word in ("love", "like", "great") for word in text.lower().split())
    return {"POSITIVE": 0.9, "NEGATIVE": 0.1} if happy else {"POSITIVE": 0.2, "NEGATIVE": 0.8}


def answer(question: str, context: str) -> dict[str, Any]:
    start = context.index("London")
    return {"answer": "London", "score": 0.9, "start": start, "end": start + 6}


def pick(text: str, candidate_labels: list[str]) -> dict[str, float]:
    return {label: (1.0 if label in text else 0.0) for label in candidate_labels}


def similar(source_sentence: str, sentences: list[str]) -> list[float]:
    words = set(source_sentence.lower().split())
    return [len(words & set(s.lower().split())) / len(words) for s in sentences]


def size(image: Any) -> dict[str, float]:
    """An image "classifier": wide or tall."""
    wide = image.width >= image.height
    return {"wide": 1.0 if wide else 0.0, "tall": 0.0 if wide else 1.0}


async def hear(audio: tuple[int, Any]) -> str:
    rate, samples = audio
    await asyncio.sleep(0)
    return f"{len(samples) / rate:.1f} seconds at {rate} Hz"


def broken(text: str) -> Any:
    raise RuntimeError("the GPU caught fire")


def wrong(text: str) -> Any:
    return 42


# Two classifiers that answer only when both are asked at once (a compare demo asks every
# model together): asked one after the other, the first waits out the barrier and fails.
_MEETING = __import__("threading").Barrier(2, timeout=10)


def meet_left(text: str) -> dict[str, float]:
    _MEETING.wait()
    return {"left": 0.7, "right": 0.3}


def meet_right(text: str) -> dict[str, float]:
    _MEETING.wait()
    return {"right": 0.6, "left": 0.4}
