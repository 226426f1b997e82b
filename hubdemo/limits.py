"""Load limits: a bound on predictions in flight and on those waiting; clients that leave.

``--concurrency N`` predictions run at once (each holds one upstream request or one local
inference); up to ``--max-queue M`` more wait their turn; beyond that the answer is 429 with
Retry-After, at once. A client that disconnects cancels its prediction, queued or running: the
upstream request is abandoned and its connection closed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from starlette.requests import Request

from .errors import ServerBusy

T = TypeVar("T")


class Gate:
    def __init__(self, concurrency: int, max_queue: int) -> None:
        self.concurrency = max(1, concurrency)
        self.max_queue = max(0, max_queue)
        self._slots = asyncio.Semaphore(self.concurrency)
        self.running = 0
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the ``concurrency`` slots (waiting, if allowed, for one to free)."""
        if self._slots.locked() and self.waiting >= self.max_queue:
            raise ServerBusy(
                f"the server is busy ({self.running} predictions running, {self.waiting} "
                "waiting); try again in a moment",
                retry_after=1.0,
            )
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._slots.release()

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        async with self.slot():
            return await work()


class ClientGone(Exception):
    """The client disconnected before its answer was ready."""


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """Await ``work``, cancelling it as soon as the client disconnects (the request body must
    have been read already: the next ASGI message is then the disconnect)."""
    task: asyncio.Future[T] = asyncio.ensure_future(work)

    async def watch() -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return

    watcher: asyncio.Future[Any] = asyncio.ensure_future(watch())
    pending: set[asyncio.Future[Any]] = {task, watcher}
    try:
        await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        watcher.cancel()
    if not task.done():
        task.cancel()
        raise ClientGone()
    return task.result()
