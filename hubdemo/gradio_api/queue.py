"""Gradio's queue: jobs joined (``POST /gradio_api/queue/join``), their events streamed per
session (``GET /gradio_api/queue/data``, sse_v3), cancelled (``POST /gradio_api/cancel``) or
dropped when their client leaves; and a chat model's conversation per session, as a
ChatInterface keeps its state. The sessions live in a SessionState (hubdemo/state/): this
process's memory, or Redis shared by every worker, so that a job joined on one worker streams
to a reader on another. This worker keeps only the tasks of the jobs it runs."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ..errors import HubdemoError, InputError, StateUnavailable
from ..server import sse
from ..server.bodies import Inbound
from ..state import Message, SessionState
from .describe import Endpoint
from .files import FileStore
from .values import body_of, failed, gradio_values, message_text

log = logging.getLogger("hubdemo")
HEARTBEAT = 15.0  # seconds of silence before a queue/data stream says it is still there

# A body and the visitor it is for (a Space keeps a session per visitor; None: shares none).
Predict = Callable[[dict[str, Any], str | None], Awaitable[dict[str, Any]]]
Stream = Callable[[dict[str, Any], str | None], AsyncGenerator[dict[str, Any], None]]


class Queue:
    def __init__(
        self,
        endpoint: Endpoint,
        files: FileStore,
        inbound: Inbound,
        targets: list[tuple[Predict, Stream | None]],
        state: SessionState,
    ) -> None:
        self.endpoint = endpoint
        self.files = files
        self.inbound = inbound
        self.targets = targets  # by fn_index: what answers each endpoint name
        self.state = state
        self.jobs: dict[str, tuple[str, asyncio.Task[None]]] = {}  # event id: session, job
        self.chores: set[asyncio.Task[None]] = set()  # clean-ups of clients that left

    async def join(self, request: Request) -> Response:
        self.state.check()
        body = await json_body(request, self.inbound, "queue/join")
        names = self.endpoint.names
        fn_index = body.get("fn_index", 0)
        if fn_index not in range(len(names)):
            listed = ", ".join(f"{i} (/{name})" for i, name in enumerate(names))
            raise InputError(f"this app's endpoints are fn_index {listed}")
        session = str(body.get("session_hash") or uuid.uuid4())
        return JSONResponse({"event_id": await self.start(session, body.get("data"), fn_index)})

    async def start(self, session: str, data: Any, fn_index: int = 0) -> str:
        """Queue a job on ``data`` for ``session`` at endpoint ``fn_index``; its event id."""
        if not isinstance(data, list):
            raise InputError('"data" must be a list of values')
        event_id = uuid.uuid4().hex
        await self.state.joined(session, event_id)
        job = asyncio.create_task(self._run(session, event_id, data, fn_index))
        self.jobs[event_id] = (session, job)
        return event_id

    def cancelled(self, target: str) -> None:
        """A cancel from any worker: an event id, or "session:<hash>" (its client left)."""
        if target.startswith("session:"):
            session = target.removeprefix("session:")
            for owner, job in list(self.jobs.values()):
                if owner == session:
                    job.cancel()
        elif (entry := self.jobs.get(target)) is not None:
            entry[1].cancel()

    async def forget(self, session: str, *, cancel: bool = True) -> None:
        """Drops a session's messages; with ``cancel``, its jobs too (on every worker)."""
        if cancel:
            self.cancelled(f"session:{session}")
        await self.state.forget(session, cancel=cancel)

    def forget_later(self, session: str, *, cancel: bool = True) -> None:
        """forget(), from a stream being torn down (its own awaits would be cancelled)."""
        chore = asyncio.create_task(self.forget(session, cancel=cancel))
        self.chores.add(chore)
        chore.add_done_callback(self._chore_done)

    def _chore_done(self, chore: asyncio.Task[None]) -> None:
        self.chores.discard(chore)
        if not chore.cancelled() and isinstance(chore.exception(), StateUnavailable):
            log.warning("a session was not forgotten: %s", chore.exception())  # its TTL will

    async def _run(self, session: str, event_id: str, data: list[Any], fn_index: int) -> None:
        predict, stream = self.targets[fn_index]
        try:
            if stream is not None:
                # A compare demo keeps a conversation per model in the one session.
                kept = session if len(set(self.targets)) == 1 else f"{session}/{fn_index}"
                values: list[Any] = [await self._chat(session, event_id, data, stream, kept)]
            else:
                await self.files.pull(data)
                body = body_of(data, self.endpoint, self.files)
                answer = await predict(body, visitor(session))
                values = gradio_values(answer, self.endpoint, self.files)
                await self.files.share()
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
        await self._say(session, message, done=True)

    async def _say(self, session: str, message: Message, *, done: bool = False) -> None:
        try:
            await self.state.publish(session, message, done=done)
        except StateUnavailable as exc:  # its reader hears of it from the state too
            log.warning("event %s not delivered: %s", message.get("event_id"), exc.message)

    async def _chat(
        self, session: str, event_id: str, data: list[Any], stream: Stream, kept: str
    ) -> str:
        """Streams the reply to ``data``'s message as Gradio's diffs (the first event carries
        the value, each next one what it appends) and keeps the turn in the conversation
        ``kept`` (the session's, or its conversation with one model of a compare demo)."""
        message = message_text(data[0] if data else None)
        history = await self.state.conversation(kept)
        parameters = body_of(data, self.endpoint, self.files).get("parameters", {})
        turn = {"role": "user", "content": message}
        body = {"messages": [*history, turn], **parameters}
        reply, first = "", True
        async with aclosing(stream(body, visitor(session))) as events:
            async for event in events:
                delta = event.get("delta")
                if not delta:
                    continue
                reply += delta
                value = [reply] if first else [[["append", [], delta]]]
                first = False
                generating = {"msg": "process_generating", "event_id": event_id,
                              "output": {"data": value}, "success": True}  # fmt: skip
                await self._say(session, generating)
        turns = [*history, turn, {"role": "assistant", "content": reply}]
        await self.state.keep_conversation(kept, turns)
        return reply

    async def data(self, request: Request) -> Response:
        self.state.check()
        session = request.query_params.get("session_hash", "")
        if not await self.state.exists(session):
            return JSONResponse({"detail": "Session not found."}, status_code=404)

        async def events() -> AsyncIterator[str]:
            done = False
            try:
                async for event in self._events(session):
                    yield event
                done = True
            finally:
                if not done:  # the client left: its jobs are of no use to anyone
                    self.forget_later(session)

        return StreamingResponse(events(), media_type="text/event-stream")

    async def _events(self, session: str) -> AsyncIterator[str]:
        try:
            while True:
                messages = await self.state.next(session, HEARTBEAT)
                if not messages:
                    # Another reader had the session's last answer, or it never had a job:
                    # no event will ever come, and a stream must not outlive its events.
                    if not await self.state.pending(session):
                        yield sse.event({"msg": "close_stream"})
                        return
                    yield sse.event({"msg": "heartbeat"})
                    continue
                events = "".join(sse.event(message) for message in messages)
                completed = any(m["msg"] == "process_completed" for m in messages)
                if completed and await self.state.close_if_idle(session):  # nothing pending
                    # In the same write as the answer: a client that joins its next job on
                    # reading the answer has heard the stream close first (else it waits on
                    # this stream for the new job's events, which never come).
                    yield events + sse.event({"msg": "close_stream"})
                    return
                yield events
        except StateUnavailable as exc:  # said to the client, never a hang
            yield sse.event({"msg": "unexpected_error", "message": exc.message, "success": False})

    async def cancel(self, request: Request) -> Response:
        self.state.check()
        body = await json_body(request, self.inbound, "cancel")
        event_id = str(body.get("event_id"))
        if (entry := self.jobs.get(event_id)) is not None:
            entry[1].cancel()
            return JSONResponse({"success": True})
        known = await self.state.session_of(event_id) is not None
        if known:  # another worker runs it
            await self.state.cancel(event_id)
        return JSONResponse({"success": known})


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
