"""The Hub's inference router: ``{router}/hf-inference/models/{id}[/pipeline/{task}]``."""

from __future__ import annotations

import os

from ..providers import ProviderChoice
from .http import HttpUpstream

DEFAULT_ROUTER = "https://router.huggingface.co"


def router_base() -> str:
    return os.environ.get("HUBDEMO_ROUTER", DEFAULT_ROUTER).rstrip("/")


class RouterUpstream(HttpUpstream):
    kind = "router"
    url_flag = "--router (HUBDEMO_ROUTER)"

    def __init__(self, router: str, *, task: str, **kwargs: object) -> None:
        super().__init__(router, **kwargs)  # type: ignore[arg-type]
        self.task = task
        self.provider_choice: ProviderChoice | None = None  # hf-inference, and why

    def url_for(self, route: str) -> str:
        url = f"{self.base_url}/hf-inference/models/{self.model_id}"
        if route == "chat":
            return f"{url}/v1/chat/completions"
        return f"{url}/pipeline/{self.task}" if route == "pipeline" else url
