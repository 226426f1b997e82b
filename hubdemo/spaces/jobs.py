"""A gradio_client job read as it runs: the whole answer each time it grows (chat), its
gr.Progress and a generator's partial answers (``watched``), its gr.Warnings; the job's own
stores emptied as they are read, so that an endless answer cannot fill memory."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator
from typing import Any

from .failures import plain_text
from .threads import in_thread

POLL = 0.02  # seconds between two looks at a streaming job's outputs
PROGRESS_POLL = 0.05  # seconds between two looks at a watched job's outputs and progress


async def updates(job: Any) -> AsyncGenerator[Any, None]:
    """The whole answer so far, each time it has grown, as a gradio_client job receives it.
    The job keeps every one of them (each the whole answer: an endless answer filled 1 GB in
    12 s for 4 MB of text); only the latest matters, so the others are let go, and a backlog
    the reader fell behind on is skipped, not read through."""
    kept = _outputs_of(job)
    if kept is None:  # a gradio_client that keeps them elsewhere: read each one
        done = object()
        iterator = iter(job)
        while (written := await in_thread(next, iterator, done)) is not done:
            yield written
        return
    seen = 0
    while True:
        ended = await in_thread(_grown, job, kept, seen)
        drain(job)
        if len(kept) > seen:
            latest = len(kept) - 1
            for index in range(max(0, seen - 1), latest):
                kept[index] = None  # read, or skipped: only the whole answer so far counts
            seen = latest + 1
            yield kept[latest]
        elif ended:
            return


def _grown(job: Any, kept: list[Any], seen: int) -> bool:
    """Wait (in a thread) until the job has more than ``seen`` outputs or is done; done?"""
    while len(kept) <= seen and not job.done():
        time.sleep(POLL)
    return bool(job.done())


def drain(job: Any) -> list[str]:
    """Empty the job's queue of updates, keeping the gr.Warnings among them: gradio_client puts
    each output and status there (for its async iterator, which hubdemo does not use), and
    nothing else takes them out: 4 GB in 15 s of an endless answer."""
    warnings: list[str] = []
    with contextlib.suppress(AttributeError):
        updates = job.communicator.updates
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                log_entry = getattr(updates.get_nowait(), "log", None)
                if log_entry and str(log_entry[1]).lower() == "warning":
                    warnings.append(plain_text(str(log_entry[0]))[:500])
    return warnings


async def watched(job: Any, said: list[str]) -> AsyncGenerator[tuple[str, Any], None]:
    """("progress", units) each time the job's gr.Progress moves and ("partial", value) each
    time a generator yields (the latest only, when the reader fell behind), until the job is
    done; its gr.Warnings are added to ``said``."""
    kept = _outputs_of(job)
    seen, shown = 0, _progress(job)
    while True:
        ended = await in_thread(_moved, job, kept, seen, shown)
        said += drain(job)
        progress = _progress(job)
        if progress != shown:
            shown = progress
            if progress:
                yield "progress", progress
        if kept is not None and len(kept) > seen:
            latest = len(kept) - 1
            for index in range(max(0, seen - 1), latest):
                kept[index] = None  # only the latest counts
            seen = latest + 1
            yield "partial", kept[latest]
        if ended:
            return


def _moved(job: Any, kept: list[Any] | None, seen: int, shown: list[dict[str, Any]]) -> bool:
    """Wait (in a thread) until the job has a new output, its progress moved, or it is done;
    done?"""
    while not job.done():
        if (kept is not None and len(kept) > seen) or _progress(job) != shown:
            return False
        time.sleep(PROGRESS_POLL)
    return True


def _progress(job: Any) -> list[dict[str, Any]]:
    """The job's gr.Progress, as [{index, length, unit, progress, desc}] (nested bars in
    order); empty when it reports none."""
    units = getattr(job.status(), "progress_data", None) or []
    return [
        {k: getattr(unit, k, None) for k in ("index", "length", "unit", "progress", "desc")}
        for unit in units
    ]


def _outputs_of(job: Any) -> list[Any] | None:
    """The list where gradio_client keeps a job's outputs (its Communicator's; None when a
    version keeps them elsewhere: then nothing is let go)."""
    with contextlib.suppress(AttributeError):
        outputs = job.communicator.job.outputs
        return outputs if isinstance(outputs, list) else None
    return None


def chat_text(value: Any) -> str:
    """A ChatInterface's answer as text (a message dict or a list of them in newer apps)."""
    if isinstance(value, tuple):
        value = value[0] if value else ""
    if isinstance(value, list):
        value = value[-1] if value else ""
    if isinstance(value, dict):
        value = value.get("content", "")
    return value if isinstance(value, str) else json.dumps(value)
