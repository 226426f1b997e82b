"""Card examples whose media is a URL (``widget: - src: https://huggingface.co/...``).

The server fetches them itself, once per process, and only from the Hub: the URL's host must be
huggingface.co, hf.co or the host of HF_ENDPOINT, and the file is then asked of HF_ENDPOINT (so a
mirror, or the test emulator, serves it); redirects may go on to the Hub's own file servers
(*.huggingface.co, *.hf.co) and nowhere else. Files are size-limited and must be of the
expected kind. An example that cannot be fetched is left out, never an error.
"""

from __future__ import annotations

import base64
import logging
import time
from typing import Any
from urllib.parse import urlparse

import httpx

from .hub import HUB_DEADLINE
from .media import sniff_as
from .net import read_within

log = logging.getLogger("hubdemo")

MAX_BYTES = 5 * 2**20
HUB_HOSTS = ("huggingface.co", "hf.co")
_CACHE: dict[str, str | None] = {}


def _allowed(host: str, endpoint_host: str) -> bool:
    host = host.lower()
    return host == endpoint_host or any(host == h or host.endswith("." + h) for h in HUB_HOSTS)


def fetch_media(url: str, endpoint: str, family: str) -> str | None:
    """The file at ``url`` as a data URL, or None (not from the Hub, too big, or not media)."""
    key = f"{endpoint} {url}"
    if key in _CACHE:
        return _CACHE[key]
    _CACHE[key] = None
    parsed, hub = urlparse(url), urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not _allowed(parsed.netloc, hub.netloc):
        log.info("example %s is not on the Hub: left out", url)
        return None
    target = f"{endpoint.rstrip('/')}{parsed.path}"
    try:
        with httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0)) as client:
            data = _get(client, target, hub.netloc)
    except (httpx.HTTPError, ValueError, TimeoutError) as exc:
        log.info("example %s could not be fetched (%s): left out", url, exc)
        return None
    mime = sniff_as(data, family) if data else None
    if not mime or not mime.startswith(family + "/"):
        return None
    _CACHE[key] = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return _CACHE[key]


def _get(client: httpx.Client, url: str, endpoint_host: str, hops: int = 3) -> bytes:
    deadline = time.monotonic() + HUB_DEADLINE
    for _ in range(hops):
        with client.stream("GET", url) as response:
            if response.is_redirect:
                url = str(response.url.join(response.headers["location"]))
                if not _allowed(urlparse(url).netloc, endpoint_host):
                    raise ValueError(f"redirected off the Hub to {urlparse(url).netloc}")
                continue
            response.raise_for_status()
            return read_within(response, deadline, MAX_BYTES)
    raise ValueError("too many redirects")


def with_media(
    widgets: tuple[dict[str, Any], ...], endpoint: str, family: str | None
) -> list[dict[str, Any]]:
    """The widgets, their ``src`` fetched into data URLs (widgets whose file fails are dropped)."""
    found = []
    for widget in widgets:
        src = widget.get("src")
        if isinstance(src, str) and family and not src.startswith("data:"):
            fetched = fetch_media(src, endpoint, family)
            if fetched is None:
                continue
            widget = {**widget, "src": fetched}
        found.append(widget)
    return found
