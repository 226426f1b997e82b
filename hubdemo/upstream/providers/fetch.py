"""Fetching a file that a provider answered with as a URL (fal-ai, replicate): safely.

A URL in an answer comes from outside, so it is fetched only over https from public addresses,
or from the configured router's own host (where the test emulator serves such files); never from
private, loopback or link-local addresses otherwise, never with the Hub token, within the
request's deadline and the output size limit. Redirects are followed by hand, each checked.
"""

from __future__ import annotations

import asyncio
import ipaddress

import httpx

from ...errors import InputError, UpstreamBadResponse, UpstreamTimeout
from ...media import data_url_bytes
from ...net import ssl_context
from ...settings import BackendOptions

MAX_FILE_BYTES = BackendOptions.max_answer_mb * 2**20


async def _is_public(host: str, port: int) -> bool:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port)
    except OSError:
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_global for a in addresses)


async def _allowed(url: httpx.URL, router: httpx.URL) -> bool:
    if (url.scheme, url.host, url.port) == (router.scheme, router.host, router.port):
        return True
    return url.scheme == "https" and await _is_public(url.host, url.port or 443)


def decode_data_url(url: str) -> tuple[bytes, str]:
    """A data URL the provider answered with, as bytes and its declared type."""
    try:
        return data_url_bytes(url, "the provider's file")
    except InputError:
        raise UpstreamBadResponse(
            "the provider answered with a data URL that is not base64"
        ) from None


async def fetch_file(
    url: str,
    router: str,
    deadline: float,
    transport: httpx.AsyncBaseTransport | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> tuple[bytes, str]:
    """The bytes and content type at ``url`` (a data URL is decoded); UpstreamBadResponse when
    the URL may not be fetched or fails, UpstreamTimeout past ``deadline`` (loop time)."""
    if url.startswith("data:"):
        return decode_data_url(url)
    base = httpx.URL(router)
    try:
        async with (
            asyncio.timeout_at(deadline),
            httpx.AsyncClient(
                verify=ssl_context(), follow_redirects=False, trust_env=False, transport=transport
            ) as client,
        ):
            for _ in range(4):
                target = httpx.URL(url)
                if not await _allowed(target, base):
                    raise UpstreamBadResponse(
                        f"the provider answered with a file at {target.host}, which hubdemo does "
                        "not fetch: only https from public addresses (or the router's own host)"
                    )
                async with client.stream("GET", target) as response:
                    if response.is_redirect:
                        url = str(target.join(response.headers.get("location", "")))
                        continue
                    if response.status_code != 200:
                        raise UpstreamBadResponse(
                            f"the provider's file at {target.host} answered {response.status_code}"
                        )
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise UpstreamBadResponse(
                                f"the provider's file is larger than {max_bytes // 2**20} MB; "
                                "raise --max-answer-mb to take it"
                            )
                        chunks.append(chunk)
                    kind = response.headers.get("content-type", "").split(";")[0].strip()
                    return b"".join(chunks), kind
    except TimeoutError:
        raise UpstreamTimeout("the provider's file did not arrive in time; try again") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise UpstreamBadResponse(
            f"the provider's file could not be fetched ({type(exc).__name__}); try again"
        ) from None
    raise UpstreamBadResponse("the provider's file is behind too many redirects")
