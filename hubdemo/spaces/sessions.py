"""Whose session on the Space a call runs in. Gradio keeps a visitor's gr.State (and whatever an
app files under ``request.session_hash``) per session, so no two visitors of hubdemo may share
one: ``Visitors`` gives each visitor (a page load, a Gradio-protocol session, an API client
sending X-Hubdemo-Session) a session of its own, and a call without one a new session every
time; ``Clients`` lends gradio_client Clients pointed at the call's session; ``Sessions`` keeps
a ChatInterface's conversations, one session each."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

from ..errors import StateUnavailable, UpstreamRejectedInput
from ..state import SessionState
from .connect import SpaceBinding, connect
from .threads import close_soon, in_thread

log = logging.getLogger("hubdemo")
SWITCH_WAIT = 2.0  # seconds a lent client's previous call may take to close its event stream


class Visitors:
    """Visitor -> the Space session hash hubdemo made for it (a random one: the Space never
    sees the visitor's own id). At most ``capacity`` are kept, each until ``ttl`` seconds
    without a call; a visitor forgotten starts again in a new, empty session. With shared
    state (Redis) every worker and replica gives a visitor the same session."""

    def __init__(self, capacity: int, ttl: float) -> None:
        self.capacity = capacity
        self.ttl = ttl
        self.known: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self.shared: SessionState | None = None

    async def session_for(self, visitor: str | None) -> str:
        if visitor is None:  # shares nothing, not even with its own next call
            return uuid.uuid4().hex
        if self.shared is not None:
            try:
                found = await self.shared.visitor_session(visitor, self.ttl)
            except StateUnavailable as exc:  # answered still, in a session of this process's
                log.warning("a visitor's Space session is this process's own: %s", exc.message)
            else:
                if found is not None:
                    return found
        return self._local(visitor)

    def _local(self, visitor: str) -> str:
        now = time.monotonic()
        while self.known:  # the least recently used first: stop at the first still alive
            oldest, (_, used) = next(iter(self.known.items()))
            if now - used <= self.ttl:
                break
            del self.known[oldest]
        found = self.known.pop(visitor, None)
        session = found[0] if found else uuid.uuid4().hex
        self.known[visitor] = (session, now)
        while len(self.known) > self.capacity:
            self.known.popitem(last=False)
        return session


def point_at(client: Any, session: str) -> bool:
    """Point an idle gradio_client Client at ``session`` (its next call joins the Space's
    queue under that hash). False when its last call's event stream, which belongs to the
    previous session, has not closed within SWITCH_WAIT: that client is not to be used."""
    if client.session_hash == session:
        return True
    deadline = time.monotonic() + SWITCH_WAIT
    while getattr(client, "stream_open", False):  # closed by the Space right after an answer
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    client.session_hash = session
    return True


def _key(history: list[dict[str, Any]], extra: list[Any], visitor: str | None) -> str:
    shown = [{"role": m.get("role"), "content": m.get("content")} for m in history]
    return hashlib.sha256(json.dumps([shown, extra, visitor], sort_keys=True).encode()).hexdigest()


class Sessions:
    """One gradio_client session per conversation. A ChatInterface keeps each conversation's
    history in its session, and hubdemo is stateless (each request brings the whole
    conversation), so the session whose history is exactly the request's is reused; a
    conversation it does not know (another server, an edited history) gets a new session in
    which its earlier user turns are replayed first. A visitor's conversations are its own:
    another visitor with the same words gets another session. At most MAX_SESSIONS are kept."""

    MAX_SESSIONS = 32
    MAX_REPLAY = 8

    def __init__(self, binding: SpaceBinding) -> None:
        self.binding = binding
        self.kept: OrderedDict[str, Any] = OrderedDict()
        self.spare: concurrent.futures.Future[Any] | None = None  # see warm()

    async def take(
        self,
        history: list[dict[str, Any]],
        extra: list[Any],
        visitor: str | None,
        earlier: list[Any] | None = None,
    ) -> Any:
        """The session of this conversation; ``earlier``: its user turns as the Space's
        message box takes them, to replay when it is unknown (default: their text)."""
        found = self.kept.pop(_key(history, extra, visitor), None)
        if found is not None:
            return found
        if earlier is None:
            earlier = [m["content"] for m in history if m.get("role") == "user"]
        if len(earlier) > self.MAX_REPLAY:
            raise UpstreamRejectedInput(
                f"the Space {self.binding.name} keeps each conversation itself and this one is "
                f"unknown here: hubdemo replays at most {self.MAX_REPLAY} earlier turns; start "
                "a new conversation"
            )
        client = await self._fresh()
        for text in earlier:  # rebuild the Space's history of this conversation
            job = client.submit(text, *extra, api_name=self.binding.api_name)
            await in_thread(job.result)
        return client

    def warm(self) -> None:
        """Connect a session for the next new conversation now, in the background: a new
        gradio_client session costs two requests to the Space (seconds for a remote one),
        which the first turn of a conversation would otherwise wait for."""
        if self.spare is None:
            self.spare = concurrent.futures.Future()
            spare = self.spare

            def connected() -> None:
                try:
                    spare.set_result(
                        connect(self.binding.url, self.binding.name, self.binding.token)
                    )
                except BaseException as exc:  # taken by _fresh, which connects anew
                    spare.set_exception(exc)

            threading.Thread(target=connected, name="hubdemo-space-warm", daemon=True).start()

    async def _fresh(self) -> Any:
        """A new session: the one warmed beforehand (and another warmed for the next), else
        one connected now."""
        spare, self.spare = self.spare, None
        self.warm()
        if spare is not None:
            with contextlib.suppress(Exception):
                return await asyncio.wrap_future(spare)
        return await in_thread(connect, self.binding.url, self.binding.name, self.binding.token)

    def keep(
        self, client: Any, history: list[dict[str, Any]], extra: list[Any], visitor: str | None
    ) -> None:
        self.kept[_key(history, extra, visitor)] = client
        while len(self.kept) > self.MAX_SESSIONS:
            _, oldest = self.kept.popitem(last=False)
            oldest.close()

    async def drop(self, client: Any) -> None:
        await in_thread(client.close)

    def close(self) -> None:
        for client in self.kept.values():
            close_soon(client)
        self.kept.clear()
        spare, self.spare = self.spare, None
        if spare is not None:
            spare.add_done_callback(_close_connected)


def _close_connected(done: concurrent.futures.Future[Any]) -> None:
    if done.exception() is None:
        close_soon(done.result())


class Clients:
    """gradio_client Clients of one Space for single calls, each used by one call at a time.
    They share nothing: one client reads one Space stream, in one thread, through a buffer it
    rescans at every chunk, so a huge or endless answer on a shared client held back every
    other call (a 50 MB answer: 4 minutes). A client whose call did not end well (a timeout,
    a client gone, an error) is closed, never reused: its stream may still be running. A
    client is lent pointed at the call's session (Visitors): reusing one is cheap, a new one
    costs two requests to the Space."""

    MAX_IDLE = 8

    def __init__(self, binding: SpaceBinding) -> None:
        self.binding = binding
        self.idle: list[Any] = [binding.client] if binding.client is not None else []

    async def take(self, session: str) -> Any:
        while self.idle:
            client = self.idle.pop()
            if await in_thread(point_at, client, session):
                return client
            close_soon(client)
        client = await in_thread(connect, self.binding.url, self.binding.name, self.binding.token)
        client.session_hash = session  # nothing sent yet: no stream to wait for
        return client

    def give_back(self, client: Any, healthy: bool) -> None:
        if healthy and len(self.idle) < self.MAX_IDLE:
            self.idle.append(client)
        else:
            close_soon(client)

    def close(self) -> None:
        for client in self.idle:
            close_soon(client)
        self.idle.clear()
