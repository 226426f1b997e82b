"""gradio_client blocks: its calls run in threads. Each in a daemon thread of its own, not the
event loop's default executor, whose threads are waited for when the loop closes: a Space that
never answers then holds that thread, never the server's exit (Ctrl-C)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a daemon thread; cancelling the await leaves the thread to end
    by itself (its result, if any, is dropped)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():  # cancelled: nobody waits for it any more
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = function(*args)
        except BaseException as exc:  # handed to the awaiting task, raised there
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="hubdemo-space", daemon=True).start()
    return await future


def close_soon(client: Any) -> None:
    """``client.close()`` in a daemon thread, not waited for."""
    threading.Thread(target=client.close, name="hubdemo-space-close", daemon=True).start()


def cancel_soon(job: Any) -> None:
    """``job.cancel()`` in a daemon thread: it posts to the Space, which may be slow to answer,
    and the event loop must not wait for that (10 cancels held /healthz 800 ms)."""
    threading.Thread(target=job.cancel, name="hubdemo-space-cancel", daemon=True).start()
