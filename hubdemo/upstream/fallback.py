"""The router first; the cached copy of the model on this machine once the router is unreachable.

Only a failed connection switches over (an HTTP error from the router is the router's answer
and is passed on). The local model is loaded only when it is first needed, and from then on
answers every request: the network is not retried for each one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from ..errors import UpstreamUnreachable
from ..tasks.base import WireRequest, WireResponse
from .base import Upstream

log = logging.getLogger("hubdemo")


class FallbackUpstream:
    def __init__(self, remote: Upstream, make_local: Callable[[], Upstream]) -> None:
        self.remote = remote
        self._make_local = make_local
        self.local: Upstream | None = None

    @property
    def active(self) -> Upstream:
        return self.local or self.remote

    @property
    def kind(self) -> str:
        return self.active.kind

    @property
    def state(self) -> str:
        return getattr(self.active, "state", "ready")

    @property
    def load_error(self) -> str | None:
        return getattr(self.active, "load_error", None)

    def url_for(self, route: str) -> str:
        return self.active.url_for(route)

    async def send(self, request: WireRequest) -> WireResponse:
        if self.local is None:
            try:
                return await self.remote.send(request)
            except UpstreamUnreachable as exc:
                log.warning("%s; answering with the cached model on this machine", exc.message)
                self.local = self._make_local()
        return await self.local.send(request)

    def stream(self, request: WireRequest) -> AsyncIterator[dict[str, Any]]:
        return self.active.stream(request)  # type: ignore[attr-defined, no-any-return]

    async def aclose(self) -> None:
        await self.remote.aclose()
        if self.local is not None:
            await self.local.aclose()
