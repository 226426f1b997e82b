"""Backends behind one interface (``Upstream``); ``make_upstream`` picks one from the flags."""

from __future__ import annotations

from pathlib import Path

import httpx

from ..cache import hub_cache_dir
from ..errors import ModelNotFound
from ..providers import HF_INFERENCE, choose_provider, requested_provider
from ..resolve import ModelSpec
from .base import Upstream
from .endpoint import EndpointUpstream, endpoint_url
from .http import DEFAULT_RETRY_BUDGET
from .router import RouterUpstream, router_base

__all__ = ["EndpointUpstream", "RouterUpstream", "Upstream", "make_upstream"]


def make_upstream(
    spec: ModelSpec,
    *,
    token: str | None = None,
    router: str | None = None,
    endpoint: str | None = None,
    local: bool = False,
    batch_size: int = 16,
    batch_wait_ms: float = 2.0,
    http_transport: httpx.AsyncBaseTransport | None = None,
    retry_budget: float = DEFAULT_RETRY_BUDGET,
    timeout: float | None = None,
    provider: str | None = None,
) -> Upstream:
    """Pick the backend:

    - a ``module:function`` model: that function;
    - ``--local``, a saved model's directory, or a model resolved from the cache (offline):
      the model in process;
    - ``--endpoint`` (or HUBDEMO_ENDPOINT): that URL;
    - else the router: an Inference Provider through it (``provider``: auto or a name, see
      providers.py), or hf-inference, falling back to the cached copy, when there is one, if
      the router cannot be reached.
    """
    if spec.source == "space":
        from .space import SpaceUpstream

        return SpaceUpstream(spec.space, timeout=timeout)
    if spec.source == "function":
        from .function import FunctionUpstream, load_function

        return FunctionUpstream(load_function(spec.model_id), spec.model_id, spec.task)

    def in_process() -> Upstream:
        from .local import LocalUpstream

        if not spec.local_dir:
            folder = hub_cache_dir() / ("models--" + spec.model_id.replace("/", "--"))
            raise ModelNotFound(
                f"'{spec.model_id}' is not on this machine (looked for {folder}): download it "
                f"with `hf download {spec.model_id}`, or drop --local"
            )
        return LocalUpstream(
            Path(spec.local_dir),
            spec.task,
            batch_size=batch_size,
            batch_wait=batch_wait_ms / 1000,
            model_id=spec.model_id,
            timeout=timeout,
        )

    fixed = endpoint or endpoint_url()
    if local or (spec.source in ("local", "cache") and not fixed):
        return in_process()
    common = {
        "transport": http_transport,
        "timeout": timeout,
        "retry_budget": retry_budget,
        "token": token,
        "model_id": spec.model_id,
        "gated": spec.gated,
        "model_url": spec.hub_url,
    }
    if fixed:
        return EndpointUpstream(fixed, **common)  # type: ignore[arg-type]
    choice = choose_provider(spec.providers, requested_provider(provider), spec.model_id)
    if choice.provider != HF_INFERENCE:
        from .provider import ProviderUpstream

        return ProviderUpstream(router or router_base(), choice=choice, task=spec.task, **common)
    remote = RouterUpstream(router or router_base(), task=spec.task, **common)
    remote.provider_choice = choice
    from ..local import local_available

    if spec.local_dir and local_available():
        from .fallback import FallbackUpstream

        return FallbackUpstream(remote, in_process)
    return remote
