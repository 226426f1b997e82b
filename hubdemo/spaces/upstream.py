"""A Gradio Space as the upstream, through gradio_client (the maintained client for Gradio
apps: it speaks the queue protocol, uploads files, and knows Gradio 4, 5 and 6 servers).

A request's media (data URLs) go to the Space as files; files in the answer are fetched from the
Space and handed on as data URLs, like every file hubdemo shows. gradio_client blocks, so each
call runs in a thread, bounded by the total deadline (``--timeout``); errors become hubdemo's
statuses with the Space's own message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    HubdemoError,
    UpstreamBadResponse,
    UpstreamTimeout,
    UpstreamUnreachable,
)
from ..media import decode_base64, file_name, file_type, file_url
from ..net import same_origin
from ..settings import BackendOptions
from ..upstream.base import Upstream
from ..upstream.http import DEFAULT_TOTAL
from ..wire import WireRequest, WireResponse
from .connect import SpaceBinding
from .failures import plain_text, space_error
from .sessions import Clients, Sessions, Visitors
from .threads import cancel_soon, in_thread
from .values import reply_text

log = logging.getLogger("hubdemo")
MAX_ANSWER_BYTES = BackendOptions.max_answer_mb * 2**20
POLL = 0.02  # seconds between two looks at a streaming job's outputs
PROGRESS_POLL = 0.05  # seconds between two looks at a watched job's outputs and progress


@dataclass
class Budget:
    """What fetching one answer's files may still take: time (a time.monotonic() deadline) and
    bytes, all files together."""

    deadline: float
    room: int


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
        client = await self.clients.take(self.visitors.session_for(request.session))
        healthy = False
        said: list[str] = []
        try:
            with tempfile.TemporaryDirectory(prefix="hubdemo-space-") as folder:
                args = [_as_file(v, Path(folder), i) for i, v in enumerate(body["args"])]
                job = client.submit(*args, api_name=body["api_name"])
                try:
                    async with asyncio.timeout(self.timeout):
                        if watch:
                            async for kind, value in _watched(job, said):
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
        said += _drain(job)
        yield "done", (fetched, tuple(dict.fromkeys(said)))

    async def _fetched(self, result: Any, started: float, client: Any) -> list[Any]:
        """The endpoint's values (a tuple for several outputs), files fetched as data URLs."""
        values = list(result) if isinstance(result, tuple) else [result]
        budget = Budget(started + self.timeout, self.max_answer_bytes)
        return await in_thread(lambda: [self._files_to_urls(v, budget, client) for v in values])

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
        the Chatbot): any client of the visitor's session will do."""
        history, args, reply = body["history"], body["args"], body.get("reply")
        text_of: Callable[[Any], str]
        if reply is None:
            client = await self.sessions.take(history, args[1:], visitor)
            text_of = _text
        else:
            client = await self.clients.take(self.visitors.session_for(visitor))
            text_of = lambda value: reply_text(value, reply, self.binding.name)  # noqa: E731
        answer = ""
        healthy = False
        try:
            job = client.submit(*args, api_name=body["api_name"])
            async with asyncio.timeout(self.timeout):
                async for written in _updates(job):
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
        if reply is None:
            user = {"role": "user", "content": args[0]}
            answered = [*history, user, {"role": "assistant", "content": final}]
            self.sessions.keep(client, answered, args[1:], visitor)
        yield "", "stop"

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

    def _files_to_urls(self, value: Any, budget: Budget, client: Any) -> Any:
        """Each file in the answer ({path, url, mime_type, orig_name, …}, also inside a
        Gallery's, an AnnotatedImage's or a Chatbot's value) as a data URL carrying its name."""
        if isinstance(value, dict) and "path" in value and "url" in value:
            url = value.get("url")
            if not isinstance(url, str):
                raise UpstreamBadResponse(f"the Space {self.binding.name} sent a file without URL")
            if not same_origin(url, self.binding.url):  # never the token (or a GET) elsewhere
                raise UpstreamBadResponse(
                    f"the Space {self.binding.name} answered a file at "
                    f"{httpx.URL(url).host or url[:80]}: hubdemo fetches a Space's files from "
                    "the Space's own host only"
                )
            name = value.get("orig_name")
            return _data_url(self._fetch(url, budget, client), value.get("mime_type"), name)
        if isinstance(value, dict):
            return {key: self._files_to_urls(v, budget, client) for key, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._files_to_urls(v, budget, client) for v in value]
        return value

    def _fetch(self, url: str, budget: Budget, client: Any) -> bytes:
        """A file of the answer, within what ``budget`` has left (a file that trickles in is
        cut off at the deadline, not read for ever in a thread nobody waits for)."""
        wait = max(0.1, budget.deadline - time.monotonic())
        try:
            with httpx.stream(
                "GET", url, headers=client.headers, cookies=client.cookies, timeout=wait
            ) as response:
                response.raise_for_status()
                data = bytearray()  # appended in place: a large file is not copied per chunk
                for chunk in response.iter_bytes():
                    data += chunk
                    budget.room -= len(chunk)
                    if budget.room < 0:
                        raise UpstreamBadResponse(
                            f"the Space {self.binding.name}'s answer is over "
                            f"{self.max_answer_bytes // 2**20} MB in all; raise --max-answer-mb "
                            "to take it"
                        )
                    if time.monotonic() > budget.deadline:
                        raise self._late()
                return bytes(data)
        except httpx.TimeoutException:
            raise self._late() from None
        except httpx.HTTPError as exc:
            raise UpstreamUnreachable(
                f"cannot fetch the file the Space {self.binding.name} made ({type(exc).__name__})"
            ) from None

    def _late(self) -> UpstreamTimeout:
        return UpstreamTimeout(
            f"the Space {self.binding.name} did not answer within {self.timeout:g} s (its "
            "files included); try again, or raise --timeout"
        )

    async def aclose(self) -> None:
        """Let go of the Space's sessions; not waited for (a client's close waits on its
        heartbeat thread, a second each)."""
        self.sessions.close()
        self.clients.close()


def _as_file(value: Any, folder: Path, index: int | str) -> Any:
    """A data URL becomes a file gradio_client uploads (under the name it carries, when it
    carries one: a File input's name reaches the Space); a list of them (a File input taking
    several), a list of files; anything else goes as it is."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, str) and v.startswith("data:") for v in value)
    ):
        return [_as_file(v, folder, f"{index}-{i}") for i, v in enumerate(value)]
    if not (isinstance(value, str) and value.startswith("data:")):
        return value
    from gradio_client import handle_file

    header, _, payload = value.partition(",")
    data = decode_base64(payload, f"input {index}")
    mime = header[5:].split(";")[0]
    given = Path(file_name(value) or "").name  # a bare name: never a path out of the folder
    if given in ("", ".", "..") or "\x00" in given or len(given) > 200:
        given = ""
    folder = folder / str(index)
    folder.mkdir()
    path = folder / (given or f"input.{mime.split('/')[-1] or 'bin'}")
    path.write_bytes(data)
    return handle_file(str(path))


def _data_url(data: bytes, mime: Any, name: Any = None) -> str:
    """A fetched file as a data URL: its type as the Space gave it, else worked out."""
    named = name if isinstance(name, str) and name else None
    kind = mime if isinstance(mime, str) and "/" in mime else file_type(data, named)
    return file_url(data, kind, named)


async def _updates(job: Any) -> AsyncGenerator[Any, None]:
    """The whole answer so far, each time it has grown, as a gradio_client job receives it.
    The job keeps every one of them (each the whole answer: an endless answer filled 1 GB in
    12 s for 4 MB of text); only the latest matters, so the others are let go, and a backlog
    the reader fell behind on is skipped, not read through."""
    kept = _outputs_of(job)
    if kept is None:  # a gradio_client that keeps them elsewhere: read each one
        done = object()
        iterator = iter(job)
        while (written := await in_thread(next, iterator, done)) is not done:
            yield written
        return
    seen = 0
    while True:
        ended = await in_thread(_grown, job, kept, seen)
        _drain(job)
        if len(kept) > seen:
            latest = len(kept) - 1
            for index in range(max(0, seen - 1), latest):
                kept[index] = None  # read, or skipped: only the whole answer so far counts
            seen = latest + 1
            yield kept[latest]
        elif ended:
            return


def _grown(job: Any, kept: list[Any], seen: int) -> bool:
    """Wait (in a thread) until the job has more than ``seen`` outputs or is done; done?"""
    while len(kept) <= seen and not job.done():
        time.sleep(POLL)
    return bool(job.done())


def _drain(job: Any) -> list[str]:
    """Empty the job's queue of updates, keeping the gr.Warnings among them: gradio_client puts
    each output and status there (for its async iterator, which hubdemo does not use), and
    nothing else takes them out: 4 GB in 15 s of an endless answer."""
    warnings: list[str] = []
    with contextlib.suppress(AttributeError):
        updates = job.communicator.updates
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                log_entry = getattr(updates.get_nowait(), "log", None)
                if log_entry and str(log_entry[1]).lower() == "warning":
                    warnings.append(plain_text(str(log_entry[0]))[:500])
    return warnings


async def _watched(job: Any, said: list[str]) -> AsyncGenerator[tuple[str, Any], None]:
    """("progress", units) each time the job's gr.Progress moves and ("partial", value) each
    time a generator yields (the latest only, when the reader fell behind), until the job is
    done; its gr.Warnings are added to ``said``."""
    kept = _outputs_of(job)
    seen, shown = 0, _progress(job)
    while True:
        ended = await in_thread(_moved, job, kept, seen, shown)
        said += _drain(job)
        progress = _progress(job)
        if progress != shown:
            shown = progress
            if progress:
                yield "progress", progress
        if kept is not None and len(kept) > seen:
            latest = len(kept) - 1
            for index in range(max(0, seen - 1), latest):
                kept[index] = None  # only the latest counts
            seen = latest + 1
            yield "partial", kept[latest]
        if ended:
            return


def _moved(job: Any, kept: list[Any] | None, seen: int, shown: list[dict[str, Any]]) -> bool:
    """Wait (in a thread) until the job has a new output, its progress moved, or it is done;
    done?"""
    while not job.done():
        if (kept is not None and len(kept) > seen) or _progress(job) != shown:
            return False
        time.sleep(PROGRESS_POLL)
    return True


def _progress(job: Any) -> list[dict[str, Any]]:
    """The job's gr.Progress, as [{index, length, unit, progress, desc}] (nested bars in
    order); empty when it reports none."""
    units = getattr(job.status(), "progress_data", None) or []
    return [
        {k: getattr(unit, k, None) for k in ("index", "length", "unit", "progress", "desc")}
        for unit in units
    ]


def _outputs_of(job: Any) -> list[Any] | None:
    """The list where gradio_client keeps a job's outputs (its Communicator's; None when a
    version keeps them elsewhere: then nothing is let go)."""
    with contextlib.suppress(AttributeError):
        outputs = job.communicator.job.outputs
        return outputs if isinstance(outputs, list) else None
    return None


def _text(value: Any) -> str:
    """A ChatInterface's answer as text (a message dict or a list of them in newer apps)."""
    if isinstance(value, tuple):
        value = value[0] if value else ""
    if isinstance(value, list):
        value = value[-1] if value else ""
    if isinstance(value, dict):
        value = value.get("content", "")
    return value if isinstance(value, str) else json.dumps(value)
