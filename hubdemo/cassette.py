"""Record every HTTP exchange of a run, and replay it later with no network and no token.

A cassette is a folder::

    cassette.json       {"format": "hubdemo-cassette", "version": 1, "exchanges": [EXCHANGE, ...]}
    bodies/<sha256>.bin bodies that are binary or larger than 64 KB, named by their SHA-256

    EXCHANGE = {"request":  {"method", "url", "path", "query", "headers", "body": BODY},
                "response": {"status", "headers", "body": BODY}}
    BODY     = null | {"text": "..."} | {"file": "bodies/<sha256>.bin", "sha256", "size"}

Secrets never reach the files: Authorization, Cookie and Set-Cookie headers are dropped and the
token is replaced by "REDACTED" wherever it appears (URL, headers, bodies). Replay matches a
request by method, path, query and the SHA-256 of its body — not by host, so a cassette recorded
against one Hub or router replays against any — and answers the recordings of a request in the
order they were made (the last one again when they run out).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict, deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

from .errors import NotRecorded, UsageError
from .redact import Redactor

FORMAT, VERSION = "hubdemo-cassette", 1
INLINE_LIMIT = 64 * 1024
# Credentials, and the challenges that ask for them (which may quote what was sent).
DROPPED_HEADERS = {
    "authorization", "cookie", "set-cookie", "proxy-authorization", "www-authenticate",
    "proxy-authenticate",
}  # fmt: skip
# Describe the stored (decoded) body no more: replay serves it as it is.
STALE_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection"}
REDACTED = "REDACTED"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Cassette:
    def __init__(self, folder: Path, secrets: Iterable[str | None] = ()) -> None:
        self.folder = Path(folder)
        self.secrets = [s for s in secrets if s]
        self._redact = Redactor(self.secrets, REDACTED)
        self.exchanges: list[dict[str, Any]] = []
        self._replay: dict[tuple[str, str, str, str], deque[dict[str, Any]]] = {}
        self._last: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    # -- recording ---------------------------------------------------------------------------

    def _scrub_text(self, text: str) -> str:
        return self._redact.text(text)

    def _scrub_bytes(self, data: bytes) -> bytes:
        return self._redact.bytes(data)

    def _headers(self, headers: httpx.Headers) -> dict[str, str]:
        kept = {}
        for name, value in headers.items():
            if name.lower() not in DROPPED_HEADERS | STALE_HEADERS:
                kept[name.lower()] = self._scrub_text(value)
        return kept

    def _body(self, data: bytes) -> dict[str, Any] | None:
        if not data:
            return None
        data = self._scrub_bytes(data)
        if len(data) <= INLINE_LIMIT:
            try:
                return {"text": data.decode("utf-8")}
            except UnicodeDecodeError:
                pass
        digest = _digest(data)
        path = self.folder / "bodies" / f"{digest}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return {"file": f"bodies/{digest}.bin", "sha256": digest, "size": len(data)}

    def add(self, request: httpx.Request, response: httpx.Response) -> None:
        url = request.url
        self.exchanges.append(
            {
                "request": {
                    "method": request.method,
                    "url": self._scrub_text(str(url)),
                    "path": url.path,
                    "query": self._scrub_text(url.query.decode()),
                    "headers": self._headers(request.headers),
                    "body": self._body(request.content),
                },
                "response": {
                    "status": response.status_code,
                    "headers": self._headers(response.headers),
                    "body": self._body(response.content),
                },
            }
        )

    def save(self) -> Path:
        """Write cassette.json; body files of an earlier recording that no exchange names any
        more are removed, so a re-recorded folder holds exactly this run."""
        self.folder.mkdir(parents=True, exist_ok=True)
        named = {
            part["body"]["file"]
            for exchange in self.exchanges
            for part in (exchange["request"], exchange["response"])
            if part["body"] and "file" in part["body"]
        }
        for stale in (self.folder / "bodies").glob("*.bin"):
            if f"bodies/{stale.name}" not in named:
                stale.unlink()
        path = self.folder / "cassette.json"
        document = {"format": FORMAT, "version": VERSION, "exchanges": self.exchanges}
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        return path

    # -- replay ------------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path) -> Cassette:
        path = Path(folder) / "cassette.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"cannot read the cassette {path} ({exc}); record one with --record {folder}"
            ) from None
        if document.get("format") != FORMAT or document.get("version") != VERSION:
            raise UsageError(f"{path} is not a hubdemo cassette (version {VERSION})")
        cassette = cls(Path(folder))
        cassette.exchanges = document["exchanges"]
        queues: dict[tuple[str, str, str, str], deque[dict[str, Any]]] = defaultdict(deque)
        for exchange in cassette.exchanges:
            queues[cassette._key_of_recorded(exchange["request"])].append(exchange)
        cassette._replay = dict(queues)
        return cassette

    def _read_body(self, body: dict[str, Any] | None) -> bytes:
        if body is None:
            return b""
        if "text" in body:
            return str(body["text"]).encode("utf-8")
        data: bytes = (self.folder / str(body["file"])).read_bytes()
        return data

    def _key_of_recorded(self, request: dict[str, Any]) -> tuple[str, str, str, str]:
        body = self._read_body(request["body"])
        return (request["method"], request["path"], request["query"], _digest(body))

    def answer(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        key = (request.method, request.url.path, request.url.query.decode(), _digest(body))
        queue = self._replay.get(key)
        if queue:
            exchange = self._last[key] = queue.popleft()
        elif key in self._last:
            exchange = self._last[key]
        else:
            raise NotRecorded(
                f"no recording of {request.method} {request.url.path} with this body in "
                f"{self.folder}: record it again with --record {self.folder}"
            )
        recorded = exchange["response"]
        return httpx.Response(
            recorded["status"],
            headers=recorded["headers"],
            content=self._read_body(recorded["body"]),
            request=request,
        )


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, cassette: Cassette, inner: httpx.BaseTransport | None = None) -> None:
        self.cassette = cassette
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self.inner.handle_request(request)
        response.read()
        self.cassette.add(request, response)
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncRecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self, cassette: Cassette, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.cassette = cassette
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.cassette.add(request, response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers from a cassette; never opens a connection."""

    def __init__(self, cassette: Cassette) -> None:
        self.cassette = cassette

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.cassette.answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self.cassette.answer(request)
