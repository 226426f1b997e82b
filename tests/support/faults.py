"""Faults the emulator injects into inference answers, chosen per test (or per soak run).

    latency        every answer waits this long first
    rate_limit     429 with Retry-After (and the Hub's RateLimit header)
    loading        503 {"error": ..., "estimated_time": s}, as the router says while a model loads
    server_error   500 {"error": "Internal Server Error"}
    reset          the connection drops in the middle of the answer
    drip           the recorded answer, a few bytes at a time, slowly
    garbage        200 with an HTML page instead of JSON
    truncated      200 with JSON cut short
    wrong_type     200 with random bytes as application/octet-stream
    stream_error   200 text/event-stream: one token, then {"error": ...} (a failure midway)

A plan picks faults by rule: ``every={"rate_limit": 3}`` (every 3rd request), ``loading_for=2``
(503 for the first 2 s), ``mix=0.1`` (10% of requests, spread over ``kinds``, seeded).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

KINDS = (
    "rate_limit",
    "loading",
    "server_error",
    "reset",
    "garbage",
    "truncated",
    "wrong_type",
)


@dataclass
class FaultPlan:
    latency: float = 0.0
    every: dict[str, int] = field(default_factory=dict)
    loading_for: float = 0.0
    estimated_time: float = 0.2
    retry_after: float = 0.2
    drip_seconds: float = 0.0
    mix: float = 0.0
    kinds: tuple[str, ...] = KINDS
    seed: int = 0
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def pick(self, number: int) -> str | None:
        """The fault for the ``number``-th inference request (1-based), or None."""
        if self.loading_for and time.monotonic() - self.started < self.loading_for:
            return "loading"
        for kind, every in self.every.items():
            if every and number % every == 0:
                return kind
        if self.mix and self._random.random() < self.mix:
            return self._random.choice(self.kinds)
        if self.drip_seconds:
            return "drip"
        return None


class _Reset(Response):
    """Starts an answer, then drops the connection (the server errors out mid-body)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"999")],
            }
        )
        await send({"type": "http.response.body", "body": b'[{"lab', "more_body": True})
        raise ConnectionResetError("emulator: dropping the connection on purpose")


def respond(kind: str, plan: FaultPlan, recorded: bytes, content_type: str) -> Response:
    if kind == "rate_limit":
        seconds = max(1, round(plan.retry_after))
        headers = {
            "Retry-After": f"{plan.retry_after:g}",
            "RateLimit": f'"api";r=0;t={seconds}',
            "RateLimit-Policy": '"fixed window";"api";q=1000;w=300',
        }
        return JSONResponse(
            {"error": "You have exceeded your monthly included credits"}, 429, headers=headers
        )
    if kind == "loading":
        body = {
            "error": "Model is currently loading",
            "estimated_time": plan.estimated_time,
        }
        return JSONResponse(body, 503)
    if kind == "server_error":
        return JSONResponse({"error": "Internal Server Error"}, 500)
    if kind == "reset":
        return _Reset()
    if kind == "garbage":
        return Response("<html><body>502 Bad Gateway</body></html>", 200, media_type="text/html")
    if kind == "truncated":
        return Response(recorded[: max(1, len(recorded) // 2)], 200, media_type=content_type)
    if kind == "wrong_type":
        return Response(bytes(range(256)) * 4, 200, media_type="application/octet-stream")
    if kind == "stream_error":
        chunk = {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Two"}}]}
        failure = {"error": "Input validation error: the model ran out of memory"}
        body = f"data:{json.dumps(chunk)}\n\ndata:{json.dumps(failure)}\n\n"
        return Response(body, 200, media_type="text/event-stream")
    if kind == "drip":

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(recorded), 8):
                await asyncio.sleep(plan.drip_seconds)
                yield recorded[start : start + 8]

        return StreamingResponse(chunks(), 200, media_type=content_type)
    raise ValueError(f"unknown fault {kind}")
