"""A Space's API description and answers kept in a cassette (``hubdemo smoke --record`` /
``--replay``, see hubdemo/cassette.py).

gradio_client makes its own HTTP calls through httpx's module functions, which take no
transport, so its traffic cannot be recorded as the Hub's and the router's are. What hubdemo
needs from a Space is kept instead, as exchanges of their own under ``space.hubdemo.invalid``:

    GET  /<space>/api                 {"named": view_api's named endpoints, "config": its
                                      components and dependencies}
    POST /<space>/call                the endpoint's call ({"api_name", "args"}, files as data
                                      URLs) -> its values as hubdemo shows them (files as
                                      data URLs)

Replaying answers from those, so a Space is smoke-tested with no network. A ChatInterface
Space's conversation (sessions, streams) is not kept: it is smoke-tested live.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from ..cassette import Cassette

HOST = "https://space.hubdemo.invalid"


class SpaceTape:
    def __init__(self, cassette: Cassette, replaying: bool) -> None:
        self.cassette = cassette
        self.replaying = replaying

    @staticmethod
    def _url(space: str, what: str) -> str:
        return f"{HOST}/{quote(space, safe='')}/{what}"

    def description(self, space: str) -> dict[str, Any]:
        """The recorded API of ``space`` (NotRecorded when it was not recorded)."""
        answer = self.cassette.answer(httpx.Request("GET", self._url(space, "api")))
        described: dict[str, Any] = json.loads(answer.content)
        return described

    def keep_description(self, space: str, named: dict[str, Any], config: dict[str, Any]) -> None:
        kept = {k: config.get(k) for k in ("title", "components", "dependencies")}
        body = json.dumps({"named": named, "config": kept}).encode()
        self.cassette.add(
            httpx.Request("GET", self._url(space, "api")),
            httpx.Response(200, headers={"content-type": "application/json"}, content=body),
        )

    def _call(self, space: str, call: dict[str, Any]) -> httpx.Request:
        body = json.dumps(call, sort_keys=True).encode()
        return httpx.Request(
            "POST", self._url(space, "call"), content=body,
            headers={"content-type": "application/json"},
        )  # fmt: skip

    def answer(self, space: str, call: dict[str, Any]) -> list[Any]:
        values: list[Any] = json.loads(self.cassette.answer(self._call(space, call)).content)
        return values

    def keep_answer(self, space: str, call: dict[str, Any], values: list[Any]) -> None:
        self.cassette.add(
            self._call(space, call),
            httpx.Response(
                200,
                headers={"content-type": "application/json"},
                content=json.dumps(values).encode(),
            ),
        )
