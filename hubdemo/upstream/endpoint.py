"""A fixed inference URL (an Inference Endpoint, TGI/TEI, another hubdemo): the same protocol,
every request to that one URL."""

from __future__ import annotations

import os

from .http import HttpUpstream


def endpoint_url() -> str | None:
    return os.environ.get("HUBDEMO_ENDPOINT") or None


class EndpointUpstream(HttpUpstream):
    kind = "endpoint"
