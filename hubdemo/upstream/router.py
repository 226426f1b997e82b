"""The Hub's inference router: ``{router}/hf-inference/models/{id}[/pipeline/{task}]``."""

from __future__ import annotations

from typing import Any

from ..providers import ProviderChoice
from .http import HttpUpstream


class RouterUpstream(HttpUpstream):
    kind = "router"
    url_flag = "--router (HUBDEMO_ROUTER)"

    def __init__(
        self, router: str, *, task: str, choice: ProviderChoice | None = None, **kwargs: Any
    ) -> None:
        super().__init__(router, **kwargs)
        self.task = task
        self._choice = choice  # hf-inference, and why

    @property
    def provider_choice(self) -> ProviderChoice | None:
        return self._choice

    def url_for(self, route: str) -> str:
        url = f"{self.base_url}/hf-inference/models/{self.model_id}"
        if route == "chat":
            return f"{url}/v1/chat/completions"
        return f"{url}/pipeline/{self.task}" if route == "pipeline" else url
