"""A ChatInterface Space's conversations: one gradio_client session per conversation."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

from ..errors import UpstreamRejectedInput
from .connect import SpaceBinding, connect
from .threads import close_soon, in_thread


def _key(history: list[dict[str, Any]], extra: list[Any]) -> str:
    shown = [{"role": m.get("role"), "content": m.get("content")} for m in history]
    return hashlib.sha256(json.dumps([shown, extra], sort_keys=True).encode()).hexdigest()


class Sessions:
    """One gradio_client session per conversation. A ChatInterface keeps each conversation's
    history in its session, and hubdemo is stateless (each request brings the whole
    conversation), so the session whose history is exactly the request's is reused; a
    conversation it does not know (another server, an edited history) gets a new session in
    which its earlier user turns are replayed first. At most MAX_SESSIONS are kept."""

    MAX_SESSIONS = 32
    MAX_REPLAY = 8

    def __init__(self, binding: SpaceBinding) -> None:
        self.binding = binding
        self.kept: OrderedDict[str, Any] = OrderedDict()

    async def take(self, history: list[dict[str, Any]], extra: list[Any]) -> Any:
        found = self.kept.pop(_key(history, extra), None)
        if found is not None:
            return found
        earlier = [m["content"] for m in history if m.get("role") == "user"]
        if len(earlier) > self.MAX_REPLAY:
            raise UpstreamRejectedInput(
                f"the Space {self.binding.name} keeps each conversation itself and this one is "
                f"unknown here: hubdemo replays at most {self.MAX_REPLAY} earlier turns; start "
                "a new conversation"
            )
        client = await in_thread(connect, self.binding.url, self.binding.name, self.binding.token)
        for text in earlier:  # rebuild the Space's history of this conversation
            job = client.submit(text, *extra, api_name=self.binding.api_name)
            await in_thread(job.result)
        return client

    def keep(self, client: Any, history: list[dict[str, Any]], extra: list[Any]) -> None:
        self.kept[_key(history, extra)] = client
        while len(self.kept) > self.MAX_SESSIONS:
            _, oldest = self.kept.popitem(last=False)
            oldest.close()

    async def drop(self, client: Any) -> None:
        await in_thread(client.close)

    def close(self) -> None:
        for client in self.kept.values():
            close_soon(client)
        self.kept.clear()


class Clients:
    """gradio_client Clients of one Space for single calls, each used by one call at a time.
    They share nothing: one client reads one Space stream, in one thread, through a buffer it
    rescans at every chunk, so a huge or endless answer on a shared client held back every
    other call (a 50 MB answer: 4 minutes). A client whose call did not end well (a timeout,
    a client gone, an error) is closed, never reused: its stream may still be running."""

    MAX_IDLE = 8

    def __init__(self, binding: SpaceBinding) -> None:
        self.binding = binding
        self.idle: list[Any] = [binding.client] if binding.client is not None else []

    async def take(self) -> Any:
        if self.idle:
            return self.idle.pop()
        return await in_thread(connect, self.binding.url, self.binding.name, self.binding.token)

    def give_back(self, client: Any, healthy: bool) -> None:
        if healthy and len(self.idle) < self.MAX_IDLE:
            self.idle.append(client)
        else:
            close_soon(client)

    def close(self) -> None:
        for client in self.idle:
            close_soon(client)
        self.idle.clear()
