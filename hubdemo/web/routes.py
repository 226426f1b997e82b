"""The demo's own routes: the page, health, the API's description and ``POST /api/predict``.

``POST /api/predict`` takes a JSON body (either form, see docs/design.md), or for a task whose
one input is a file, that file as the body with parameters in the query string; ``?stream=true``
streams a chat model's answer as server-sent events. Every prediction runs in a gate slot
(limits.py), its body within the size, time and memory budget (bodies.py), and is cancelled when
its client leaves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..errors import HubdemoError, UpstreamBadResponse
from ..offload import OFFLOAD_BYTES
from ..parameters import named_values
from ..predictor import Predictor
from ..server import sse
from ..server.bodies import declared_size, read_body, read_json, require_json
from ..server.limits import ClientGone, unless_disconnected
from ..server.requestlog import note
from ..server.security import json_for_html, visitor_of
from ..settings import ServeOptions
from .shared import Shared


class GatedStream(StreamingResponse):
    """A stream that gives its gate slot back when it ends, however it ends (finished, the
    client gone, or never started)."""

    def __init__(self, content: AsyncIterator[str], release: Callable[[], None], **kw: Any):
        super().__init__(content, **kw)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


class DemoRoutes:
    """The handlers of one demo, sharing its predictor, gate and body budget."""

    def __init__(
        self,
        predictor: Predictor,
        info: dict[str, Any],
        shared: Shared,
        options: ServeOptions,
        gradio: Any = None,
        answerer: Any = None,
    ) -> None:
        self.predictor = predictor
        # What answers POSTed bodies: the predictor, or a compare demo's Comparison (the
        # same predict, predict_media and stream).
        self.answerer = answerer or predictor
        self.gradio = gradio  # its sessions' state is part of the health
        self.info = info
        self.templates = shared.templates
        self.gate = shared.gate
        self.budget = shared.budget
        self.limit = options.max_upload_mb * 2**20
        self.body_timeout = options.body_timeout
        self.document = predictor.handler.api_document(info)
        self.media_kind = predictor.media_kind()

    def routes(self) -> list[Route]:
        return [
            Route("/", self.page),
            Route("/healthz", self.healthz),
            Route("/api/info", self.api_info),
            Route("/openapi.json", self.openapi_json),
            Route("/api/predict", self.api_predict, methods=["POST"]),
        ]

    def live_info(self) -> dict[str, Any]:
        """/api/info's object, with the backend as it is now (the router's fallback may have
        switched to the model on this machine since the server started)."""
        return {**self.info, **self.predictor.backend_info()}

    async def page(self, request: Request) -> Response:
        info = self.live_info()
        context = {
            "info": info,
            "info_json": json_for_html(info),
            "handler": self.predictor.handler,
        }
        return self.templates.TemplateResponse(request, "page.html", context)

    async def healthz(self, request: Request) -> Response:
        # "model" is "loading" while a local model loads: the page says so until it is ready.
        upstream, gate = self.predictor.upstream, self.gate
        health: dict[str, Any] = {
            "status": "ok",
            "model": upstream.state,
            "running": gate.running,
            "waiting": gate.waiting,
            "limits": {
                "concurrency": gate.concurrency,
                "max_queue": gate.max_queue,
                "queue_timeout": gate.queue_timeout,
                "body_memory_mb": self.budget.capacity // 2**20,
            },
            "uploads_held_mb": round(self.budget.held / 2**20, 1),
        }
        if health["model"] == "failed":
            health["error"] = upstream.load_error
        if upstream.download is not None and health["model"] == "downloading":
            health["download"] = upstream.download.as_dict()
        if self.gradio is not None:  # Gradio's clients need it; /api/predict does not
            health["state"] = await self.gradio.state.health()
        return JSONResponse(health)

    async def api_info(self, request: Request) -> Response:
        return JSONResponse(self.live_info())

    async def openapi_json(self, request: Request) -> Response:
        return JSONResponse(self.document)

    async def api_predict(self, request: Request) -> Response:
        declared = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if self.media_kind and declared.startswith(f"{self.media_kind}/"):
            return await self.media_predict(request)
        require_json(request, self.media_kind)
        session = visitor_of(request)
        size = declared_size(request, self.limit)
        # Room for the body before it is read; held until the answer is sent (a stream's slot
        # and room are given back when it ends).
        async with self.budget.hold(self.limit if size is None else size):
            body = await read_json(request, self.limit, self.body_timeout)
            if request.query_params.get("stream", "").lower() in ("1", "true", "yes"):
                return await self.stream_answer(self.answerer.stream(body, session))
            large = size is None or size > OFFLOAD_BYTES  # unknown: may be large
            return await self.answered(
                request, lambda: self.answerer.predict(body, offload=large, session=session)
            )

    async def media_predict(self, request: Request) -> Response:
        """The file itself as the body (as the router takes it), parameters in the query
        string: forwarded as received, never base64-encoded or held twice."""
        parameters = named_values(request.query_params.multi_items(), option="?")
        session = visitor_of(request)
        size = declared_size(request, self.limit)
        async with self.budget.hold(self.limit if size is None else size):
            content = await read_body(request, self.limit, self.body_timeout)
            return await self.answered(
                request, lambda: self.answerer.predict_media(content, parameters, session)
            )

    async def answered(
        self, request: Request, predict: Callable[[], Awaitable[dict[str, Any]]]
    ) -> Response:
        """Run ``predict`` in a gate slot, cancelled if the client leaves, and answer it."""
        try:
            answer = await unless_disconnected(request, self.gate.run(predict))
        except ClientGone:
            return Response(status_code=499)  # nobody is listening; nothing is sent
        note(request.scope, model_seconds=answer.get("duration"))
        try:
            return JSONResponse(answer)
        except UnicodeEncodeError:  # a lone surrogate that came from a backend in process
            raise UpstreamBadResponse(
                "the model answered text that is not valid Unicode; check the model"
            ) from None
        except ValueError:  # NaN or infinity from the model: JSON has no such numbers
            raise UpstreamBadResponse(
                "the model answered NaN or infinite numbers, which JSON cannot carry; check the "
                "model or its input"
            ) from None

    async def stream_answer(self, events: AsyncIterator[dict[str, Any]]) -> Response:
        """Server-sent events: {"delta"} as the model writes, then {"output", "data",
        "duration"}; a failure midway is an ``event: error`` with the usual error object.
        The slot is taken before the 200 is sent: a full server answers 429, not a stream."""
        await self.gate.enter()

        async def written() -> AsyncIterator[str]:
            try:
                async for found in events:
                    yield sse.event(found)
            except HubdemoError as exc:
                yield sse.event(exc.to_json(), "error")

        return GatedStream(
            written(), self.gate.leave, media_type="text/event-stream", headers=sse.HEADERS
        )
