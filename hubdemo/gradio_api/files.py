"""The files of Gradio's protocol: what clients upload (``POST /gradio_api/upload``) and what
answers hand out (``GET /gradio_api/file=…``), kept in one folder of this server's.

Bounded: each file is kept an hour at most, and all of them together at most ``max_bytes``
(``--max-store-mb``), the oldest let go first; an index says what is kept (no folder scans).
Named by 128 random bits, and known by that name only (the server's paths are never shown):
nothing but a file this server wrote is ever read back. Served inert: a picture, a sound or a
video (by its bytes, not its name) inline, anything else as a download, never as a page of
this origin (``Content-Disposition: attachment``, a ``sandbox`` policy, no sniffing).

With shared state (Redis, several workers), each file is also kept there, under the same
bounds, and a worker that lacks one fetches it into its folder when asked for it.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ..errors import PayloadTooLarge
from ..media import sniff
from ..server.bodies import Inbound
from ..state import SessionState
from ..state.base import KEEP_FILES

# What a browser shows without running anything: pictures (not SVG), sounds and videos.
INLINE = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff")
SANDBOX = (b"content-security-policy", b"sandbox")
COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Kept:
    size: int
    mime: str | None  # by its first bytes; None: not a kind shown inline
    at: float  # time.monotonic() when it was written


class FileStore:
    def __init__(self, inbound: Inbound, max_bytes: int, state: SessionState) -> None:
        self.inbound = inbound
        self.state = state
        # Kept here, not yet in the shared state (only when there is one): a name, and its
        # bytes when they are at hand (an answer's; an upload's are read back from its file).
        self.unshared: list[tuple[str, bytes | None]] = []
        self.max_upload_bytes = inbound.limit
        self.max_bytes = max_bytes
        self.folder = Path(tempfile.mkdtemp(prefix="hubdemo-gradio-"))
        self.index: OrderedDict[str, Kept] = OrderedDict()  # name -> what it is, oldest first
        self.total = 0

    async def upload(self, request: Request) -> Response:
        form = await self.inbound.form(request)
        try:
            names = []
            for item in form.getlist("files"):
                if isinstance(item, str):
                    continue
                suffix = Path(item.filename or "upload").suffix
                names.append(await asyncio.to_thread(self.keep_file, item.file, suffix))
        finally:
            await form.close()
        await self.share()
        return JSONResponse(names)

    async def share(self) -> None:
        """Hand the files kept since last time to the shared state (the other workers)."""
        kept, self.unshared = self.unshared, []
        for name, content in kept:
            if name in self.index:  # not let go meanwhile
                if content is None:
                    content = await asyncio.to_thread((self.folder / name).read_bytes)
                await self.state.keep_file(name, content, self.max_bytes)

    async def pull(self, data: list[Any]) -> None:
        """Fetch the files ``data`` names that another worker kept, so that ``ours`` knows
        them here."""
        if self.state.shared:
            for value in data:
                if isinstance(value, dict) and isinstance(value.get("path"), str):
                    await self.fetched(value["path"])

    async def fetched(self, given: str) -> str | None:
        """``ours``, after fetching the file from the shared state when this worker lacks it."""
        name = self.ours(given)
        if name is not None or not self.state.shared:
            return name
        name = Path(given).name
        if name != self._name_of(name):
            return None
        content = await self.state.file(name)
        if content is None:
            return None
        await asyncio.to_thread((self.folder / name).write_bytes, content)
        self._kept(name, len(content), content[:64])
        return name

    async def file(self, request: Request) -> Response:
        name = await self.fetched(request.path_params["path"])
        if name is None:
            return JSONResponse({"detail": "File not found"}, status_code=404)
        mime = self.index[name].mime
        if mime is not None:
            response = FileResponse(self.folder / name, media_type=mime)
        else:
            response = FileResponse(
                self.folder / name,
                media_type="application/octet-stream",
                filename=name,
                content_disposition_type="attachment",
            )
        response.raw_headers.append(SANDBOX)
        return response

    def keep(self, content: bytes, suffix: str) -> str:
        """Write ``content``; the name it is known by."""
        name = self._name(suffix)
        (self.folder / name).write_bytes(content)
        self._kept(name, len(content), content[:64])
        if self.state.shared:
            self.unshared.append((name, content))
        return name

    def keep_file(self, source: IO[bytes], suffix: str) -> str:
        """Copy an uploaded (spooled) file, a chunk at a time; the name it is known by."""
        name = self._name(suffix)
        size, head = 0, b""
        with (self.folder / name).open("wb") as target:
            while chunk := source.read(COPY_CHUNK):
                head = head or chunk[:64]
                size += len(chunk)
                if size > self.max_upload_bytes:  # the body bound holds it already; twice sure
                    target.close()
                    (self.folder / name).unlink(missing_ok=True)
                    raise PayloadTooLarge(
                        f"the file is larger than {self.max_upload_bytes // 2**20} MB "
                        "(--max-upload-mb)"
                    )
                target.write(chunk)
        self._kept(name, size, head)
        if self.state.shared:
            self.unshared.append((name, None))
        return name

    def ours(self, given: str) -> str | None:
        """The name of a file this server keeps, from a name or a path ending in one; None
        for anything else: nothing else on the machine is ever read."""
        name = Path(given).name
        return name if name in self.index and (self.folder / name).is_file() else None

    def _name(self, suffix: str) -> str:
        return f"{secrets.token_hex(16)}{self._suffix(suffix)}"

    @staticmethod
    def _suffix(suffix: str) -> str:
        return "".join(c for c in suffix[:12] if c.isalnum() or c == ".")

    def _name_of(self, name: str) -> str:
        """``name`` if it is one this server makes (32 hex digits, a clean suffix); else ""."""
        stem, suffix = name[:32], name[32:]
        hex_digits = len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)
        return name if hex_digits and suffix == self._suffix(suffix) else ""

    def _kept(self, name: str, size: int, head: bytes) -> None:
        mime = sniff(head)
        shown = mime if mime and (mime in INLINE or mime.startswith(("audio/", "video/"))) else None
        self.index[name] = Kept(size, shown, time.monotonic())
        self.total += size
        self._bound()

    def _bound(self) -> None:
        """Let go of files past their hour, then of the oldest while the total is too large."""
        old = time.monotonic() - KEEP_FILES
        while self.index:
            name, kept = next(iter(self.index.items()))
            over = self.total > self.max_bytes and len(self.index) > 1  # the newest stays
            if kept.at >= old and not over:
                break
            self._forget(name)

    def _forget(self, name: str) -> None:
        kept = self.index.pop(name)
        self.total -= kept.size
        (self.folder / name).unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
