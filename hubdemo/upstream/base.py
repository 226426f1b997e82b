"""The backend contract: everything the server, the CLI and the Python API ask of a backend.

Written in the style of httpx's ``AsyncBaseTransport``: a base class whose every member has a
working default, so a backend overrides only what it does differently, and callers never probe
for members (no ``getattr``/``hasattr`` on a backend anywhere else).

    member            default          overridden by
    kind              "upstream"       every backend: "router", "endpoint", "provider", "local",
                                       "function", "space"
    model_id          ""               what the model is called where it answers
    state             "ready"          local (idle -> [downloading ->] loading -> ready | failed),
                                       fallback
    load_error        None             local, fallback: why the model failed to load
    download          None             local: the progress of its files' download (--local)
    load_seconds      None             local: how long loading took
    secrets           ()               HTTP, space: the token it sends, which answers never carry
    provider_choice   None             router, provider, fallback: which provider answers, why
    can_stream        False            HTTP backends, local, space: ``stream`` works
    start()           None             local: begin loading now; a Future of the load
    url_for(route)    (required)       where a request on ``route`` goes (never the token)
    send(request)     (required)       one WireRequest answered, or an UpstreamError
    stream(request)   refuses          the answer's JSON events as they arrive
    aclose()          nothing          let go of connections, threads and models
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..providers import ProviderChoice
from ..wire import WireRequest, WireResponse

if TYPE_CHECKING:
    from ..download.progress import DownloadProgress


class Upstream:
    """Where predictions are computed: the router, a provider, a fixed endpoint, a Space, a
    model in this process, or the user's own function."""

    model_id: str = ""
    load_seconds: float | None = None
    secrets: tuple[str, ...] = ()  # what the backend sends and no answer may carry (the token)

    @property
    def kind(self) -> str:
        """What answers, in one word: shown by describe, /api/info and the page."""
        return "upstream"

    @property
    def state(self) -> str:
        """ "idle", "downloading", "loading", "ready" or "failed": the page says which until
        "ready"."""
        return "ready"

    @property
    def load_error(self) -> str | None:
        """Why the model failed to load (state "failed"), else None."""
        return None

    @property
    def download(self) -> DownloadProgress | None:
        """The model's files being fetched for this backend (``--local``), else None."""
        return None

    @property
    def provider_choice(self) -> ProviderChoice | None:
        """The Inference Provider that answers and why (the router's backends only)."""
        return None

    @property
    def can_stream(self) -> bool:
        """Whether ``stream`` gives the answer as it is written."""
        return False

    def answered_by(self) -> str:
        """ "router", "local", … or, for an Inference Provider, its name."""
        choice = self.provider_choice
        if self.kind == "provider" and choice is not None:
            return f"{choice.provider} (Inference Provider)"
        return self.kind

    def start(self) -> Future[None] | None:
        """Begin what must happen before the first answer (a local model loads); None when
        there is nothing to wait for, else a Future that ends when it is done."""
        return None

    def share_state(self, state: Any) -> None:
        """Keep what a visitor's calls share (a Space's sessions) in ``state``, a SessionState
        every worker and replica sees (hubdemo/state/); most backends keep nothing."""

    def url_for(self, route: str) -> str:
        """The URL a request on ``route`` goes to (shown by describe; never holds the token)."""
        raise NotImplementedError

    async def send(self, request: WireRequest) -> WireResponse:
        """Send one request; raise an UpstreamError subclass for anything but a 2xx answer."""
        raise NotImplementedError

    def stream(self, request: WireRequest) -> AsyncIterator[dict[str, Any]]:
        """The answer's JSON events as they arrive (chat.completion.chunk objects for chat)."""
        raise InputError(f"the {self.kind} backend cannot stream: drop ?stream=true")

    def stream_values(self, request: WireRequest) -> AsyncIterator[dict[str, Any]]:
        """A run's progress and partial answers as it goes, then its values (a Space's
        endpoint: see spaces/upstream.py); only backends whose tasks set ``partials``."""
        raise InputError(f"the {self.kind} backend has no partial answers: drop ?stream=true")

    async def aclose(self) -> None:
        """Let go of what the backend holds (connections, threads, a loaded model)."""
