"""A Gradio Space as the upstream, through gradio_client (the maintained client for Gradio
apps: it speaks the queue protocol, uploads files, and knows Gradio 4, 5 and 6 servers).

A request's media (data URLs) go to the Space as files; files in the answer are fetched from the
Space and handed on as data URLs, like every file hubdemo shows. gradio_client blocks, so each
call runs in a thread, bounded by the total deadline (``--timeout``); errors become hubdemo's
statuses with the Space's own message.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from pathlib import Path
from typing import Any

from ..errors import (
    HubdemoError,
    UpstreamTimeout,
)
from ..settings import BackendOptions
from ..upstream.base import Upstream
from ..upstream.http import DEFAULT_TOTAL
from ..wire import WireRequest, WireResponse
from .chat import SpaceChatTask
from .connect import SpaceBinding
from .failures import space_error
from .files import AnswerFiles, Budget, as_file
from .jobs import chat_text, drain, updates, watched
from .sessions import Clients, Sessions, Visitors
from .threads import cancel_soon, in_thread
from .values import reply_text

log = logging.getLogger("hubdemo")
MAX_ANSWER_BYTES = BackendOptions.max_answer_mb * 2**20


class SpaceUpstream(Upstream):
    kind = "space"
    can_stream = True

    def __init__(
        self,
        binding: SpaceBinding,
        *,
        timeout: float | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_sessions: int = BackendOptions.max_sessions,
        session_ttl: float = BackendOptions.session_ttl,
    ) -> None:
        self.binding = binding
        self.timeout = DEFAULT_TOTAL if timeout is None else timeout
        self.max_answer_bytes = max_answer_bytes
        self.model_id = binding.name
        self.secrets = (binding.token,) if binding.token else ()
        self.sessions = Sessions(binding)
        self.visitors = Visitors(max_sessions, session_ttl)
        self.clients = Clients(binding)  # None in it when replaying a recording
        self.files = AnswerFiles(binding.name, binding.url, self.timeout, max_answer_bytes)

    def start(self) -> None:
        """A ChatInterface's first conversation is connected before it is needed."""
        task = self.binding.task
        if isinstance(task, SpaceChatTask) and task.reply is None and self.binding.tape is None:
            self.sessions.warm()

    def share_state(self, state: Any) -> None:
        self.visitors.shared = state  # a visitor's session, the same on every replica

    def url_for(self, route: str) -> str:
        return f"{self.binding.url} {self.binding.api_name}"

    async def send(self, request: WireRequest) -> WireResponse:
        body = request.json or {}
        if request.route == "chat":  # a ChatInterface: its answer, whole
            text, reason, pieces = "", "stop", 0
            async for piece, finish in self._chat(body, request.session):
                text, reason, pieces = text + piece, finish or reason, pieces + bool(piece)
            completion = self._completion(text, reason, pieces)
            return WireResponse(200, "application/json", payload=completion)
        tape = self.binding.tape
        if tape is not None and tape.replaying:
            recorded = tape.answer(self.binding.name, body)
            return WireResponse(status=200, content_type="application/json", payload=recorded)
        fetched: list[Any] = []
        warnings: tuple[str, ...] = ()
        async with aclosing(self._run(request, watch=False)) as events:
            async for kind, value in events:
                if kind == "done":
                    fetched, warnings = value
        if tape is not None:
            tape.keep_answer(self.binding.name, body, fetched)
        return WireResponse(200, "application/json", payload=fetched, warnings=warnings)

    async def stream_values(self, request: WireRequest) -> AsyncGenerator[dict[str, Any], None]:
        """A Space endpoint's run as it goes: {"progress": [units]} when its gr.Progress
        moves, {"partial": values} for each value a generator yields (the latest, when
        several came at once), then {"values": values, "warnings": [...]}; files as data
        URLs, as in ``send``."""
        async with aclosing(self._run(request, watch=True)) as events:
            async for kind, value in events:
                if kind == "done":
                    yield {"values": value[0], "warnings": list(value[1])}
                else:
                    yield {kind: value}

    async def _run(
        self, request: WireRequest, watch: bool
    ) -> AsyncGenerator[tuple[str, Any], None]:
        """The endpoint's run on the request's arguments (data URLs uploaded as files) in the
        visitor's session, within --timeout (the job cancelled when the time is up or the
        asker leaves): with ``watch``, ("progress", units) and ("partial", values) as it
        goes; then ("done", (values, warnings))."""
        body = request.json or {}
        started = time.monotonic()
        client = await self.clients.take(await self.visitors.session_for(request.session))
        healthy = False
        said: list[str] = []
        try:
            with tempfile.TemporaryDirectory(prefix="hubdemo-space-") as folder:
                args = [as_file(v, Path(folder), i) for i, v in enumerate(body["args"])]
                job = client.submit(*args, api_name=body["api_name"])
                try:
                    async with asyncio.timeout(self.timeout):
                        if watch:
                            async for kind, value in watched(job, said):
                                if kind == "partial":
                                    value = await self._fetched(value, started, client)
                                yield kind, value
                        result = await in_thread(job.result)
                except TimeoutError:
                    cancel_soon(job)
                    raise UpstreamTimeout(
                        f"the Space {self.binding.name} did not answer within "
                        f"{self.timeout:g} s; try again, or raise --timeout"
                    ) from None
                except (asyncio.CancelledError, GeneratorExit):
                    cancel_soon(job)  # the asker left: the Space's queue drops the job
                    raise
                except HubdemoError:
                    raise
                except Exception as exc:
                    raise self._error(exc) from None
            fetched = await self._fetched(result, started, client)
            healthy = True
        finally:
            self.clients.give_back(client, healthy)
        said += drain(job)
        yield "done", (fetched, tuple(dict.fromkeys(said)))

    async def _fetched(self, result: Any, started: float, client: Any) -> list[Any]:
        """The endpoint's values (a tuple for several outputs), files fetched as data URLs."""
        values = list(result) if isinstance(result, tuple) else [result]
        budget = Budget(started + self.timeout, self.max_answer_bytes)
        return await in_thread(lambda: [self.files.to_urls(v, budget, client) for v in values])

    async def stream(self, request: WireRequest) -> AsyncGenerator[dict[str, Any], None]:
        """A chat's answer as chat.completion.chunk objects, piece by piece."""
        created = int(time.time())
        async for piece, finish in self._chat(request.json or {}, request.session):
            delta = {"role": "assistant", "content": piece} if piece else {}
            choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
            yield {**self._head("chat.completion.chunk", created), "choices": [choice]}

    async def _chat(
        self, body: dict[str, Any], visitor: str | None
    ) -> AsyncGenerator[tuple[str, str | None], None]:
        """(new text, None) as the Space writes its answer, then ("", finish reason).

        A ChatInterface keeps the conversation in its session: the visitor's session whose
        history is the request's is used (see Sessions). A chatbot built with gr.Blocks is
        handed the whole history with each call (``body["reply"]``: which of its outputs is
        the Chatbot): any client of the visitor's session will do. Pictures in a message
        (a MultimodalTextbox's) go as files."""
        history, args, reply = body["history"], body["args"], body.get("reply")
        with tempfile.TemporaryDirectory(prefix="hubdemo-space-") as folder:
            sent = [as_file(v, Path(folder), i) for i, v in enumerate(args)]
            text_of: Callable[[Any], str]
            if reply is None:
                replay = body.get("replay")
                if replay is not None:
                    replay = [as_file(v, Path(folder), f"r{i}") for i, v in enumerate(replay)]
                client = await self.sessions.take(history, args[1:], visitor, replay)
                text_of = chat_text
            else:
                client = await self.clients.take(await self.visitors.session_for(visitor))
                text_of = lambda value: reply_text(value, reply, self.binding.name)  # noqa: E731
            final = ""
            async for piece, whole in self._written(client, sent, body["api_name"], text_of, reply):
                if whole is None:
                    yield piece, None
                else:
                    final = whole
        if reply is None:
            user = {"role": "user", "content": body.get("said", args[0])}
            answered = [*history, user, {"role": "assistant", "content": final}]
            self.sessions.keep(client, answered, args[1:], visitor)
        yield "", "stop"

    async def _written(
        self,
        client: Any,
        args: list[Any],
        api_name: str,
        text_of: Callable[[Any], str],
        reply: int | None,
    ) -> AsyncGenerator[tuple[str, str | None], None]:
        """(new text, None) as the Space writes the chat answer, then ("", the whole answer);
        the client given back (a Blocks chat's) or dropped (a ChatInterface's, if it failed)."""
        answer = ""
        healthy = False
        try:
            job = client.submit(*args, api_name=api_name)
            async with asyncio.timeout(self.timeout):
                async for written in updates(job):
                    text = text_of(written)
                    if text.startswith(answer):
                        piece, answer = text[len(answer) :], text
                        if piece:
                            yield piece, None
                result = await in_thread(job.result)
            final = text_of(result)
            healthy = True
        except TimeoutError:
            cancel_soon(job)
            raise UpstreamTimeout(
                f"the Space {self.binding.name} did not answer within {self.timeout:g} s"
            ) from None
        except (asyncio.CancelledError, GeneratorExit):
            cancel_soon(job)
            raise
        except HubdemoError:
            raise
        except Exception as exc:
            raise self._error(exc) from None
        finally:
            if reply is not None:
                self.clients.give_back(client, healthy)
            elif not healthy:
                await self.sessions.drop(client)
        if final.startswith(answer) and final != answer:
            yield final[len(answer) :], None
        yield "", final

    def _head(self, kind: str, created: int) -> dict[str, Any]:
        return {
            "id": f"space-{time.time_ns()}",
            "object": kind,
            "created": created,
            "model": self.binding.name,
            "system_fingerprint": "gradio",
        }

    def _completion(self, text: str, reason: str, pieces: int) -> dict[str, Any]:
        message = {"role": "assistant", "content": text}
        choice = {"index": 0, "message": message, "finish_reason": reason, "logprobs": None}
        # A Space counts no tokens: the pieces it wrote stand in, as for a stream's usage.
        usage = {"prompt_tokens": 0, "completion_tokens": pieces, "total_tokens": pieces}
        head = self._head("chat.completion", int(time.time()))
        return {**head, "choices": [choice], "usage": usage}

    def _error(self, exc: Exception) -> HubdemoError:
        return space_error(exc, self.binding.name)

    async def aclose(self) -> None:
        """Let go of the Space's sessions; not waited for (a client's close waits on its
        heartbeat thread, a second each)."""
        self.sessions.close()
        self.clients.close()
