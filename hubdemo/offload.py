"""The one thread where CPU-heavy request work runs (parsing a large JSON body, decoding its
media), off the event loop, so /healthz and small requests keep their answers quick."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
# Parsing more than this blocks the event loop for milliseconds: do it in the thread.
OFFLOAD_BYTES = 256 * 1024
# One thread: parsing holds the GIL, and each more thread doing it at once would take the
# interpreter from the event loop more often (and /healthz would wait).
_HEAVY = ThreadPoolExecutor(1, thread_name_prefix="hubdemo-parse")


async def off_loop(work: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy ``work`` on the parsing thread."""
    return await asyncio.get_running_loop().run_in_executor(_HEAVY, work, *args)
