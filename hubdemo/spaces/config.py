"""What a Space's config says of an endpoint beyond its signature: its input components' props
(ranges, choices) and its gr.Examples rows, media examples fetched from the Space itself."""

from __future__ import annotations

import copy
import time
from pathlib import PurePosixPath
from typing import Any

import httpx

from ..errors import HubdemoError
from ..media import file_url, media_from_bytes

MAX_EXAMPLE_BYTES = 5 * 2**20  # a media example larger than this is left out


MAX_MEDIA_EXAMPLES = 3
EXAMPLES_DEADLINE = 15.0  # seconds for all of an endpoint's media examples together


def with_media_examples(
    config: dict[str, Any], api_name: str, signature: dict[str, Any], url: str, token: str | None
) -> dict[str, Any]:
    """``config`` with the files in the endpoint's gr.Examples rows fetched from the Space into
    data URLs (at most MAX_MEDIA_EXAMPLES, each at most 5 MB and of its input's kind); a row
    whose file cannot be had is left out. Only the Space's own host is asked, by the file's
    path (the URL in the config is the Space's word, not followed)."""
    kinds = [str(p.get("component", "")).lower() for p in signature.get("parameters") or []]
    if not any(k in ("image", "audio", "video") for k in kinds):
        return config
    config = copy.deepcopy(config)  # gradio_client keeps using its own
    _, samples = config_of(config, api_name)
    fetched: dict[str, str | None] = {}
    deadline = time.monotonic() + EXAMPLES_DEADLINE
    for row in samples:
        if len(row) != len(kinds):
            continue
        for i, kind in enumerate(kinds):
            value = row[i]
            path = value.get("path") if isinstance(value, dict) else None
            if kind not in ("image", "audio", "video") or not isinstance(path, str):
                continue
            if path not in fetched and len(fetched) < MAX_MEDIA_EXAMPLES:
                name = value.get("orig_name") or PurePosixPath(path).name
                fetched[path] = _example_file(url, path, kind, token, deadline, str(name))
            row[i] = fetched.get(path)  # in the copy's own row; None: the row is not offered
    return config


def _example_file(
    url: str, path: str, kind: str, token: str | None, deadline: float, name: str
) -> str | None:
    """One example's file as a data URL carrying its ``name`` (the chip's title); None when
    it cannot be had by ``deadline`` (a time.monotonic() value: a file that trickles in must
    not hold describe or startup)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for route in ("/gradio_api/file=", "/file="):  # Gradio 5 and 6, then Gradio 4
        wait = min(10.0, deadline - time.monotonic())
        if wait <= 0:
            return None
        try:
            with httpx.stream("GET", f"{url}{route}{path}", headers=headers, timeout=wait) as got:
                if got.status_code != 200:
                    continue
                data = bytearray()
                for chunk in got.iter_bytes():
                    data += chunk
                    if len(data) > MAX_EXAMPLE_BYTES or time.monotonic() > deadline:
                        return None
        except httpx.HTTPError:
            return None
        try:
            media = media_from_bytes(bytes(data), kind, "example")
            return file_url(media.data, media.mime, name[:100] or None)
        except HubdemoError:
            return None
    return None


def config_of(config: dict[str, Any], api_name: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """The endpoint's input components' props, in the order of its API parameters (a gr.State
    among its inputs, which the API skips, is left out: a ChatInterface's history would shift
    every additional input's range onto the next one), and the example rows of the
    gr.Examples that fill exactly its inputs."""
    components = {c.get("id"): c for c in config.get("components") or []}
    dependency: dict[str, Any] = next(
        (d for d in config.get("dependencies") or [] if d.get("api_name") == api_name.lstrip("/")),
        {},
    )
    ids = list(dependency.get("inputs") or [])
    props = [
        dict((components.get(i) or {}).get("props") or {})
        for i in ids
        if not skipped_by_api(components.get(i) or {})
    ]
    samples: list[Any] = []
    for component in components.values():
        if component.get("type") != "dataset":
            continue
        inner = component.get("props") or {}
        filled = component.get("component_ids") or inner.get("component_ids")
        if filled == ids and isinstance(inner.get("samples"), list):
            samples += [row for row in inner["samples"] if isinstance(row, list)]
    return props, samples


def skipped_by_api(component: dict[str, Any]) -> bool:
    """A component the app's API leaves out of its parameters (gradio_client's view_api reads
    the same flag, with the same fallback for apps that do not send it)."""
    from gradio_client.utils import SKIP_COMPONENTS

    return bool(component.get("skip_api", component.get("type") in SKIP_COMPONENTS))


def example_loader(config: dict[str, Any], api_name: str) -> str | None:
    """The endpoint that answers ``api_name``'s gr.Examples rows from the Space's own cache
    (``cache_examples=True``: Gradio ran them at start), called with a row's number; None
    when its examples are not cached (or sit in more than one gr.Examples)."""
    components = {c.get("id"): c for c in config.get("components") or []}
    dependencies = config.get("dependencies") or []
    endpoint: dict[str, Any] = next(
        (d for d in dependencies if d.get("api_name") == api_name.lstrip("/")), {}
    )
    inputs, outputs = list(endpoint.get("inputs") or []), list(endpoint.get("outputs") or [])
    datasets = [
        i
        for i, c in components.items()
        if c.get("type") == "dataset"
        and (c.get("component_ids") or (c.get("props") or {}).get("component_ids")) == inputs
    ]
    if len(datasets) != 1 or not outputs:
        return None
    for dependency in dependencies:
        if (
            dependency.get("inputs") == datasets
            and dependency.get("outputs") == outputs
            and dependency.get("api_name")
            and dependency.get("api_visibility") != "private"
        ):
            return "/" + str(dependency["api_name"])
    return None
