"""The hf-inference HTTP protocol, shared by the router, providers and fixed endpoints: the
client (client.py), the error statuses (status.py), server-sent events (sse.py) and the lean
keep-alive transport (lean.py)."""

from __future__ import annotations

from .client import DEFAULT_RETRY_BUDGET, DEFAULT_TOTAL, HttpUpstream, new_transports

__all__ = ["DEFAULT_RETRY_BUDGET", "DEFAULT_TOTAL", "HttpUpstream", "new_transports"]
