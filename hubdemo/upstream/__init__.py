"""Backends behind one interface (``Upstream``, base.py); ``make_upstream`` picks one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from ..cache import hub_cache_dir
from ..errors import ModelNotFound
from ..providers import AUTO, HF_INFERENCE, choose_provider
from ..resolve import ModelSpec
from ..settings import BackendOptions
from .base import Upstream
from .endpoint import EndpointUpstream
from .router import DEFAULT_ROUTER, RouterUpstream

__all__ = ["EndpointUpstream", "RouterUpstream", "Upstream", "make_upstream"]


def make_upstream(
    spec: ModelSpec,
    options: BackendOptions | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    **settings: Any,
) -> Upstream:
    """Pick the backend for ``spec`` by ``options`` (else BackendOptions from ``settings`` and
    the environment); ``http_transport`` records or replays (hubdemo smoke):

    - a Space: the Space, through gradio_client; a ``module:function`` model: that function;
    - ``--local``, a saved model's directory, or a model resolved from the cache (offline):
      the model in process;
    - ``--endpoint`` (or HUBDEMO_ENDPOINT): that URL;
    - else the router: an Inference Provider through it (``provider``: auto or a name, see
      providers.py), or hf-inference, falling back to the cached copy, when there is one, if
      the router cannot be reached.
    """
    options = options or BackendOptions.from_env(**settings)
    if spec.source == "space":
        from ..spaces.upstream import SpaceUpstream

        return SpaceUpstream(spec.space, timeout=options.timeout)
    if spec.source == "function":
        from .function import FunctionUpstream, load_function

        return FunctionUpstream(load_function(spec.model_id), spec.model_id, spec.task)
    if options.local or (spec.source in ("local", "cache") and not options.endpoint):
        return in_process(spec, options)
    common: dict[str, Any] = {
        "transport": http_transport,
        "timeout": options.timeout,
        "retry_budget": options.retry_budget,
        "token": options.token,
        "model_id": spec.model_id,
        "gated": spec.gated,
        "model_url": spec.hub_url,
    }
    if options.endpoint:
        return EndpointUpstream(options.endpoint, **common)
    router = options.router or DEFAULT_ROUTER
    requested = (options.provider or AUTO).strip() or AUTO
    choice = choose_provider(spec.providers, requested, spec.model_id)
    if choice.provider != HF_INFERENCE:
        from .providers.upstream import ProviderUpstream

        return ProviderUpstream(router, choice=choice, task=spec.task, **common)
    remote = RouterUpstream(router, task=spec.task, choice=choice, **common)
    from ..local import local_available

    if spec.local_dir and local_available():
        from .fallback import FallbackUpstream

        return FallbackUpstream(remote, lambda: in_process(spec, options))
    return remote


def in_process(spec: ModelSpec, options: BackendOptions) -> Upstream:
    """The model on this machine (its saved folder), or ModelNotFound saying how to get it."""
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
        batch_size=options.batch_size,
        batch_wait=options.batch_wait_ms / 1000,
        model_id=spec.model_id,
        timeout=options.timeout,
    )
