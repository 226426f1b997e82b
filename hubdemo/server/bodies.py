"""Reading request bodies within bounds: content type, size, time and memory.

- Only the content types a route documents are read (415 otherwise): a browser lets any page
  post ``text/plain`` and form bodies anywhere without asking.
- A body may not pass ``--max-upload-mb`` (413, as soon as it does) nor take longer than
  ``--body-timeout`` seconds to arrive (408): a client trickling bytes holds nothing for long.
- ``BodyBudget`` bounds the bytes of bodies held at once, over all requests: a request waits
  for room (up to the queue timeout) before its body is read, so 150 uploads of 19 MB do not
  make 3 GB of memory; each holds its share until its answer is sent.
- Large bodies are parsed in a worker thread, so the event loop keeps answering (/healthz).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from starlette.requests import Request

from .. import jsonio
from ..errors import InputError, PayloadTooLarge, RequestTimeout, ServerBusy, UnsupportedMedia
from ..offload import OFFLOAD_BYTES, off_loop

DEFAULT_BODY_TIMEOUT = 120.0


def require_json(request: Request, media_kind: str | None = None) -> None:
    """415 unless the body is declared ``application/json`` (or, when the task takes one file
    of ``media_kind``, that file's own type: the caller routes those before this)."""
    declared = request.headers.get("content-type", "")
    media_type = declared.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        also = f", or the {media_kind} itself as {media_kind}/*" if media_kind else ""
        raise UnsupportedMedia(
            f"{request.url.path} takes Content-Type: application/json{also} (got "
            f'{media_type or "none"}): send the body as JSON, e.g. {{"data": [...]}}'
        )


def declared_size(request: Request, limit: int) -> int | None:
    """The Content-Length, 413 when it is over ``limit``; None when the client gave none."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit():
        if int(declared) > limit:
            raise _too_big(limit)
        return int(declared)
    return None


def _too_big(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the request is larger than {limit // 2**20} MB; send a smaller file "
        "(or start the server with a higher --max-upload-mb)"
    )


def _late(timeout: float) -> RequestTimeout:
    return RequestTimeout(
        f"the request body took more than {timeout:g} s to arrive; send it again on a "
        "faster connection (or start the server with a higher --body-timeout)"
    )


async def read_body(request: Request, limit: int, timeout: float = DEFAULT_BODY_TIMEOUT) -> bytes:
    """The request body: 413 past ``limit`` bytes, 408 past ``timeout`` seconds, 400 empty."""
    declared_size(request, limit)
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_big(limit)
                chunks.append(chunk)
    except TimeoutError:
        raise _late(timeout) from None
    body = b"".join(chunks)
    if not body:
        raise InputError('the request body is empty: send {"data": [...]} or {"inputs": ...}')
    return body


def parse_json(body: bytes) -> Any:
    """A request body as JSON: 400 with what is wrong."""
    try:
        return jsonio.loads(body)
    except UnicodeDecodeError:
        raise InputError("the request body is not UTF-8 JSON") from None
    except jsonio.JSONTooDeep as exc:
        raise InputError(f"{exc}: send the task's body as /api/info describes it") from None
    except jsonio.NotUnicode as exc:
        raise InputError(f"{exc}: send UTF-8 text") from None
    except ValueError as exc:
        raise InputError(f"the request body is not valid JSON ({exc})") from None


async def read_json(request: Request, limit: int, timeout: float = DEFAULT_BODY_TIMEOUT) -> Any:
    """The JSON body (see read_body), parsed in a thread when it is large. The caller checks
    the content type first (require_json), before it waits for room to read the body."""
    body = await read_body(request, limit, timeout)
    if len(body) > OFFLOAD_BYTES:
        return await off_loop(parse_json, body)
    return parse_json(body)


class BodyBudget:
    """At most ``capacity`` bytes of request bodies held at once; first come, first served."""

    def __init__(self, capacity: int, wait_timeout: float) -> None:
        self.capacity = capacity
        self.wait_timeout = wait_timeout
        self.held = 0
        self.taken = 0  # bytes ever held (the memory keeper watches it)
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    @contextlib.asynccontextmanager
    async def hold(self, size: int) -> AsyncIterator[None]:
        """Hold ``size`` bytes (at most the capacity) for the block, waiting for room."""
        size = min(size, self.capacity)
        self.taken += size
        if self._waiting or self.held + size > self.capacity:
            await self._wait_for(size)
        else:
            self.held += size
        try:
            yield
        finally:
            self._give(size)

    async def _wait_for(self, size: int) -> None:
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (size, granted)
        self._waiting.append(entry)
        try:
            async with asyncio.timeout(self.wait_timeout):
                await granted
        except BaseException as exc:
            if granted.done() and not granted.cancelled():
                self._give(size)  # granted just as we gave up: hand it on
            else:
                with contextlib.suppress(ValueError):  # already handed over and dropped
                    self._waiting.remove(entry)
            if isinstance(exc, TimeoutError):
                raise ServerBusy(
                    f"the server is receiving {self.held // 2**20} MB of uploads already and "
                    f"had no room for this one within {self.wait_timeout:g} s; try again later",
                    retry_after=min(self.wait_timeout, 30.0),
                ) from None
            raise

    def _give(self, size: int) -> None:
        self.held -= size
        while self._waiting and self.held + self._waiting[0][0] <= self.capacity:
            wanted, granted = self._waiting.popleft()
            if not granted.done():
                self.held += wanted
                granted.set_result(None)


# A multipart form's bounds besides its total size: Gradio's upload sends files only, so a few
# small fields are plenty (40 fields of 19 MB were once held in memory).
MAX_FORM_FILES = 16
MAX_FORM_FIELDS = 16
MAX_FIELD_BYTES = 64 * 1024
# A multipart file is spooled to disk past this many bytes (Starlette's SpooledTemporaryFile).
SPOOLED_BYTES = 1024 * 1024


class Inbound:
    """Every body of a server read the one way: its type checked, its size within ``limit``
    (413 as soon as it passes), its time within ``timeout`` (408), its bytes within the
    server's memory ``budget`` while it is read. ``/api/predict`` holds its room longer (until
    its answer is sent) and reads with the functions above; the other routes read here."""

    def __init__(self, limit: int, timeout: float, budget: BodyBudget) -> None:
        self.limit = limit
        self.timeout = timeout
        self.budget = budget

    async def json(self, request: Request) -> Any:
        """A JSON body, parsed with jsonio's checks (nesting, surrogates, NaN): a 4xx for
        anything else, never a 500."""
        require_json(request)
        size = declared_size(request, self.limit)
        async with self.budget.hold(self.limit if size is None else size):
            return await read_json(request, self.limit, self.timeout)

    async def form(self, request: Request) -> Any:
        """A multipart form, its files spooled to disk as they arrive (never whole in memory),
        at most MAX_FORM_FILES files and MAX_FORM_FIELDS small fields. The caller closes it."""
        from starlette.formparsers import MultiPartException, MultiPartParser

        declared = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if declared != "multipart/form-data":
            raise UnsupportedMedia(
                f"{request.url.path} takes Content-Type: multipart/form-data (got "
                f"{declared or 'none'}): send the files as a form"
            )
        size = declared_size(request, self.limit)
        held = min(self.limit if size is None else size, MAX_FORM_FILES * SPOOLED_BYTES)
        parser = MultiPartParser(
            request.headers,
            self.chunks(request),
            max_files=MAX_FORM_FILES,
            max_fields=MAX_FORM_FIELDS,
            max_part_size=MAX_FIELD_BYTES,
        )
        async with self.budget.hold(held):
            try:
                return await parser.parse()
            except MultiPartException as exc:
                raise InputError(f"the form was refused: {exc.message}") from None

    async def chunks(self, request: Request) -> AsyncGenerator[bytes, None]:
        """The body as it arrives: 413 once it passes ``limit``, 408 once the whole of it has
        taken ``timeout`` seconds."""
        deadline = asyncio.get_running_loop().time() + self.timeout
        stream, size = request.stream(), 0
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    chunk = await anext(stream)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise _late(self.timeout) from None
            size += len(chunk)
            if size > self.limit:
                raise _too_big(self.limit)
            yield chunk
