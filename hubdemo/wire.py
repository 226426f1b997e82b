"""What crosses between a task handler and a backend: one request out, one 2xx answer back.

A handler's ``serialize`` makes a ``WireRequest``; a backend (upstream/) sends it and hands back
a ``WireResponse``, which the handler's ``deserialize`` reads. Both sides import this module and
nothing of each other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Json = Any


@dataclass(frozen=True)
class WireRequest:
    """What goes to the upstream: a JSON body, or raw bytes with their Content-Type.

    ``route`` is "" for ``/models/{id}``, "pipeline" for ``/models/{id}/pipeline/{task}`` and
    "chat" for the chat-completion route. ``session`` names the visitor whose state a
    stateful upstream (a Space's gr.State) keeps; None: a call that shares no state.
    """

    json: Json = None
    content: bytes | None = None
    content_type: str | None = None
    route: str = ""
    session: str | None = None


@dataclass(frozen=True)
class WireResponse:
    """An upstream's 2xx answer. In-process backends hand over the parsed JSON as ``payload``
    (no encode/decode round trip); ``content()`` gives the bytes either way."""

    status: int
    content_type: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    payload: Any = None
    warnings: tuple[str, ...] = ()  # said beside the answer (a Space's gr.Warning)

    def content(self) -> bytes:
        if self.payload is not None and not self.body:
            return json.dumps(self.payload).encode()
        return self.body
