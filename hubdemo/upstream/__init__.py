"""Backends behind one interface (``Upstream``); ``make_upstream`` picks one from the flags."""

from __future__ import annotations

from ..resolve import ModelSpec
from .base import Upstream
from .endpoint import EndpointUpstream, endpoint_url
from .router import RouterUpstream, router_base

__all__ = ["EndpointUpstream", "RouterUpstream", "Upstream", "make_upstream"]


def make_upstream(
    spec: ModelSpec,
    *,
    token: str | None = None,
    router: str | None = None,
    endpoint: str | None = None,
) -> Upstream:
    """--endpoint (or HUBDEMO_ENDPOINT) when given, else the router (--router/HUBDEMO_ROUTER)."""
    common = {
        "token": token,
        "model_id": spec.model_id,
        "gated": spec.gated,
        "model_url": spec.hub_url,
    }
    fixed = endpoint or endpoint_url()
    if fixed:
        return EndpointUpstream(fixed, **common)  # type: ignore[arg-type]
    return RouterUpstream(router or router_base(), task=spec.task, **common)
