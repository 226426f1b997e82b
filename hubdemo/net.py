"""Network helpers shared by the Hub client and every upstream: one TLS context, checked base
URLs, waits an upstream asks for, bounded reads, and same-origin checks."""

from __future__ import annotations

import contextlib
import datetime
import functools
import math
import re
import ssl
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .errors import UsageError


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One CA bundle for every client: each httpx client would otherwise load its own (about
    25 ms and a few MB each)."""
    return httpx.create_ssl_context()


def checked_base_url(url: str, what: str) -> str:
    """``url`` without its trailing slash, or a UsageError now: a URL that cannot be parsed
    would otherwise fail every request later."""
    try:
        parsed = httpx.URL(url)
        valid = parsed.scheme in ("http", "https") and bool(parsed.host)
    except (httpx.InvalidURL, ValueError, TypeError):
        valid = False
    if not valid:
        raise UsageError(
            f"{what} {url!r} is not an http(s) URL: give one like https://host[:port]/path"
        )
    return url.rstrip("/")


def same_origin(url: str, base: str) -> bool:
    """Whether ``url`` is on the scheme, host and port of ``base``."""
    try:
        found, own = httpx.URL(url), httpx.URL(base)
    except httpx.InvalidURL:
        return False
    return (found.scheme, found.host, found.port) == (own.scheme, own.host, own.port)


# Waits an upstream asks for are clamped to this range: "inf" or 1e999 must not overflow a
# header or a sleep, and "about 0 s" helps nobody.
MIN_WAIT, MAX_WAIT = 1.0, 3600.0


def clamp_wait(seconds: float) -> float:
    if math.isnan(seconds):
        return MIN_WAIT
    return min(max(seconds, MIN_WAIT), MAX_WAIT)


def wait_seconds(value: Any) -> float | None:
    """``value`` as a clamped wait in seconds, or None when it is not a number."""
    try:
        return clamp_wait(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


_RESET = re.compile(r"(?:^|[;,\s])(?:t|reset)=(\d+(?:\.\d+)?)")


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait: Retry-After (seconds or an HTTP date), else the RateLimit header's
    reset (``t=`` in the IETF draft the Hub uses, ``reset=`` in older forms)."""
    value = headers.get("retry-after")
    if value:
        seconds = wait_seconds(value)
        if seconds is not None:
            return seconds
        with contextlib.suppress(TypeError, ValueError, IndexError):
            moment = parsedate_to_datetime(value)
            return clamp_wait((moment - datetime.datetime.now(moment.tzinfo)).total_seconds())
    match = _RESET.search(headers.get("ratelimit", ""))
    return wait_seconds(match.group(1)) if match else None


def read_within(response: httpx.Response, deadline: float, limit: int) -> bytes:
    """The body of a streamed ``response``, refused (ValueError, TimeoutError) once it passes
    ``limit`` bytes or the ``deadline`` (a time.monotonic() value)."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise ValueError(f"the answer is larger than {limit // 2**20} MB")
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took too long")
        chunks.append(chunk)
    return b"".join(chunks)
