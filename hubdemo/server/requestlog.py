"""One line per request on stderr, for the operator: when, what, the status, how long, and how
long the model took (``--log-format text|json|off``).

    2026-12-03T18:59:01Z POST /api/predict 200 312 ms (model 298 ms)
    {"time": "2026-12-03T18:59:01Z", "method": "POST", "path": "/api/predict", "status": 200,
     "ms": 312.4, "model_ms": 298.1}

An error's line adds its type and message (what to configure: a token, a gated model's terms).
The page's own files and /healthz (which the page polls while a model loads) are left out.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

QUIET = ("/static/", "/healthz", "/favicon")


def note(scope: Scope, **found: Any) -> None:
    """What a handler adds to its request's line: ``model_seconds``, ``error``."""
    scope.setdefault("state", {}).setdefault("log", {}).update(found)


class RequestLog:
    def __init__(self, app: ASGIApp, fmt: str = "text") -> None:
        self.app = app
        self.fmt = fmt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(QUIET):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the app starts an answer

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self._write(scope, status, time.perf_counter() - started)

    def _write(self, scope: Scope, status: int, seconds: float) -> None:
        found = scope.get("state", {}).get("log", {})
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        model = found.get("model_seconds")
        if self.fmt == "json":
            entry: dict[str, Any] = {
                "time": when, "method": scope["method"], "path": scope["path"],
                "status": status, "ms": round(seconds * 1000, 1),
            }  # fmt: skip
            if model is not None:
                entry["model_ms"] = round(model * 1000, 1)
            if found.get("error"):
                entry["error"] = found["error"]
            line = json.dumps(entry, ensure_ascii=False)
        else:
            line = f"{when} {scope['method']} {scope['path']} {status} {seconds * 1000:.0f} ms"
            if model is not None:
                line += f" (model {model * 1000:.0f} ms)"
            if found.get("error"):
                line += f" · {found['error']}"
        sys.stderr.write(line + "\n")
