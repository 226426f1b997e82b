"""Group concurrent requests into batches for one worker thread.

The worker takes the first waiting request, then gathers more for at most ``max_wait`` seconds
or until ``max_size`` are in hand, and runs requests with equal parameters as one call. While a
batch runs, new requests queue up and form the next batch, so batches grow with the load and a
lone request waits at most ``max_wait``. A request whose client went away before its batch ran
is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

RunBatch = Callable[[list[Any], dict[str, Any]], list[Any]]


@dataclass
class _Pending:
    item: Any
    parameters: dict[str, Any]
    future: asyncio.Future[Any]

    @property
    def key(self) -> str:
        return json.dumps(self.parameters, sort_keys=True, default=str)


class Batcher:
    def __init__(
        self,
        run_batch: RunBatch,
        executor: ThreadPoolExecutor,
        *,
        max_size: int = 16,
        max_wait: float = 0.002,
    ) -> None:
        self._run_batch = run_batch
        self._executor = executor
        self.max_size = max(1, max_size)
        self.max_wait = max(0.0, max_wait)
        self._queue: asyncio.Queue[_Pending] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batch_sizes: list[int] = []  # what ran, for tests and benchmarks
        self._busy = False  # the last batch had company: more requests are likely coming

    async def submit(self, item: Any, parameters: dict[str, Any]) -> Any:
        loop = asyncio.get_running_loop()
        if self._queue is None or self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = loop.create_task(self._work(self._queue))
        pending = _Pending(item, parameters, loop.create_future())
        self._queue.put_nowait(pending)
        return await pending.future

    async def _gather(self, queue: asyncio.Queue[_Pending]) -> list[_Pending]:
        batch = [await queue.get()]
        # A lone client (the last batch was one request) does not wait for company.
        wait = self.max_wait if self._busy else 0.0
        deadline = asyncio.get_running_loop().time() + wait
        while len(batch) < self.max_size:
            if not queue.empty():
                batch.append(queue.get_nowait())
                continue
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(queue.get(), left))
            except TimeoutError:
                break
        self._busy = len(batch) > 1
        return [p for p in batch if not p.future.done()]  # cancelled by a gone client

    async def _work(self, queue: asyncio.Queue[_Pending]) -> None:
        while True:
            batch = await self._gather(queue)
            groups: dict[str, list[_Pending]] = {}
            for pending in batch:
                groups.setdefault(pending.key, []).append(pending)
            for group in groups.values():
                await self._run_group(group)

    async def _run_group(self, group: list[_Pending]) -> None:
        loop = asyncio.get_running_loop()
        self.batch_sizes.append(len(group))
        try:
            results = await loop.run_in_executor(
                self._executor, self._run_batch, [p.item for p in group], group[0].parameters
            )
        except Exception as exc:
            if len(group) > 1:  # find the culprit: only its request gets the error
                for pending in group:
                    await self._run_group([pending])
                return
            if not group[0].future.done():
                group[0].future.set_exception(exc)
            return
        for pending, result in zip(group, results):
            if not pending.future.done():
                pending.future.set_result(result)

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
