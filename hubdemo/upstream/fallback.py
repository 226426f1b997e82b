"""The router first; the cached copy of the model on this machine once the router is unreachable.

Only a connection that cannot be made switches over (refused, or not made in time): an HTTP
error is the router's answer, and a connection that broke midway says the router is there;
both are passed on. The switch happens once: requests failing together share one local model,
loaded when it is first needed, which from then on answers every request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from typing import Any

from ..errors import UpstreamRefused
from ..providers import ProviderChoice
from ..wire import WireRequest, WireResponse
from .base import Upstream

log = logging.getLogger("hubdemo")


class FallbackUpstream(Upstream):
    def __init__(self, remote: Upstream, make_local: Callable[[], Upstream]) -> None:
        self.remote = remote
        self._make_local = make_local
        self.local: Upstream | None = None
        self.model_id = remote.model_id
        self.secrets = remote.secrets

    @property
    def active(self) -> Upstream:
        return self.local or self.remote

    @property
    def kind(self) -> str:
        return self.active.kind

    @property
    def state(self) -> str:
        return self.active.state

    @property
    def load_error(self) -> str | None:
        return self.active.load_error

    @property
    def provider_choice(self) -> ProviderChoice | None:
        """The router's provider choice (describe shows it, even once the local model answers)."""
        return self.remote.provider_choice

    @property
    def can_stream(self) -> bool:
        return self.active.can_stream

    def start(self) -> Future[None] | None:
        return self.active.start()

    def url_for(self, route: str) -> str:
        return self.active.url_for(route)

    async def send(self, request: WireRequest) -> WireResponse:
        if self.local is None:
            try:
                return await self.remote.send(request)
            except UpstreamRefused as exc:
                self._switch(exc)
        assert self.local is not None
        return await self.local.send(request)

    def _switch(self, cause: UpstreamRefused) -> None:
        # No await between the check and the switch: the event loop runs nothing else here,
        # so of the requests that failed together exactly one builds the local model.
        if self.local is None:
            log.warning("%s; answering with the cached model on this machine", cause.message)
            self.local = self._make_local()

    def stream(self, request: WireRequest) -> AsyncIterator[dict[str, Any]]:
        return self.active.stream(request)

    async def aclose(self) -> None:
        await self.remote.aclose()
        if self.local is not None:
            await self.local.aclose()
