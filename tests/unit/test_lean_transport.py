"""The lean upstream transport (hubdemo/upstream/lean.py) against real loopback servers that
misbehave on purpose: kept-alive connections reused, one the server closed retried once, a
cut-short body refused, redirects not followed, chunked and read-to-close bodies, TLS, and an
HTTP proxy from the environment (which switches to httpx's transport)."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from hubdemo.net import ssl_context
from hubdemo.upstream.http import HttpUpstream, new_transports
from hubdemo.upstream.http.lean import LeanTransport
from hubdemo.wire import WireRequest

Answer = Callable[[int, bytes], bytes | None]  # (request number, request) -> raw answer


def ok(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def serve(
    answer: Answer,
    test: Callable[[str], Awaitable[None]],
    context: ssl.SSLContext | None = None,
    transports: tuple[httpx.AsyncBaseTransport, ...] = (),
) -> list[int]:
    """Runs ``test`` against a server answering each request with ``answer`` (None: close
    without answering); returns the number of requests served on each connection."""
    served: list[int] = []
    numbers = iter(range(1, 1000))

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.append(0)
        index = len(served) - 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length:")), 0,
                )  # fmt: skip
                request = head + await reader.readexactly(length)
                served[index] += 1
                raw = answer(next(numbers), request)
                if raw is None:
                    break
                writer.write(raw)
                await writer.drain()
                if b"Connection: close" in raw:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:  # cancelled too, when the test ends with the connection open
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    scheme = "https" if context else "http"
    async with server:
        try:
            await test(f"{scheme}://127.0.0.1:{port}")
        finally:
            for transport in transports:
                await transport.aclose()
    return served


async def post(
    transport: httpx.AsyncBaseTransport, url: str, body: bytes = b"{}"
) -> httpx.Response:
    request = httpx.Request("POST", url + "/models/x", content=body)
    response = await transport.handle_async_request(request)
    await response.aread()
    await response.aclose()
    return response


def test_connections_are_kept_alive_and_reused() -> None:
    transport = LeanTransport(ssl_context())

    async def test(url: str) -> None:
        for i in range(5):
            response = await post(transport, url, b'{"n": %d}' % i)
            assert response.status_code == 200 and response.content == b'{"n": %d}' % i

    served = asyncio.run(
        serve(lambda n, req: ok(req.split(b"\r\n\r\n", 1)[1]), test, transports=(transport,))
    )
    assert served == [5]  # one connection for the five


def test_a_connection_the_server_closed_is_retried_once_on_a_new_one() -> None:
    transport = LeanTransport(ssl_context())
    # The server answers the first request, then drops the connection on the next one
    # without a byte: a kept-alive connection it closed in the meantime.
    answers = {1: ok(b"first"), 2: None, 3: ok(b"second")}

    async def test(url: str) -> None:
        assert (await post(transport, url)).content == b"first"
        assert (await post(transport, url)).content == b"second"

    assert asyncio.run(serve(lambda n, req: answers[n], test, transports=(transport,))) == [2, 1]


def test_the_retry_opens_a_new_connection_not_another_idle_one() -> None:
    """Each connection answers its first request and drops its second, as a server that
    closes idle connections does: with two idle, the retry must not take the other."""
    transport = LeanTransport(ssl_context())
    opened: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        opened.append(1)
        try:
            await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(2)  # the body, b"{}"
            writer.write(ok(b"answered"))
            await writer.drain()
            await reader.readuntil(b"\r\n\r\n")  # the second: dropped without a byte
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def test() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with server:
            try:
                first = await asyncio.gather(post(transport, url), post(transport, url))
                assert [r.content for r in first] == [b"answered", b"answered"]
                assert len(transport.idle[next(iter(transport.idle))]) == 2  # two kept alive
                assert (await post(transport, url)).content == b"answered"
            finally:
                await transport.aclose()

    asyncio.run(test())
    assert len(opened) == 3  # the two, then one new for the retry


def test_a_fresh_connection_that_fails_is_not_retried() -> None:
    transport = LeanTransport(ssl_context())

    async def test(url: str) -> None:
        with pytest.raises(httpx.HTTPError):
            await post(transport, url)

    assert asyncio.run(serve(lambda n, req: None, test, transports=(transport,))) == [
        1
    ]  # one try only


def test_a_body_cut_short_is_an_error_and_the_connection_is_dropped() -> None:
    transport = LeanTransport(ssl_context())
    answers = {1: b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{"a": 1'}

    async def test(url: str) -> None:
        with pytest.raises(httpx.RemoteProtocolError):
            await post(transport, url)
        assert not any(transport.idle.values())

    asyncio.run(serve(lambda n, req: answers[n], test, transports=(transport,)))


def test_redirects_are_answers_not_followed() -> None:
    transport = LeanTransport(ssl_context())
    moved = (
        b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.invalid/\r\nContent-Length: 0\r\n\r\n"
    )

    async def test(url: str) -> None:
        response = await post(transport, url)
        assert response.status_code == 302
        assert response.headers["location"] == "http://elsewhere.invalid/"

    assert asyncio.run(serve(lambda n, req: moved, test, transports=(transport,))) == [1]


def test_chunked_and_read_to_close_bodies() -> None:
    transport = LeanTransport(ssl_context())
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    to_close = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"
    answers = {1: chunked, 2: to_close}

    async def test(url: str) -> None:
        assert (await post(transport, url)).content == b"hello world"
        assert (await post(transport, url)).content == b"until the end"

    asyncio.run(serve(lambda n, req: answers[n], test, transports=(transport,)))


def test_the_request_carries_host_length_and_headers() -> None:
    transport = LeanTransport(ssl_context())
    seen: list[bytes] = []

    def answer(n: int, request: bytes) -> bytes:
        seen.append(request)
        return ok(b"{}")

    async def test(url: str) -> None:
        request = httpx.Request(
            "POST", url + "/models/x?a=1", content=b"abc",
            headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
        )  # fmt: skip
        response = await transport.handle_async_request(request)
        await response.aread()
        await response.aclose()

    asyncio.run(serve(answer, test, transports=(transport,)))
    head = seen[0].split(b"\r\n\r\n")[0].split(b"\r\n")
    assert head[0] == b"POST /models/x?a=1 HTTP/1.1"
    assert head[1].startswith(b"Host: 127.0.0.1:")
    assert {b"Authorization: Bearer t", b"Content-Type: application/json",
            b"Content-Length: 3"} <= set(head[2:])  # fmt: skip
    assert seen[0].endswith(b"\r\n\r\nabc")


def self_signed(folder: Path) -> tuple[Path, Path]:
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


def test_tls_with_the_given_context(tmp_path) -> None:
    key, cert = self_signed(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))

    good, strict = LeanTransport(trusting), LeanTransport(ssl_context())

    async def test(url: str) -> None:
        assert (await post(good, url)).content == b"secret"
        with pytest.raises(httpx.HTTPError):  # the system's CAs do not know this certificate
            await post(strict, url)

    asyncio.run(
        serve(lambda n, req: ok(b"secret"), test, context=server_side, transports=(good, strict))
    )


def test_a_proxy_from_the_environment_is_used(monkeypatch) -> None:
    seen: list[bytes] = []

    def proxy(n: int, request: bytes) -> bytes:
        seen.append(request.split(b"\r\n", 1)[0])
        return ok(b'[{"label": "POSITIVE", "score": 0.9}]', b"Content-Type: application/json\r\n")

    async def test(url: str) -> None:
        monkeypatch.setenv("HTTP_PROXY", url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        assert not isinstance(new_transports("http://router.invalid")[0], LeanTransport)
        upstream = HttpUpstream("http://router.invalid/models/m")
        try:
            answer = await upstream.send(WireRequest(json={"inputs": "hi"}))
        finally:
            await upstream.aclose()
        assert answer.status == 200
        monkeypatch.setenv("NO_PROXY", "router.invalid")
        assert isinstance(new_transports("http://router.invalid")[0], LeanTransport)

    asyncio.run(serve(proxy, test))
    assert seen == [b"POST http://router.invalid/models/m HTTP/1.1"]  # absolute form: a proxy


def test_the_upstreams_fast_path_sends_its_headers_once() -> None:
    """HttpUpstream on the lean transport writes requests itself: the token, the user agent
    and the body's type each once, and the answer read back as on httpx's path."""
    seen: list[bytes] = []

    def answer(n: int, request: bytes) -> bytes:
        seen.append(request)
        return ok(b'[{"label": "POSITIVE", "score": 0.9}]', b"Content-Type: application/json\r\n")

    async def test(url: str) -> None:
        upstream = HttpUpstream(url + "/models/m", token="hf_secret")
        try:
            assert isinstance(upstream._transports[0], LeanTransport)
            for _ in range(2):
                answer = await upstream.send(WireRequest(json={"inputs": "hi"}))
                assert answer.status == 200 and answer.content_type == "application/json"
                assert json.loads(answer.body) == [{"label": "POSITIVE", "score": 0.9}]
        finally:
            await upstream.aclose()

    served = asyncio.run(serve(answer, test))
    assert served == [2]  # kept alive
    head, body = seen[0].split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /models/m HTTP/1.1"
    names = [line.split(b":")[0].lower() for line in lines[1:]]
    assert sorted(names) == sorted(
        [b"host", b"user-agent", b"authorization", b"content-type", b"content-length"]
    )
    assert b"Authorization: Bearer hf_secret" in lines and json.loads(body) == {"inputs": "hi"}
