"""The HTTP client of an upstream: one request sent (retrying a loading or rate-limited model
within the retry budget), one answer read within the deadline.

Requests go straight to the transports (the lean keep-alive one, or httpx's): pooled
connections, explicit deadlines. Non-2xx answers become the errors of ``hubdemo.errors``
(status.py); the token is sent only in the Authorization header and scrubbed from any text that
comes back.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
from collections.abc import AsyncIterator
from typing import Any

import httpx

from ...errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamLoading,
    UpstreamRateLimited,
    UpstreamRefused,
    UpstreamTimeout,
    UpstreamUnreachable,
)
from ...net import checked_base_url, ssl_context
from ...redact import Redactor
from ...settings import BackendOptions
from ...wire import WireRequest, WireResponse
from ..base import Upstream
from .lean import AnswerTooLarge, Key, LeanTransport, body_part, key_of
from .lean import head as lean_head
from .sse import json_events
from .status import Asked, upstream_error

# --timeout is a deadline for a whole answer (httpx's own timeouts are per read: an upstream
# that trickles a byte every few seconds would never time out). A stream gets it between two
# events, and STREAM_SPAN_FACTOR times it in all.
DEFAULT_TOTAL = BackendOptions.timeout
STREAM_SPAN_FACTOR = 10
DEFAULT_TIMEOUT = httpx.Timeout(DEFAULT_TOTAL, connect=10.0, pool=30.0)
# 32 connections in all (--concurrency bounds requests in flight at 32 by default), all kept
# alive: reconnecting costs more than an idle socket. They are split over SHARDS clients because
# httpcore's pool scans (and polls) every connection it holds on each request: four pools of 8
# cost a quarter of one pool of 32 (measured with make bench: see README).
SHARDS = 4
DEFAULT_LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=8)
MAX_ANSWER_BYTES = BackendOptions.max_answer_mb * 2**20
DEFAULT_RETRY_BUDGET = BackendOptions.retry_budget  # seconds a request may wait out 503/429
MAX_RETRIES = 5
log = logging.getLogger("hubdemo")


def new_transports(url: str) -> list[httpx.AsyncBaseTransport]:
    """The connection pools for the upstream at ``url``: the lean transport (lean.py), or,
    when the environment names a proxy for ``url`` or HUBDEMO_UPSTREAM_CLIENT=httpx, httpx's
    own (split in SHARDS)."""
    import os

    from .lean import proxy_for

    proxy = proxy_for(url)
    if proxy is None and os.environ.get("HUBDEMO_UPSTREAM_CLIENT", "lean") != "httpx":
        return [LeanTransport(ssl_context())]
    return [
        httpx.AsyncHTTPTransport(limits=DEFAULT_LIMITS, verify=ssl_context(), proxy=proxy)
        for _ in range(SHARDS)
    ]


class HttpUpstream(Upstream):
    """Sends WireRequests to an HTTP inference server."""

    kind = "endpoint"
    can_stream = True
    url_flag = "--endpoint (HUBDEMO_ENDPOINT)"

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        model_id: str = "",
        gated: bool = False,
        model_url: str | None = None,
        retry_budget: float = DEFAULT_RETRY_BUDGET,
        timeout: float | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.base_url = checked_base_url(base_url, self.url_flag)
        self.model_id = model_id
        self._token = token
        self.secrets = (token,) if token else ()
        self._redact = Redactor([token])
        self._asked = Asked(model_id, self._redact, gated, model_url)
        # Requests go to the transports directly: an httpx.Client would add URL merging, cookie
        # extraction and auth flows that a fixed upstream does not need (~100 us a request).
        self._transports = [transport] if transport else new_transports(self.base_url)
        self.injected = transport  # a recording or replaying transport (hubdemo smoke)
        self._turn = itertools.count()
        chosen = DEFAULT_TIMEOUT if timeout is None else httpx.Timeout(timeout, connect=10.0)
        self._timeout = chosen.as_dict()
        self.total = DEFAULT_TOTAL if timeout is None else timeout
        self._urls: dict[str, httpx.URL] = {}
        self._lean_routes: dict[str, tuple[Key, bytes]] = {}
        self.retry_budget = retry_budget
        self.max_answer_bytes = max_answer_bytes

    def url_for(self, route: str) -> str:
        # A fixed endpoint (TGI, an Inference Endpoint) serves chat on the OpenAI route.
        return f"{self.base_url}/v1/chat/completions" if route == "chat" else self.base_url

    async def send(self, request: WireRequest) -> WireResponse:
        """Send, waiting out "model loading" (503) and rate limits (429) while the waits fit in
        ``retry_budget`` seconds: the upstream's own estimate or Retry-After/RateLimit when it
        gives one, else 1, 2, 4 s; rate-limit waits get up to 25% jitter so clients spread."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_budget
        for attempt in range(MAX_RETRIES + 1):
            try:
                return await self._send_once(request)
            except (UpstreamLoading, UpstreamRateLimited) as exc:
                wait = exc.retry_after if exc.retry_after is not None else 2.0**attempt
                if isinstance(exc, UpstreamRateLimited):
                    wait *= 1 + random.uniform(0, 0.25)
                if attempt == MAX_RETRIES or loop.time() + wait > deadline:
                    raise
                log.info("%s; retrying in %.1f s", exc.message, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _url(self, route: str) -> httpx.URL:
        url = self._urls.get(route)
        if url is None:
            url = self._urls[route] = httpx.URL(self.url_for(route))
        return url

    def encode(self, request: WireRequest) -> tuple[bytes, dict[str, str]]:
        """The body and headers (content type and any other) for ``request``: the hf-inference
        wire form as it is. Providers override it with their own payloads."""
        if request.content is not None:
            return request.content, {
                "Content-Type": request.content_type or "application/octet-stream"
            }
        payload = request.json
        if request.route == "chat" and isinstance(payload, dict) and "model" not in payload:
            payload = {"model": self.model_id or "tgi", **payload}
        return json.dumps(payload).encode(), {"Content-Type": "application/json"}

    def _outgoing(self, request: WireRequest) -> tuple[httpx.Request, httpx.AsyncBaseTransport]:
        """The HTTP request for ``request`` and the pool (shard) that sends it."""
        body, headers = self.encode(request)
        headers["User-Agent"] = "hubdemo"
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        outgoing = httpx.Request(
            "POST",
            self._url(request.route),
            headers=headers,
            content=body,
            extensions={"timeout": self._timeout},
        )
        return outgoing, self._transports[next(self._turn) % len(self._transports)]

    def _refused(self, exc: Exception) -> UpstreamRefused:
        return UpstreamRefused(
            f"cannot reach the endpoint at {self.base_url} ({type(exc).__name__}); check "
            "--router/--endpoint and your connection"
        )

    def _late(self) -> UpstreamTimeout:
        return UpstreamTimeout(
            f"the endpoint at {self.base_url} did not answer within {self.total:g} s; try "
            "again, use a smaller input, or raise --timeout"
        )

    async def _exchange(self, request: WireRequest) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Status, raw headers and body of the answer to ``request``. On the lean transport no
        httpx Request or Response is made (a tenth of the CPU per text prediction)."""
        lean = self._transports[0]
        if isinstance(lean, LeanTransport):
            key, start = self._lean_route(request.route)
            body, headers = self.encode(request)
            fixed = ("user-agent", "host", "content-length", "authorization" if self._token else "")
            extra = [
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in headers.items()
                if k.lower() not in fixed  # as in _outgoing, ours win
            ]
            return await lean.fetch(key, start + body_part(body, extra), self.max_answer_bytes)
        outgoing, transport = self._outgoing(request)
        response = await transport.handle_async_request(outgoing)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_answer_bytes:
                    raise AnswerTooLarge(self.max_answer_bytes)
                chunks.append(chunk)
        finally:
            await response.aclose()
        return response.status_code, response.headers.raw, b"".join(chunks)

    def _lean_route(self, route: str) -> tuple[Key, bytes]:
        """Where ``route`` goes and the start of its requests (line, Host, User-Agent and the
        token), made once per route."""
        found = self._lean_routes.get(route)
        if found is None:
            url = self._url(route)
            fixed = [(b"User-Agent", b"hubdemo")]
            if self._token:
                fixed.append((b"Authorization", f"Bearer {self._token}".encode("latin-1")))
            found = self._lean_routes[route] = (key_of(url), lean_head("POST", url, fixed))
        return found

    async def _send_once(self, request: WireRequest) -> WireResponse:
        try:
            async with asyncio.timeout(self.total):
                status, raw, content = await self._exchange(request)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self._refused(exc) from None
        except (httpx.TimeoutException, TimeoutError):
            raise self._late() from None
        except AnswerTooLarge:
            raise UpstreamBadResponse(
                f"the endpoint at {self.base_url} answered more than "
                f"{self.max_answer_bytes // 2**20} MB; raise --max-answer-mb to take it"
            ) from None
        except httpx.HTTPError as exc:
            raise UpstreamUnreachable(
                f"the connection to {self.base_url} broke before the answer was complete "
                f"({type(exc).__name__}); try again"
            ) from None
        if status >= 300:
            raise self._error(httpx.Response(status, headers=raw, content=content))
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw}
        return WireResponse(
            status=status,
            content_type=headers.get("content-type", ""),
            body=content,
            headers=headers,
        )

    def _error(self, response: httpx.Response) -> UpstreamError:
        return upstream_error(response.status_code, response.content, response.headers, self._asked)

    async def stream(self, request: WireRequest) -> AsyncIterator[dict[str, Any]]:
        """The JSON objects of a server-sent-event answer, as they arrive. An ``{"error": ...}``
        inside the stream (a 200 that went wrong) raises like an error status would."""
        outgoing, transport = self._outgoing(request)
        loop = asyncio.get_running_loop()
        end = loop.time() + self.total * STREAM_SPAN_FACTOR

        def next_deadline() -> float:  # the next event within --timeout, the whole by ``end``
            return min(loop.time() + self.total, end)

        response = await self._stream_start(transport, outgoing, next_deadline())
        try:
            if response.status_code >= 300:
                try:
                    async with asyncio.timeout_at(next_deadline()):
                        await response.aread()
                except TimeoutError:
                    raise self._late() from None
                raise self._error(response)
            lines = aiter(response.aiter_lines())
            async for event in json_events(lines, next_deadline, self._stalled, self._redact):
                yield event
        except httpx.HTTPError as exc:
            raise UpstreamUnreachable(
                f"the stream from {self.base_url} broke ({type(exc).__name__}); try again"
            ) from None
        finally:
            await response.aclose()

    async def _stream_start(
        self, transport: httpx.AsyncBaseTransport, outgoing: httpx.Request, deadline: float
    ) -> httpx.Response:
        """The streamed answer's head, by ``deadline`` (loop time)."""
        try:
            async with asyncio.timeout_at(deadline):
                return await transport.handle_async_request(outgoing)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self._refused(exc) from None
        except (httpx.TimeoutException, TimeoutError):
            raise self._late() from None
        except httpx.HTTPError as exc:
            raise UpstreamUnreachable(
                f"the connection to {self.base_url} broke before the stream began "
                f"({type(exc).__name__}); try again"
            ) from None

    def _stalled(self) -> UpstreamTimeout:
        return UpstreamTimeout(
            f"the stream from {self.base_url} stalled: no event within {self.total:g} s, or "
            f"longer than {self.total * STREAM_SPAN_FACTOR:g} s in all; try again, or raise "
            "--timeout"
        )

    async def aclose(self) -> None:
        for transport in self._transports:
            await transport.aclose()
