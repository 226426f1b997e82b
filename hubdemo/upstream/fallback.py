"""The router first; the model on this machine once the router is unreachable.

Only a connection that cannot be made switches over (refused, or not made in time): an HTTP
error is the router's answer, and a connection that broke midway says the router is there;
both are passed on. The switch happens once: requests failing together share one local model,
loaded when it is first needed (from the cache, or fetched from the Hub first), which from then
on answers every request. When that model cannot be had (the Hub unreachable too, a download
refused) the router's refusal is passed on and the switch is tried again a minute later; a
local model that fails to load hands back to the router the same way.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from ..errors import HubdemoError, UpstreamRefused
from ..providers import ProviderChoice
from ..wire import WireRequest, WireResponse
from .base import Upstream

if TYPE_CHECKING:
    from ..download.progress import DownloadProgress

log = logging.getLogger("hubdemo")

# Seconds before a local model that could not be had is tried again: not at every request.
RETRY_SWITCH_AFTER = 60.0


class FallbackUpstream(Upstream):
    def __init__(self, remote: Upstream, make_local: Callable[[], Upstream]) -> None:
        self.remote = remote
        self._make_local = make_local
        self.local: Upstream | None = None
        self._making = threading.Lock()
        self._retry_at = 0.0  # monotonic time before which no switch is tried
        self._closing: asyncio.Future[None] | None = None  # the failed local model's close
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
    def download(self) -> DownloadProgress | None:
        return self.active.download

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
        if self.local is not None and self.local.state == "failed":
            self._hand_back()
        if self.local is None:
            try:
                return await self.remote.send(request)
            except UpstreamRefused as exc:
                if not await self._switch(exc):
                    raise
        assert self.local is not None
        return await self.local.send(request)

    async def _switch(self, cause: UpstreamRefused) -> bool:
        """Make the local model, in a thread (fetching asks the Hub for the repository's files
        first); False when it cannot be had, for now."""
        return await asyncio.to_thread(self._make_once, cause)

    def _make_once(self, cause: UpstreamRefused) -> bool:
        with self._making:  # the requests failing together wait for one model
            if self.local is None and time.monotonic() >= self._retry_at:
                try:
                    local = self._make_local()
                except HubdemoError as why:
                    self._retry_at = time.monotonic() + RETRY_SWITCH_AFTER
                    log.warning(
                        "%s; the model cannot answer on this machine instead either: %s",
                        cause.message, why.message,
                    )  # fmt: skip
                    return False
                how = "fetching it from the Hub for" if local.download else "answering with"
                log.warning("%s; %s the model on this machine", cause.message, how)
                self.local = local
            return self.local is not None

    def _hand_back(self) -> None:
        local, self.local = self.local, None
        assert local is not None
        log.warning(
            "the model on this machine failed (%s); asking the router again", local.load_error
        )
        self._retry_at = time.monotonic() + RETRY_SWITCH_AFTER
        self._closing = asyncio.ensure_future(local.aclose())  # kept: a task needs a reference

    def stream(self, request: WireRequest) -> AsyncIterator[dict[str, Any]]:
        return self.active.stream(request)

    async def aclose(self) -> None:
        await self.remote.aclose()
        if self.local is not None:
            await self.local.aclose()
