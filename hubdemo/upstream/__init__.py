"""Backends behind one interface (``Upstream``, base.py): the router (router.py), a fixed
endpoint (endpoint.py), Inference Providers (providers/), the model in process (local.py), the
user's function (function.py), and the router with a local fallback (fallback.py), all HTTP
ones on http/. Which one serves a model is predictor.make_upstream's choice."""

from __future__ import annotations

from .base import Upstream
from .endpoint import EndpointUpstream
from .router import RouterUpstream

__all__ = ["EndpointUpstream", "RouterUpstream", "Upstream"]
