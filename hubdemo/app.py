"""The web app: the demo page, its static assets and the HTTP API of DESIGN.md §3."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing, asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import Receive, Scope, Send

from .bodies import (
    DEFAULT_BODY_MEMORY_MB,
    DEFAULT_BODY_TIMEOUT,
    OFFLOAD_BYTES,
    BodyBudget,
    declared_size,
    read_body,
    read_json,
    require_json,
)
from .errors import HubdemoError, UpstreamBadResponse
from .limits import DEFAULT_QUEUE_TIMEOUT, ClientGone, Gate, unless_disconnected
from .predictor import Predictor
from .resolve import ModelSpec
from .security import RefuseCrossSite, RequireAuth, SecurityHeaders, json_for_html
from .upstream import Upstream
from .upstream.http import clamp_wait

log = logging.getLogger("hubdemo")


def templates_dir() -> Path:
    """templates/ of the source tree, or the copy a wheel installs inside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("hubdemo's templates/ folder is missing: reinstall hubdemo")


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


def create_app(
    spec: ModelSpec,
    upstream: Upstream,
    *,
    max_upload_mb: int = 20,
    concurrency: int = 32,
    max_queue: int = 256,
    queue_timeout: float = DEFAULT_QUEUE_TIMEOUT,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    body_memory_mb: int = DEFAULT_BODY_MEMORY_MB,
    auth: str | None = None,
    cors: list[str] | None = None,
    gradio_api: bool = True,
) -> Starlette:
    """The demo app for ``spec``, answering predictions through ``upstream``.

    ``concurrency``/``max_queue``/``queue_timeout`` bound predictions running and waiting, and
    how long one waits (see limits.py); ``body_timeout``/``body_memory_mb`` bound the time a
    body may take to arrive and the bytes of bodies held at once (see bodies.py);
    ``auth`` ("user:password" or a token) guards every route but /healthz; ``cors`` lists the
    origins allowed to call the API from a browser (none by default). ``gradio_api`` also
    serves Gradio's client protocol (gradio_api.py).
    """
    predictor = Predictor(spec, upstream)
    gate = Gate(concurrency, max_queue, queue_timeout)
    budget = BodyBudget(max(body_memory_mb * 2**20, max_upload_mb * 2**20), queue_timeout)
    folder = templates_dir()
    templates = Jinja2Templates(directory=str(folder))
    limit = max_upload_mb * 2**20
    info = predictor.info()
    gradio = None
    if gradio_api:
        from .gradio_api import GradioProtocol

        async def gated_stream(body: Any) -> AsyncGenerator[dict[str, Any], None]:
            events = predictor.stream(body)  # bad input is refused before a slot is taken
            await gate.enter()
            try:
                async with aclosing(events):
                    async for event in events:
                        yield event
            finally:
                gate.leave()

        chat = getattr(predictor.handler, "streams", False)
        # Media arrive as files read into data URLs: large, so decoded off the event loop.
        media = any(c["kind"] in ("image", "audio", "video") for c in info["inputs"])
        gradio = GradioProtocol(
            info,
            lambda body: gate.run(lambda: predictor.predict(body, offload=media)),
            limit,
            stream=gated_stream if chat else None,
        )
    info["gradio_api"] = gradio is not None  # the page shows a gradio_client snippet then

    async def page(request: Request) -> Response:
        return templates.TemplateResponse(
            request,
            "page.html",
            {"info": info, "info_json": json_for_html(info), "handler": predictor.handler},
        )

    async def healthz(request: Request) -> Response:
        # "model" is "loading" while a local model loads: the page says so until it is ready.
        health: dict[str, Any] = {
            "status": "ok",
            "model": getattr(upstream, "state", "ready"),
            "running": gate.running,
            "waiting": gate.waiting,
            "limits": {
                "concurrency": gate.concurrency,
                "max_queue": gate.max_queue,
                "queue_timeout": gate.queue_timeout,
                "body_memory_mb": budget.capacity // 2**20,
            },
            "uploads_held_mb": round(budget.held / 2**20, 1),
        }
        if health["model"] == "failed":
            health["error"] = getattr(upstream, "load_error", None)
        return JSONResponse(health)

    async def api_info(request: Request) -> Response:
        return JSONResponse(info)

    document = predictor.handler.api_document(info)

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(document)

    media_kind = predictor.media_kind()

    async def api_predict(request: Request) -> Response:
        declared = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_kind and declared.startswith(f"{media_kind}/"):
            return await media_predict(request)
        require_json(request, media_kind)
        size = declared_size(request, limit)
        # Room for the body before it is read; held until the answer is sent (a stream's slot
        # and room are given back when it ends).
        async with budget.hold(limit if size is None else size):
            body = await read_json(request, limit, body_timeout)
            if request.query_params.get("stream", "").lower() in ("1", "true", "yes"):
                return await stream_answer(predictor.stream(body))
            large = size is None or size > OFFLOAD_BYTES  # unknown: may be large
            return await answered(request, lambda: predictor.predict(body, offload=large))

    async def media_predict(request: Request) -> Response:
        """The file itself as the body (as the router takes it), parameters in the query
        string: forwarded as received, never base64-encoded or held twice."""
        from .parameters import named_values

        parameters = named_values(request.query_params.multi_items(), option="?")
        size = declared_size(request, limit)
        async with budget.hold(limit if size is None else size):
            content = await read_body(request, limit, body_timeout)
            return await answered(request, lambda: predictor.predict_media(content, parameters))

    async def answered(
        request: Request, predict: Callable[[], Awaitable[dict[str, Any]]]
    ) -> Response:
        """Run ``predict`` in a gate slot, cancelled if the client leaves, and answer it."""
        try:
            answer = await unless_disconnected(request, gate.run(predict))
        except ClientGone:
            return Response(status_code=499)  # nobody is listening; nothing is sent
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

    async def stream_answer(events: AsyncIterator[dict[str, Any]]) -> Response:
        """Server-sent events: {"delta"} as the model writes, then {"output", "data",
        "duration"}; a failure midway is an ``event: error`` with the usual error object.
        The slot is taken before the 200 is sent: a full server answers 429, not a stream."""
        await gate.enter()

        async def sse() -> AsyncIterator[str]:
            try:
                async for event in events:
                    yield f"data: {json.dumps(event)}\n\n"
            except HubdemoError as exc:
                yield f"event: error\ndata: {json.dumps(exc.to_json())}\n\n"

        return GatedStream(
            sse(),
            gate.leave,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    async def on_error(request: Request, exc: Exception) -> Response:
        """HubdemoError and HTTPException only: anything else reaches SecurityHeaders, the
        outermost layer, which answers the one 500."""
        if isinstance(exc, HubdemoError):
            status, payload = exc.status, exc.to_json()
            headers = {}
            wait = exc.retry_after
            if wait is None and status in (429, 503):
                wait = 5.0  # DESIGN: these always say when to come back
            if wait is not None:
                headers["Retry-After"] = str(round(clamp_wait(wait)))
            log.info("%s %s -> %s %s", request.method, request.url.path, status, exc.type)
            return JSONResponse(payload, status_code=status, headers=headers)
        assert isinstance(exc, HTTPException)
        if "text/html" in request.headers.get("accept", ""):
            return templates.TemplateResponse(
                request,
                "error.html",
                {"status": exc.status_code, "message": exc.detail},
                status_code=exc.status_code,
            )
        return JSONResponse(
            {"error": f"{exc.detail}: see GET /api/info for the API", "type": "HTTPError"},
            status_code=exc.status_code,
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        start = getattr(upstream, "start", None)
        if start is not None:
            start()  # a local model begins loading now; the page says so until it is ready
        yield
        await upstream.aclose()
        if gradio is not None:
            gradio.close()

    # Outermost first (see security.py): CORS answers preflights before auth is asked for.
    middleware = [Middleware(SecurityHeaders)]
    if cors:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=cors,
                allow_methods=["GET", "POST"],
                allow_headers=["content-type", "authorization"],
            )
        )
    middleware.append(Middleware(RefuseCrossSite, allowed_origins=cors))
    if auth:
        middleware.append(Middleware(RequireAuth, credential=auth))
    app = Starlette(
        routes=[
            Route("/", page),
            Route("/healthz", healthz),
            Route("/api/info", api_info),
            Route("/openapi.json", openapi_json),
            Route("/api/predict", api_predict, methods=["POST"]),
            Mount("/static", StaticFiles(directory=str(folder / "static")), name="static"),
            *(gradio.routes() if gradio is not None else []),
        ],
        middleware=middleware,
        exception_handlers={HubdemoError: on_error, HTTPException: on_error},
        lifespan=lifespan,
    )
    app.state.predictor = predictor
    return app
