"""A fixed inference URL (an Inference Endpoint, TGI/TEI, another hubdemo): the same protocol,
every request to that one URL."""

from __future__ import annotations

from .http import HttpUpstream


class EndpointUpstream(HttpUpstream):
    kind = "endpoint"
