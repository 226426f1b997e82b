"""The batcher on its own: grouping, parameters kept apart, errors and gone clients."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from hubdemo.local.batching import Batcher


def make(max_size: int = 16, max_wait: float = 0.01) -> tuple[Batcher, list[list[Any]]]:
    calls: list[list[Any]] = []

    def run(items: list[Any], parameters: dict[str, Any]) -> list[Any]:
        calls.append(list(items))
        if "boom" in items:
            raise ValueError("boom in the batch")
        return [f"{item}{parameters.get('suffix', '')}" for item in items]

    return Batcher(run, ThreadPoolExecutor(1), max_size=max_size, max_wait=max_wait), calls


def test_concurrent_requests_share_batches_and_get_their_own_answers() -> None:
    async def main() -> None:
        batcher, calls = make()
        await batcher.submit("warm", {})  # the first request has nobody to wait for
        answers = await asyncio.gather(*(batcher.submit(f"r{i}", {}) for i in range(40)))
        assert answers == [f"r{i}" for i in range(40)]
        assert max(len(c) for c in calls) == 16  # bounded size
        assert len(calls) <= 1 + 40 // 16 + 1
        await batcher.aclose()

    asyncio.run(main())


def test_different_parameters_never_share_a_call() -> None:
    async def main() -> None:
        batcher, calls = make()
        plain = [batcher.submit(f"p{i}", {}) for i in range(3)]
        loud = [batcher.submit(f"l{i}", {"suffix": "!"}) for i in range(3)]
        answers = await asyncio.gather(*plain, *loud)
        assert answers == ["p0", "p1", "p2", "l0!", "l1!", "l2!"]
        assert all(len({item[0] for item in call}) == 1 for call in calls)
        await batcher.aclose()

    asyncio.run(main())


def test_only_the_culprit_gets_the_error() -> None:
    async def main() -> None:
        batcher, _ = make()
        results = await asyncio.gather(
            batcher.submit("a", {}),
            batcher.submit("boom", {}),
            batcher.submit("b", {}),
            return_exceptions=True,
        )
        assert results[0] == "a" and results[2] == "b"
        assert isinstance(results[1], ValueError)
        await batcher.aclose()

    asyncio.run(main())


def test_a_request_whose_client_left_is_not_run() -> None:
    async def main() -> None:
        batcher, calls = make(max_wait=0.05)
        await batcher.submit("warm", {})
        first = asyncio.ensure_future(batcher.submit("x", {}))
        gone = asyncio.ensure_future(batcher.submit("gone", {}))
        await asyncio.sleep(0)
        gone.cancel()
        assert await first == "x"
        with pytest.raises(asyncio.CancelledError):
            await gone
        assert all("gone" not in call for call in calls)
        await batcher.aclose()

    asyncio.run(main())
