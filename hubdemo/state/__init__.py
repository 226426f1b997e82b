"""Where the Gradio protocol keeps its sessions: the events of their jobs, pending counts,
cancels, chat conversations and uploaded files (docs/design.md, "Shared state").

One interface (base.SessionState), two homes: this process (memory.py; the default with one
worker) or Redis (shared.py; ``--state redis://…``), which lets any request of a session land
on any worker or replica. ``open_state`` picks one from the settings.
"""

from __future__ import annotations

from .base import Message, SessionState
from .memory import InProcess, StateRefused

__all__ = ["InProcess", "Message", "SessionState", "StateRefused", "open_state"]

NO_STATE = (
    "Gradio's clients need shared state with several workers: give --state redis://host:6379/0 "
    "(or HUBDEMO_STATE_URL), install redis-server (hubdemo then starts one of its own), or "
    "serve with one worker"
)


def open_state(url: str | None, namespace: str, workers: int) -> SessionState:
    """Redis at ``url``; else this process's memory with one worker; else a refusal that says
    how to share state (several workers cannot keep a session apart in memory)."""
    if url:
        from .shared import InRedis

        return InRedis(url, namespace)
    if workers > 1:
        return StateRefused(NO_STATE)
    return InProcess()
