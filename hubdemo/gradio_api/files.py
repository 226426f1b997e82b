"""The files of Gradio's protocol: what clients upload (``POST /gradio_api/upload``) and what
answers hand out (``GET /gradio_api/file=…``), kept in one folder of this server's.

Bounded: each file is kept an hour at most, and all of them together at most ``max_bytes``
(``--max-store-mb``), the oldest let go first; an index says what is kept (no folder scans).
Named by 128 random bits, and known by that name only (the server's paths are never shown):
nothing but a file this server wrote is ever read back. Served inert: a picture, a sound or a
video (by its bytes, not its name) inline, anything else as a download, never as a page of
this origin (``Content-Disposition: attachment``, a ``sandbox`` policy, no sniffing).
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
from typing import IO

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ..errors import PayloadTooLarge
from ..media import sniff
from ..server.bodies import Inbound

KEEP_FILES = 3600.0  # seconds an uploaded or answered file stays
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
    def __init__(self, inbound: Inbound, max_bytes: int) -> None:
        self.inbound = inbound
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
        return JSONResponse(names)

    async def file(self, request: Request) -> Response:
        name = self.ours(request.path_params["path"])
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
        return name

    def ours(self, given: str) -> str | None:
        """The name of a file this server keeps, from a name or a path ending in one; None
        for anything else: nothing else on the machine is ever read."""
        name = Path(given).name
        return name if name in self.index and (self.folder / name).is_file() else None

    def _name(self, suffix: str) -> str:
        clean = "".join(c for c in suffix[:12] if c.isalnum() or c == ".")
        return f"{secrets.token_hex(16)}{clean}"

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
