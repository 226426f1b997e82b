"""The interface of session state, and its refusal.

A session (Gradio's ``session_hash``, or ``call:<id>`` for one REST call) has a stream of
messages for its readers (``queue/data``), each read once, and a count of jobs still pending;
a job's event id names its session (for cancel). A reader closes its stream when nothing is
pending and nothing is unread, and ``close_if_idle`` checks both at once, so that a job joined
meanwhile (on any worker) is never lost.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

Message = dict[str, Any]
SESSION_TTL = 300.0  # seconds a session's answers wait for a reader before they are dropped
CONVERSATION_TTL = 3600.0  # seconds a chat conversation is remembered after its last turn
KEEP_FILES = 3600.0  # seconds an uploaded or answered file stays


class SessionState(ABC):
    backend: str  # "in-process" or "redis", as /healthz says
    shared = False  # True: other workers and replicas see it (files must be kept here too)

    async def start(self, on_cancel: Callable[[str], None]) -> None:  # noqa: B027 - optional
        """Begin listening for cancels meant for this worker: ``on_cancel(event_id or
        "session:<hash>")``."""

    async def aclose(self) -> None:  # noqa: B027 - optional
        """Let go of connections."""

    @abstractmethod
    async def health(self) -> dict[str, Any]:
        """``{"backend", "ok", …}`` for /healthz."""

    def check(self) -> None:  # noqa: B027 - optional
        """Raise StateUnavailable when sessions cannot be kept at all (every route asks)."""

    # -- sessions and their messages --------------------------------------------------------

    @abstractmethod
    async def joined(self, session: str, event_id: str) -> None:
        """A job for ``session`` is pending (the session exists from now), and its readers
        are told it starts (in the same step: one round trip less per job)."""

    @abstractmethod
    async def publish(self, session: str, message: Message, *, done: bool = False) -> None:
        """A message for the session's readers; ``done``: the job's last (no longer pending)."""

    @abstractmethod
    async def exists(self, session: str) -> bool: ...

    @abstractmethod
    async def next(self, session: str, timeout: float) -> list[Message]:
        """The session's unread messages, oldest first (each given to one reader), waiting up
        to ``timeout`` seconds for one; [] when none came. Keeps the session alive."""

    @abstractmethod
    async def pending(self, session: str) -> int: ...

    @abstractmethod
    async def close_if_idle(self, session: str) -> bool:
        """Forget the session if no job is pending and no message unread; whether it did."""

    @abstractmethod
    async def forget(self, session: str, *, cancel: bool = True) -> None:
        """Drop the session and its messages; with ``cancel``, every worker cancels its jobs
        (False: it has none left, as after its answer was read)."""

    @abstractmethod
    async def session_of(self, event_id: str) -> str | None:
        """The session of a pending job, whichever worker runs it."""

    @abstractmethod
    async def cancel(self, target: str) -> None:
        """Tell every worker: cancel this event id (or "session:<hash>": its jobs)."""

    # -- chat conversations and files ---------------------------------------------------------

    @abstractmethod
    async def conversation(self, session: str) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def keep_conversation(self, session: str, turns: list[dict[str, Any]]) -> None: ...

    async def keep_file(self, name: str, content: bytes, bound: int = 0) -> None:  # noqa: B027
        """Keep a file for the other workers (``shared``); ``bound``: bytes in all."""

    async def visitor_session(self, visitor: str, ttl: float) -> str | None:
        """The Space session hash of a visitor, the same on every worker (made now if it has
        none, kept ``ttl`` seconds from its last use); None when each process keeps its own."""
        return None

    async def file(self, name: str) -> bytes | None:
        """A file another worker kept; None when there is none (or it expired)."""
        return None


def starts_message(event_id: str) -> Message:
    """What a session's readers hear when one of its jobs is joined."""
    return {"msg": "process_starts", "event_id": event_id, "eta": None}
