"""The one interface every backend implements."""

from __future__ import annotations

from typing import Protocol

from ..tasks.base import WireRequest, WireResponse


class Upstream(Protocol):
    """Where predictions are computed: the router, a fixed endpoint, or (later) in process."""

    @property
    def kind(self) -> str:
        """ "router" | "endpoint" | "local" | "function"."""
        ...

    def url_for(self, route: str) -> str:
        """The URL a request on ``route`` goes to (shown by describe; never holds the token)."""
        ...

    async def send(self, request: WireRequest) -> WireResponse:
        """Send one request; raise an UpstreamError subclass for anything but a 2xx answer."""
        ...

    async def aclose(self) -> None: ...
