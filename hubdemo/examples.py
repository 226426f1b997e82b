"""Card examples whose media is a URL (``widget: - src: https://huggingface.co/...``).

The server fetches them itself, once per process, and only from the Hub: the URL's host must be
huggingface.co, hf.co or the host of HF_ENDPOINT, and the file is then asked of HF_ENDPOINT (so a
mirror, or the test emulator, serves it); redirects may go on to the Hub's own file servers
(*.huggingface.co, *.hf.co) and nowhere else. Files are size-limited and must be of the
expected kind. An example that cannot be fetched is left out, never an error.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from pathlib import Path
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


# The Hub's own example file of each media task (its task page's demo), and the samples made
# by hubdemo for when that cannot be fetched: a media page never opens without an example.
DATA = Path(__file__).resolve().parent / "data"
TASK_FILES = "datasets/huggingfacejs/tasks/resolve/main"
SAMPLES = {"image": "picture.png", "audio": "notes.wav", "video": "square.mp4"}


def task_examples(task: str, family: str, endpoint: str, fetch: bool) -> list[dict[str, Any]]:
    """A widget for ``task`` when its card has none: the Hub's example for the task (fetched
    as a card's would be, when ``fetch``; "source": "task"), else hubdemo's own sample of
    ``family`` ("source": "sample")."""
    demos = json.loads((DATA / "task-demo-inputs.json").read_text(encoding="utf-8"))
    demo = demos.get(task) or {}
    text = demo.get("text")
    words = {"text": text, "candidate_labels": text} if isinstance(text, str) else {}
    if fetch and isinstance(demo.get("file"), str):
        url = f"{endpoint}/{TASK_FILES}/{task}/{demo['file']}"
        fetched = fetch_media(url, endpoint, family)
        if fetched is not None:
            return [
                {"src": fetched, "example_title": "The Hub's example", "source": "task", **words}
            ]
    sample = SAMPLES.get(family)
    if sample is None:
        return []
    data = (DATA / "samples" / sample).read_bytes()
    mime = {"png": "image/png", "wav": "audio/wav", "mp4": "video/mp4"}[sample.rsplit(".", 1)[1]]
    src = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return [{"src": src, "example_title": "A sample made by hubdemo", "source": "sample", **words}]
