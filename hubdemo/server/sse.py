"""Server-sent events, written in one place for every stream hubdemo serves (the page's chat,
``hubdemo endpoint``'s generation routes, Gradio's queue and REST API)."""

from __future__ import annotations

import json
from typing import Any

DONE = "data: [DONE]\n\n"  # how OpenAI's routes end a stream
HEADERS = {"Cache-Control": "no-cache"}


def event(data: Any, name: str | None = None) -> str:
    """One event: ``data`` as JSON, under the event ``name`` when it has one."""
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {json.dumps(data)}\n\n"
