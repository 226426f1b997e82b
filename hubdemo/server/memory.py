"""Giving freed memory back to the system (glibc), so that a server's RSS returns to where it
was after a burst of large bodies or answers, instead of staying at its peak for good.

glibc keeps what a program frees in its arenas for reuse; after a burst of large buffers it can
hold hundreds of MB it will not return by itself (40 refused 40 MB bodies: 100 -> 167 MB for
good, tests/support/soak_hostile.py). Two measures: buffers of 1 MB and more are always mapped
(and so unmapped when freed: glibc otherwise raises that threshold after each large free, up to
32 MB), and a watcher asks glibc to trim its arenas when the server goes quiet after work.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
from collections.abc import Callable
from typing import Any

from ..offload import off_loop

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
EVERY = 2.0  # seconds between two looks at the RSS
SLACK = 8 * 2**20  # growth (bytes) past the last trim that is worth a trim


def _libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


LIBC = _libc()


def map_large_buffers() -> None:
    """Buffers of 1 MB or more mapped, so freeing them returns them."""
    with contextlib.suppress(AttributeError):
        if LIBC is not None:
            LIBC.mallopt(M_MMAP_THRESHOLD, 1 << 20)


def rss() -> int | None:
    """This process's resident memory in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def trim() -> None:
    with contextlib.suppress(AttributeError):
        if LIBC is not None:
            LIBC.malloc_trim(0)


async def keep_memory_lean(activity: Callable[[], Any], busy: Callable[[], bool]) -> None:
    """Run for the server's life: when it goes quiet after some work (``activity()`` changed,
    ``busy()`` no more) and its RSS has grown SLACK past where the last trim left it, trim
    glibc's arenas (off the event loop). Freed memory does not show in the RSS until then, so
    the trim waits for the quiet, not for a change in the RSS."""
    if LIBC is None or not hasattr(LIBC, "malloc_trim") or rss() is None:
        return
    floor, seen, worked = rss() or 0, activity(), False
    while True:
        await asyncio.sleep(EVERY)
        now = activity()
        worked, seen = worked or now != seen, now
        if not worked or busy():
            continue
        worked = False
        if (rss() or 0) > floor + SLACK:
            await off_loop(trim)
            floor = rss() or floor
