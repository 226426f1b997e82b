"""Gradio's queue: jobs joined (``POST /gradio_api/queue/join``), their events streamed per
session (``GET /gradio_api/queue/data``, sse_v3), cancelled (``POST /gradio_api/cancel``) or
dropped when their client leaves; and a chat model's conversation per session, as a
ChatInterface keeps its state. All of the protocol's session state lives here."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ..errors import HubdemoError, InputError
from ..server import sse
from ..server.bodies import Inbound
from .describe import Endpoint
from .files import FileStore
from .values import body_of, failed, gradio_values, message_text

log = logging.getLogger("hubdemo")
KEEP_CONVERSATIONS = 256  # chat sessions remembered; the oldest is forgotten first
HEARTBEAT = 15.0  # seconds of silence before a queue/data stream says it is still there
SESSION_TTL = 300.0  # seconds a session's answers wait for a reader before they are dropped
MAX_SESSIONS = 10_000  # sessions kept at once; past it the least recently used goes

# A body and the visitor it is for (a Space keeps a session per visitor; None: shares none).
Predict = Callable[[dict[str, Any], str | None], Awaitable[dict[str, Any]]]
Stream = Callable[[dict[str, Any], str | None], AsyncGenerator[dict[str, Any], None]]
Message = dict[str, Any]


class Queue:
    def __init__(
        self,
        endpoint: Endpoint,
        files: FileStore,
        inbound: Inbound,
        predict: Predict,
        stream: Stream | None,
    ) -> None:
        self.endpoint = endpoint
        self.files = files
        self.inbound = inbound
        self.predict = predict
        self.stream = stream
        self.sessions: dict[str, asyncio.Queue[Message]] = {}
        self.pending: dict[str, int] = {}  # events of a session not completed yet
        self.jobs: dict[str, tuple[str, asyncio.Task[None]]] = {}  # event id: session, job
        self.conversations: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self.touched: OrderedDict[str, float] = OrderedDict()  # last use, oldest first
        self.readers: dict[str, int] = {}  # open queue/data streams of a session

    async def join(self, request: Request) -> Response:
        body = await json_body(request, self.inbound, "queue/join")
        if body.get("fn_index", 0) not in range(len(self.endpoint.names)):
            raise InputError("this app has one endpoint, fn_index 0 (/predict)")
        session = str(body.get("session_hash") or uuid.uuid4())
        return JSONResponse({"event_id": self.start(session, body.get("data"))})

    def start(self, session: str, data: Any) -> str:
        """Queue a job on ``data`` for ``session``; its event id."""
        if not isinstance(data, list):
            raise InputError('"data" must be a list of values')
        self.sweep()
        event_id = uuid.uuid4().hex
        queue = self.sessions.setdefault(session, asyncio.Queue())
        self._touch(session)
        self.pending[session] = self.pending.get(session, 0) + 1
        job = asyncio.create_task(self._run(session, event_id, data, queue))
        self.jobs[event_id] = (session, job)
        return event_id

    def forget(self, session: str) -> None:
        """Cancels a session's jobs and drops its queue."""
        for owner, job in list(self.jobs.values()):
            if owner == session:
                job.cancel()
        self.sessions.pop(session, None)
        self.pending.pop(session, None)
        self.touched.pop(session, None)

    def sweep(self) -> None:
        """Drop the sessions nobody has read for SESSION_TTL seconds (their answers would wait
        for ever), and the least recently used past MAX_SESSIONS; one being read stays."""
        old = time.monotonic() - SESSION_TTL
        while self.touched:
            session, at = next(iter(self.touched.items()))
            if at >= old and len(self.touched) <= MAX_SESSIONS:
                return
            if self.readers.get(session):
                self._touch(session)  # read now: not idle
                continue
            self.forget(session)

    def _touch(self, session: str) -> None:
        self.touched[session] = time.monotonic()
        self.touched.move_to_end(session)

    async def _run(
        self, session: str, event_id: str, data: list[Any], queue: asyncio.Queue[Message]
    ) -> None:
        queue.put_nowait({"msg": "process_starts", "event_id": event_id, "eta": None})
        try:
            if self.stream is not None:
                values: list[Any] = [await self._chat(session, event_id, data, queue)]
            else:
                body = body_of(data, self.endpoint, self.files)
                answer = await self.predict(body, visitor(session))
                values = gradio_values(answer, self.endpoint, self.files)
            message = {
                "msg": "process_completed",
                "event_id": event_id,
                "output": {"data": values},
                "success": True,
            }
        except asyncio.CancelledError:
            message = failed(event_id, "cancelled", "Cancelled")
        except HubdemoError as exc:  # the client raises it as AppError with hubdemo's words
            message = failed(event_id, exc.message, type(exc).__name__)
        except Exception:  # never a silent hang: the client hears that it failed
            log.exception("the Gradio route failed for event %s", event_id)
            message = failed(event_id, "internal error; see the server log", "Error")
        finally:
            self.jobs.pop(event_id, None)
            if session in self.pending:  # gone if its client left
                self.pending[session] -= 1
        queue.put_nowait(message)

    async def _chat(
        self, session: str, event_id: str, data: list[Any], queue: asyncio.Queue[Message]
    ) -> str:
        """Streams the reply to ``data``'s message as Gradio's diffs (the first event carries
        the value, each next one what it appends) and keeps the turn in the conversation."""
        assert self.stream is not None
        message = message_text(data[0] if data else None)
        history = self.conversations.get(session, [])
        parameters = body_of(data, self.endpoint, self.files).get("parameters", {})
        turn = {"role": "user", "content": message}
        body = {"messages": [*history, turn], **parameters}
        reply, first = "", True
        async with aclosing(self.stream(body, visitor(session))) as events:
            async for event in events:
                delta = event.get("delta")
                if not delta:
                    continue
                reply += delta
                value = [reply] if first else [[["append", [], delta]]]
                first = False
                queue.put_nowait(
                    {
                        "msg": "process_generating",
                        "event_id": event_id,
                        "output": {"data": value},
                        "success": True,
                    }
                )
        self.conversations[session] = [*history, turn, {"role": "assistant", "content": reply}]
        self.conversations.move_to_end(session)
        while len(self.conversations) > KEEP_CONVERSATIONS:
            self.conversations.popitem(last=False)
        return reply

    async def data(self, request: Request) -> Response:
        session = request.query_params.get("session_hash", "")
        if session not in self.sessions:
            return JSONResponse({"detail": "Session not found."}, status_code=404)
        queue = self.sessions[session]

        async def events() -> AsyncIterator[str]:
            done = False
            self.readers[session] = self.readers.get(session, 0) + 1
            try:
                async for event in self._events(session, queue):
                    yield event
                done = True
            finally:
                self.readers[session] -= 1
                if not self.readers[session]:
                    del self.readers[session]
                if not done:  # the client left: its jobs are of no use to anyone
                    self.forget(session)

        return StreamingResponse(events(), media_type="text/event-stream")

    async def _events(self, session: str, queue: asyncio.Queue[Message]) -> AsyncIterator[str]:
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=HEARTBEAT)
            except TimeoutError:
                # Another reader had the session's last answer, or it never had a job: no
                # event will ever come, and a stream must not outlive its events.
                if self.sessions.get(session) is not queue or not self.pending.get(session):
                    yield sse.event({"msg": "close_stream"})
                    return
                yield sse.event({"msg": "heartbeat"})
                continue
            self._touch(session)
            yield sse.event(message)
            idle = not self.pending.get(session) and queue.empty()
            if message["msg"] == "process_completed" and idle:  # nothing pending: close
                yield sse.event({"msg": "close_stream"})
                self.forget(session)
                return

    async def cancel(self, request: Request) -> Response:
        body = await json_body(request, self.inbound, "cancel")
        entry = self.jobs.get(str(body.get("event_id")))
        if entry is not None:
            entry[1].cancel()
        return JSONResponse({"success": entry is not None})


async def json_body(request: Request, inbound: Inbound, route: str) -> dict[str, Any]:
    """A route's JSON object body, read within the server's bounds, or a 4xx that says why."""
    body = await inbound.json(request)
    if not isinstance(body, dict):
        raise InputError(f'{route} takes a JSON object: {{"data": [...]}}')
    return body


def visitor(session: str) -> str | None:
    """The visitor a Gradio-protocol session speaks for; None for a REST call (``call:…``),
    which is one call and no session."""
    return None if session.startswith("call:") else f"gradio:{session}"
