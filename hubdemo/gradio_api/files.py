"""The files of Gradio's protocol: what clients upload (``POST /gradio_api/upload``) and what
answers hand out (``GET /gradio_api/file=…``), kept in one folder of this server's for an hour.
Only a file this server wrote is ever read back."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ..errors import PayloadTooLarge

KEEP_FILES = 3600.0  # seconds an uploaded or answered file stays


class FileStore:
    def __init__(self, max_upload_bytes: int) -> None:
        self.max_upload_bytes = max_upload_bytes
        self.folder = Path(tempfile.mkdtemp(prefix="hubdemo-gradio-"))

    async def upload(self, request: Request) -> Response:
        form = await request.form(max_files=16, max_part_size=self.max_upload_bytes)
        paths = []
        for item in form.getlist("files"):
            if isinstance(item, str):
                continue
            content = await item.read()
            if len(content) > self.max_upload_bytes:
                raise PayloadTooLarge(
                    f"{item.filename}: {len(content) // 2**20} MB; at most "
                    f"{self.max_upload_bytes // 2**20} MB (--max-upload-mb)"
                )
            paths.append(str(self.keep(content, Path(item.filename or "upload").suffix)))
        self.expire()
        return JSONResponse(paths)

    async def file(self, request: Request) -> Response:
        path = self.ours(request.path_params["path"])
        if path is None:
            return JSONResponse({"detail": "File not found"}, status_code=404)
        return FileResponse(path)

    def keep(self, content: bytes, suffix: str) -> Path:
        """Write ``content`` under a name nobody can guess; its path."""
        path = self.folder / f"{secrets.token_hex(16)}{suffix[:12]}"
        path.write_bytes(content)
        return path

    def ours(self, given: str) -> Path | None:
        """A path this server wrote, or None: nothing else on the machine is ever read."""
        try:
            path = Path(given).resolve()
        except (OSError, ValueError):
            return None
        if path.parent != self.folder.resolve() or not path.is_file():
            return None
        return path

    def expire(self) -> None:
        old = time.time() - KEEP_FILES
        for path in self.folder.iterdir():
            if path.stat().st_mtime < old:
                path.unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
