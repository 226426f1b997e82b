"""Gradio's REST API, for curl: ``POST /gradio_api/call/<name>`` queues a job and answers its
event id; ``GET /gradio_api/call/<name>/<event_id>`` streams its answer once, as the events
``generating``, ``complete`` and ``error``."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ..errors import StateUnavailable
from ..server import sse
from .queue import HEARTBEAT, Queue, json_body
from .values import applied

# REST answers one client (an address) may leave unread; past it its own oldest is dropped,
# never another client's (an answer read through another worker counts until then). Unread
# answers also go after the state's SESSION_TTL.
MAX_UNREAD_PER_CLIENT = 64
MAX_CLIENTS = 4096  # addresses remembered before those with no unread answer are let go


class Rest:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self.unread: dict[str, deque[str]] = {}  # client address -> its unread calls

    async def call(self, request: Request) -> Response:
        self.queue.state.check()
        fn_index = self._endpoint(request.path_params["name"])
        body = await json_body(request, self.queue.inbound, "call")
        client = request.client.host if request.client else ""
        if len(self.unread) > MAX_CLIENTS:  # many addresses came and went: keep the live ones
            self.unread = {c: q for c, q in self.unread.items() if await self._live(q)}
        mine = self.unread.setdefault(client, deque())
        while len(mine) >= MAX_UNREAD_PER_CLIENT:  # this client's oldest call goes
            await self.queue.forget(mine.popleft())
        event_id = uuid.uuid4().hex
        await self.queue.start(f"call:{event_id}", body.get("data"), fn_index)
        mine.append(f"call:{event_id}")
        return JSONResponse({"event_id": event_id})

    async def _live(self, sessions: Iterable[str]) -> bool:
        for session in sessions:
            if await self.queue.state.exists(session):
                return True
        return False

    async def result(self, request: Request) -> Response:
        self.queue.state.check()
        self._endpoint(request.path_params["name"])
        session = f"call:{request.path_params['event_id']}"
        if not await self.queue.state.exists(session):
            return JSONResponse({"detail": "Event not found."}, status_code=404)
        mine = self.unread.get(request.client.host if request.client else "")
        if mine is not None and session in mine:  # read: no longer this client's to bound
            mine.remove(session)

        async def events() -> AsyncIterator[str]:
            value: Any = None
            answered = False
            try:
                while not answered:
                    messages = await self.queue.state.next(session, HEARTBEAT)
                    if not messages and not await self.queue.state.exists(session):
                        return  # forgotten meanwhile (its client's oldest past the cap)
                    for message in messages:
                        output = message.get("output", {})
                        if message["msg"] == "process_generating":
                            value = applied(value, output["data"][0])
                            yield sse.event([value], "generating")
                        elif message["msg"] == "process_completed":
                            answered = True
                            if message["success"]:
                                yield sse.event(output["data"], "complete")
                            else:
                                yield sse.event(output["error"], "error")
                            break
            except StateUnavailable as exc:
                yield sse.event(exc.message, "error")
            finally:
                # Read once, as Gradio's are; a job answered has nothing left to cancel.
                self.queue.forget_later(session, cancel=not answered)

        return StreamingResponse(events(), media_type="text/event-stream")

    def _endpoint(self, name: str) -> int:
        """The fn_index of endpoint ``name``; 404 naming those there are."""
        names = self.queue.endpoint.names
        if name not in names:
            listed = ", ".join(f"/{n}" for n in names)
            raise HTTPException(404, f"no endpoint /{name[:60]}; this app has {listed}")
        return names.index(name)
