"""A Gradio Space as the upstream, through gradio_client (the maintained client for Gradio
apps: it speaks the queue protocol, uploads files, and knows Gradio 4, 5 and 6 servers).

A request's media (data URLs) go to the Space as files; files in the answer are fetched from the
Space and handed on as data URLs, like every file hubdemo shows. gradio_client blocks, so each
call runs in a thread, bounded by the total deadline (``--timeout``); errors become hubdemo's
statuses with the Space's own message.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import tempfile
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    HubdemoError,
    UpstreamAuthError,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamRejectedInput,
    UpstreamTimeout,
    UpstreamUnreachable,
)
from ..media import decode_base64, sniff
from ..spaces import SpaceBinding
from ..tasks.base import WireRequest, WireResponse
from .http import DEFAULT_TOTAL

log = logging.getLogger("hubdemo")
MAX_FILE_BYTES = 200 * 2**20  # a file the Space answers with, fetched to be shown


class SpaceUpstream:
    kind = "space"

    def __init__(self, binding: SpaceBinding, *, timeout: float | None = None) -> None:
        self.binding = binding
        self.timeout = DEFAULT_TOTAL if timeout is None else timeout
        self.state = "ready"

    def url_for(self, route: str) -> str:
        return f"{self.binding.url} {self.binding.api_name}"

    async def send(self, request: WireRequest) -> WireResponse:
        body = request.json or {}
        with tempfile.TemporaryDirectory(prefix="hubdemo-space-") as folder:
            args = [_as_file(value, Path(folder), i) for i, value in enumerate(body["args"])]
            job = self.binding.client.submit(*args, api_name=body["api_name"])
            try:
                async with asyncio.timeout(self.timeout):
                    result = await asyncio.to_thread(job.result)
            except TimeoutError:
                job.cancel()
                raise UpstreamTimeout(
                    f"the Space {self.binding.name} did not answer within {self.timeout:g} s; "
                    "try again, or raise --timeout"
                ) from None
            except asyncio.CancelledError:
                job.cancel()  # the client left: the Space's queue drops the job
                raise
            except Exception as exc:
                raise self._error(exc) from None
        values = list(result) if isinstance(result, tuple) else [result]
        fetched = await asyncio.to_thread(lambda: [self._files_to_urls(v) for v in values])
        return WireResponse(status=200, content_type="application/json", payload=fetched)

    def _error(self, exc: Exception) -> HubdemoError:
        from gradio_client.exceptions import AppError, AuthenticationError
        from gradio_client.utils import QueueError, TooManyRequestsError

        name = self.binding.name
        said = str(getattr(exc, "message", None) or exc).strip() or type(exc).__name__
        if isinstance(exc, AppError):  # the app refused this input, in its own words
            return UpstreamRejectedInput(f"the Space {name} answered: {said[:500]}")
        if isinstance(exc, (QueueError, TooManyRequestsError)):
            return UpstreamRateLimited(
                f"the Space {name} is busy ({said[:200]}); try again shortly", retry_after=5
            )
        if isinstance(exc, AuthenticationError):
            return UpstreamAuthError(f"the Space {name} refused the credentials: {said[:200]}")
        if isinstance(exc, httpx.HTTPError):
            return UpstreamUnreachable(
                f"the connection to the Space {name} failed ({type(exc).__name__}); try again"
            )
        log.warning("the Space %s failed", name, exc_info=exc)
        return UpstreamUnreachable(f"the Space {name} failed: {said[:300]}")

    def _files_to_urls(self, value: Any) -> Any:
        """A file the Space answered ({path, url, mime_type, …}) as a data URL."""
        if isinstance(value, dict) and "path" in value and "url" in value:
            url = value.get("url")
            if not isinstance(url, str):
                raise UpstreamBadResponse(f"the Space {self.binding.name} sent a file without URL")
            return _data_url(self._fetch(url), value.get("mime_type"))
        if isinstance(value, list):
            return [self._files_to_urls(v) for v in value]
        return value

    def _fetch(self, url: str) -> bytes:
        client = self.binding.client
        try:
            with httpx.stream(
                "GET", url, headers=client.headers, cookies=client.cookies, timeout=30
            ) as response:
                response.raise_for_status()
                data = b""
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_FILE_BYTES:
                        raise UpstreamBadResponse(
                            f"the Space {self.binding.name} answered a file over "
                            f"{MAX_FILE_BYTES // 2**20} MB"
                        )
                return data
        except httpx.HTTPError as exc:
            raise UpstreamUnreachable(
                f"cannot fetch the file the Space {self.binding.name} made ({type(exc).__name__})"
            ) from None

    async def aclose(self) -> None:
        await asyncio.to_thread(self.binding.client.close)


def _as_file(value: Any, folder: Path, index: int) -> Any:
    """A data URL becomes a file gradio_client uploads; anything else goes as it is."""
    if not (isinstance(value, str) and value.startswith("data:")):
        return value
    from gradio_client import handle_file

    header, _, payload = value.partition(",")
    data = decode_base64(payload, f"input {index}")
    mime = header[5:].split(";")[0]
    path = folder / f"input-{index}.{mime.split('/')[-1] or 'bin'}"
    path.write_bytes(data)
    return handle_file(str(path))


def _data_url(data: bytes, mime: Any) -> str:
    kind = (
        mime if isinstance(mime, str) and "/" in mime else sniff(data) or "application/octet-stream"
    )
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"
