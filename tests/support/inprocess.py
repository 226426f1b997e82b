"""An ASGI app driven in process, through httpx.ASGITransport, with its lifespan run: the unit
layer's stand-in for a server on a port (no socket, no subprocess)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from hubdemo.hub import HubClient
from hubdemo.predictor import make_upstream
from hubdemo.resolve import resolve

NO_HUB = "http://127.0.0.1:9"  # nothing listens there: a test that asks the Hub fails at once


class InProcess:
    """``with InProcess(app) as app: app.post("/api/predict", json=...)`` — sync calls, one
    event loop for the app's whole life, as a server would have."""

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        self.app = app
        self._runner = asyncio.Runner()
        self._lifespan = app.router.lifespan_context(app)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._client = httpx.AsyncClient(transport=transport, base_url=f"http://{host}")

    def __enter__(self) -> InProcess:
        self._runner.run(self._lifespan.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        self._runner.run(self._client.aclose())
        self._runner.run(self._lifespan.__aexit__(None, None, None))
        self._runner.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._runner.run(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def run(self, coroutine: Any) -> Any:
        """Runs ``coroutine`` on the app's loop (an async client of one's own, a stream)."""
        return self._runner.run(coroutine)


def function_app(target: str, task: str, **settings: Any) -> InProcess:
    """hubdemo's app serving ``support.functions:<name>`` for ``task``."""
    from hubdemo.web.app import create_app

    spec = resolve(target, HubClient(endpoint=NO_HUB), task)
    return InProcess(create_app(spec, make_upstream(spec), **settings))
