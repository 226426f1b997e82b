"""Load limits: a bound on predictions in flight and on those waiting; clients that leave.

``--concurrency N`` predictions run at once (each holds one upstream request or one local
inference); up to ``--max-queue M`` more wait their turn, each for at most ``--queue-timeout``
seconds; beyond either the answer is 429 with Retry-After. A client that disconnects cancels
its prediction, queued or running: the upstream request is abandoned and its connection closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.requests import Request

from ..errors import ServerBusy
from ..settings import ServeOptions

T = TypeVar("T")


DEFAULT_QUEUE_TIMEOUT = ServeOptions.queue_timeout


class Gate:
    def __init__(
        self, concurrency: int, max_queue: int, queue_timeout: float = DEFAULT_QUEUE_TIMEOUT
    ) -> None:
        self.concurrency = max(1, concurrency)
        self.max_queue = max(0, max_queue)
        self.queue_timeout = queue_timeout
        self._slots = asyncio.Semaphore(self.concurrency)
        self.running = 0
        self.waiting = 0
        self.served = 0  # predictions done, ever (the memory keeper watches it)

    async def enter(self) -> None:
        """Take one of the ``concurrency`` slots, waiting (if the queue has room) at most
        ``queue_timeout`` seconds for one to free; ServerBusy otherwise. Pair with leave()."""
        if self._slots.locked():
            if self.waiting >= self.max_queue:
                raise ServerBusy(
                    f"the server is busy ({self.running} predictions running, {self.waiting} "
                    "waiting); try again in a moment",
                    retry_after=1.0,
                )
            self.waiting += 1
            try:
                async with asyncio.timeout(self.queue_timeout):
                    await self._slots.acquire()
            except TimeoutError:
                raise ServerBusy(
                    f"the server is busy: no prediction slot freed within {self.queue_timeout:g} "
                    f"s ({self.running} running, {self.waiting} waiting); try again later",
                    retry_after=min(self.queue_timeout, 30.0),
                ) from None
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()  # free now: no wait, no timer
        self.running += 1

    def leave(self) -> None:
        self.running -= 1
        self.served += 1
        self._slots.release()

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        await self.enter()  # enter/leave: no context-manager object per request
        try:
            return await work()
        finally:
            self.leave()


class ClientGone(Exception):
    """The client disconnected before its answer was ready."""


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """Await ``work``, cancelling it as soon as the client disconnects (the request body must
    have been read already: the next ASGI message is then the disconnect). ``work`` runs in
    this task; one watcher task waits for the disconnect and cancels this one."""
    current = asyncio.current_task()
    assert current is not None
    gone = False

    async def watch() -> None:
        nonlocal gone
        while (await request.receive())["type"] != "http.disconnect":
            pass
        gone = True
        current.cancel()

    watcher = asyncio.ensure_future(watch())
    try:
        return await work
    except asyncio.CancelledError:
        if gone:  # our own cancel: the client left
            current.uncancel()
            raise ClientGone() from None
        raise
    finally:
        watcher.cancel()
