"""Session state in this process: the default with one worker. Bounded as the shared one is:
a session nobody reads goes after SESSION_TTL, the least recently used past MAX_SESSIONS, the
oldest conversation past KEEP_CONVERSATIONS."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..errors import StateUnavailable
from .base import SESSION_TTL, Message, SessionState, starts_message

MAX_SESSIONS = 10_000  # sessions kept at once; past it the least recently used goes
KEEP_CONVERSATIONS = 256  # chat sessions remembered; the oldest is forgotten first


class InProcess(SessionState):
    backend = "in-process"

    def __init__(self) -> None:
        self.sessions: dict[str, asyncio.Queue[Message]] = {}
        self.pending_jobs: dict[str, int] = {}  # events of a session not completed yet
        self.jobs: dict[str, str] = {}  # event id -> session
        self.touched: OrderedDict[str, float] = OrderedDict()  # last use, oldest first
        self.conversations: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self.on_cancel: Callable[[str], None] = lambda target: None

    async def start(self, on_cancel: Callable[[str], None]) -> None:
        self.on_cancel = on_cancel

    async def health(self) -> dict[str, Any]:
        return {"backend": self.backend, "ok": True, "sessions": len(self.sessions)}

    async def joined(self, session: str, event_id: str) -> None:
        self._sweep()
        queue = self.sessions.setdefault(session, asyncio.Queue())
        self.pending_jobs[session] = self.pending_jobs.get(session, 0) + 1
        self.jobs[event_id] = session
        self._touch(session)
        queue.put_nowait(starts_message(event_id))

    async def publish(self, session: str, message: Message, *, done: bool = False) -> None:
        if done:
            self.jobs.pop(str(message.get("event_id")), None)
            if session in self.pending_jobs:  # gone if its client left
                self.pending_jobs[session] -= 1
        queue = self.sessions.get(session)
        if queue is not None:
            queue.put_nowait(message)

    async def exists(self, session: str) -> bool:
        return session in self.sessions

    async def next(self, session: str, timeout: float) -> list[Message]:
        queue = self.sessions.get(session)
        if queue is None:
            return []
        self._touch(session)
        try:
            messages = [await asyncio.wait_for(queue.get(), timeout=timeout)]
        except TimeoutError:
            return []
        while not queue.empty():
            messages.append(queue.get_nowait())
        if session in self.sessions:
            self._touch(session)
        return messages

    async def pending(self, session: str) -> int:
        return self.pending_jobs.get(session, 0)

    async def close_if_idle(self, session: str) -> bool:
        queue = self.sessions.get(session)
        if self.pending_jobs.get(session) or (queue is not None and not queue.empty()):
            return False
        await self.forget(session)
        return True

    async def forget(self, session: str, *, cancel: bool = True) -> None:
        self._drop(session)  # its jobs are this process's: the queue cancels them

    def _drop(self, session: str) -> None:
        self.sessions.pop(session, None)
        self.pending_jobs.pop(session, None)
        self.touched.pop(session, None)

    async def session_of(self, event_id: str) -> str | None:
        return self.jobs.get(event_id)

    async def cancel(self, target: str) -> None:
        self.on_cancel(target)

    async def conversation(self, session: str) -> list[dict[str, Any]]:
        return list(self.conversations.get(session, []))

    async def keep_conversation(self, session: str, turns: list[dict[str, Any]]) -> None:
        self.conversations[session] = turns
        self.conversations.move_to_end(session)
        while len(self.conversations) > KEEP_CONVERSATIONS:
            self.conversations.popitem(last=False)

    def _touch(self, session: str) -> None:
        self.touched[session] = time.monotonic()
        self.touched.move_to_end(session)

    def _sweep(self) -> None:
        """Drop the sessions nobody has read for SESSION_TTL seconds (their answers would wait
        for ever), and the least recently used past MAX_SESSIONS (a reader touches its session
        at least every heartbeat, so one being read stays)."""
        old = time.monotonic() - SESSION_TTL
        while self.touched:
            session, at = next(iter(self.touched.items()))
            if at >= old and len(self.touched) <= MAX_SESSIONS:
                return
            self.on_cancel(f"session:{session}")
            self._drop(session)


class StateRefused(InProcess):
    """Several workers and no shared state: the Gradio routes refuse with ``reason`` (503);
    /api/predict needs no session and works."""

    backend = "none"

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def check(self) -> None:
        raise StateUnavailable(self.reason)

    async def health(self) -> dict[str, Any]:
        return {"backend": self.backend, "ok": False, "error": self.reason}
