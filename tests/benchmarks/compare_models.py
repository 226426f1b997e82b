"""Text classifiers that take a set time to answer, for bench_compare.py: a compare demo of
them is as slow as its slowest, plus what comparing adds."""

from __future__ import annotations

import asyncio


async def _after(seconds: float) -> dict[str, float]:
    await asyncio.sleep(seconds)
    return {"POSITIVE": 0.9, "NEGATIVE": 0.1}


async def in_100ms(text: str) -> dict[str, float]:
    return await _after(0.100)


async def in_150ms(text: str) -> dict[str, float]:
    return await _after(0.150)


async def in_200ms(text: str) -> dict[str, float]:
    return await _after(0.200)


async def in_250ms(text: str) -> dict[str, float]:
    return await _after(0.250)
