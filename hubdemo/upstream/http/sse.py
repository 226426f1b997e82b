"""Reading an upstream's server-sent events: one JSON object per ``data:`` line, each within
its deadline, ``[DONE]`` ending the stream, an ``{"error": ...}`` inside a 200 raised as the
error it is."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from ... import jsonio
from ...errors import UpstreamBadResponse, UpstreamError, UpstreamTimeout
from ...redact import Redactor
from .status import error_text


async def json_events(
    lines: AsyncIterator[str],
    next_deadline: Callable[[], float],
    stalled: Callable[[], UpstreamTimeout],
    redact: Redactor,
) -> AsyncIterator[dict[str, Any]]:
    """The JSON objects of the event stream whose text ``lines`` arrive; each line must come
    before ``next_deadline()`` (a loop time), else ``stalled()`` is raised."""
    while True:
        try:
            async with asyncio.timeout_at(next_deadline()):
                line = await anext(lines)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise stalled() from None
        line = line.strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = jsonio.loads(data)
        except ValueError:
            raise UpstreamBadResponse(
                f"the endpoint's stream sent something that is not JSON: {data[:80]!r}"
            ) from None
        if isinstance(event, dict) and event.get("error"):
            message = error_text(json.dumps(event).encode(), redact)
            raise UpstreamError(f"the model failed while answering ({message}); try again")
        yield event
