"""A lean keep-alive HTTP/1.1 transport for the per-prediction hot path.

httpx's own transport goes through httpcore, h11 and anyio: about half of the server's CPU time
per text prediction (make bench's profile). This one is an ``httpx.AsyncBaseTransport`` on
asyncio streams with httptools' parser (the C parser uvicorn already uses), so everything above
it (HttpUpstream's deadlines, error mapping, streaming) is unchanged. It keeps idle connections
per host, reuses the most recent first, and gives a connection back only after a complete
answer that allows keep-alive; anything else (a timeout, a reset, a cut-short body, a client
that left) closes it.

What it does not do, and what uses httpx's transport instead (``http.new_transports``): an HTTP
proxy from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, minus NO_PROXY). Redirects are
never followed (a 3xx is an error to HttpUpstream), as with httpx's transport.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.request
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httptools
import httpx

CONNECT_TIMEOUT = 10.0
READ_SIZE = 65536
MAX_IDLE = 32  # idle connections kept per host (--concurrency is 32 by default)
Key = tuple[str, str, int]


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (as httpx's clients read it), or None."""
    parsed = httpx.URL(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parsed.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parsed.host):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def key_of(url: httpx.URL) -> Key:
    return (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))


def head(method: str, url: httpx.URL, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The request line, Host and ``headers``: the part of a request a route can keep."""
    lines = [b"%s %s HTTP/1.1" % (method.encode(), url.raw_path), b"Host: " + url.netloc]
    lines += [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n"


def body_part(body: bytes, headers: Iterable[tuple[bytes, bytes]] = ()) -> bytes:
    """The request's last headers, its length and its body."""
    extra = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return extra + b"Content-Length: %d\r\n\r\n" % len(body) + body


class AnswerTooLarge(Exception):
    """The answer's body passed the bytes the caller would hold."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit} bytes")
        self.limit = limit


class _Connection:
    """One socket and the parser of the answer being read on it (httptools callbacks)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.received = False

    def begin(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: deque[bytes] = deque()
        self.headers_done = self.complete = self.received = self.keep_alive = False
        self.parser = httptools.HttpResponseParser(self)

    # httptools calls these while data is fed
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.chunks.append(bytes(body))

    def on_message_complete(self) -> None:
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()  # read now: the parser then resets

    async def feed(self) -> None:
        data = await self.reader.read(READ_SIZE)
        if not data:
            if self.headers_done and not self._framed():
                self.complete = True  # no length and not chunked: the body ends at the close
                return
            raise httpx.RemoteProtocolError("the server closed the connection mid-answer")
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            raise httpx.RemoteProtocolError(f"a malformed answer ({exc})") from None

    def _framed(self) -> bool:
        names = {name.lower() for name, _ in self.headers}
        return b"content-length" in names or b"transfer-encoding" in names

    async def head(self) -> int:
        while not self.headers_done:
            await self.feed()
        return int(self.parser.get_status_code())

    async def body(self) -> AsyncIterator[bytes]:
        while True:
            while self.chunks:
                yield self.chunks.popleft()
            if self.complete:
                return
            await self.feed()

    def reusable(self) -> bool:
        return self.complete and self.keep_alive and not self.reader.at_eof()

    def close(self) -> None:
        self.writer.close()


class _Body(httpx.AsyncByteStream):
    def __init__(self, transport: LeanTransport, key: Key, connection: _Connection) -> None:
        self.transport = transport
        self.key = key
        self.connection: _Connection | None = connection

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert self.connection is not None
        try:
            async for chunk in self.connection.body():
                yield chunk
        except BaseException:  # cut short, reset, cancelled: the socket is of no more use
            await self.aclose()
            raise

    async def aclose(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        if connection.reusable():
            self.transport.give_back(self.key, connection)
        else:
            connection.close()


class LeanTransport(httpx.AsyncBaseTransport):
    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self.ssl_context = ssl_context
        self.idle: dict[Key, list[_Connection]] = {}
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = key_of(request.url)
        connection, status = await self._start(key, self._message(request))
        return httpx.Response(
            status,
            headers=connection.headers,
            stream=_Body(self, key, connection),
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def fetch(
        self, key: Key, message: bytes, max_bytes: int | None = None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """The whole answer to ``message`` (a request as bytes, see ``head``): status, raw
        headers and body, with no httpx objects made (HttpUpstream's hot path). AnswerTooLarge
        once the body passes ``max_bytes`` (the connection is then closed, not reused)."""
        connection, status = await self._start(key, message)
        body = _Body(self, key, connection)
        chunks, size = [], 0
        async for chunk in body:  # closes it on a failure
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                await body.aclose()
                raise AnswerTooLarge(max_bytes)
            chunks.append(chunk)
        await body.aclose()  # kept alive, or closed
        return status, connection.headers, b"".join(chunks)

    async def _start(self, key: Key, message: bytes) -> tuple[_Connection, int]:
        """Send ``message`` and read the answer's head, on a kept-alive connection when one
        is idle. A kept-alive connection the server has since closed fails before any byte
        of the answer arrives: that one is retried once on a new connection (not another idle
        one: a server that closes idle connections has closed those too), nothing else is."""
        for attempt in range(2):
            connection = self._take(key) if attempt == 0 else None
            reused = connection is not None
            if connection is None:
                connection = await self._open(key)
            connection.begin()
            try:
                connection.writer.write(message)
                return connection, await connection.head()
            except (OSError, httpx.RemoteProtocolError) as exc:
                connection.close()
                if reused and not connection.received and attempt == 0:
                    continue
                if isinstance(exc, httpx.RemoteProtocolError):
                    raise
                raise httpx.ReadError(f"the connection broke ({exc})") from None
            except BaseException:  # cancelled (a deadline, a client gone): never reused
                connection.close()
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _message(request: httpx.Request) -> bytes:
        body = request.content  # HttpUpstream always gives the whole body
        headers = [
            (name, value)
            for name, value in request.headers.raw
            if name.lower() not in (b"host", b"content-length", b"transfer-encoding")
        ]
        return head(request.method, request.url, headers) + body_part(body)

    def _take(self, key: Key) -> _Connection | None:
        idle = self.idle.get(key)
        while idle:
            connection = idle.pop()  # the most recent: the least likely to have been closed
            if not connection.reader.at_eof() and not connection.writer.is_closing():
                return connection
            connection.close()
        return None

    async def _open(self, key: Key) -> _Connection:
        scheme, host, port = key
        secure: Any = self.ssl_context if scheme == "https" else None
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=secure, server_hostname=host if secure else None, limit=2**20
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {host}:{port} within 10 s") from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port} ({exc})") from None
        return _Connection(reader, writer)

    def give_back(self, key: Key, connection: _Connection) -> None:
        idle = self.idle.setdefault(key, [])
        if self.closed or len(idle) >= MAX_IDLE:
            connection.close()
        else:
            idle.append(connection)

    async def aclose(self) -> None:
        self.closed = True
        for idle in self.idle.values():
            for connection in idle:
                connection.close()
        self.idle.clear()
