"""The web app: the demo page, its static assets and the HTTP API of DESIGN.md §3."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import HubdemoError, InputError, PayloadTooLarge
from .predictor import Predictor
from .resolve import ModelSpec
from .upstream import Upstream

log = logging.getLogger("hubdemo")

# Everything the page loads comes from this server: no CDN, no inline script.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"media-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


def templates_dir() -> Path:
    """templates/ of the source tree, or the copy a wheel installs inside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("hubdemo's templates/ folder is missing: reinstall hubdemo")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    too_big = PayloadTooLarge(
        f"the request is larger than {limit // 2**20} MB; send a smaller file "
        "(or start the server with a higher --max-upload-mb)"
    )
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body:
        raise InputError('the request body is empty: send {"data": [...]} or {"inputs": ...}')
    return body


async def read_json(request: Request, limit: int) -> Any:
    """The request body as JSON (see read_body for the size limit)."""
    body = await read_body(request, limit)
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise InputError("the request body is not UTF-8 JSON") from None
    except ValueError as exc:
        raise InputError(f"the request body is not valid JSON ({exc})") from None


def create_app(spec: ModelSpec, upstream: Upstream, *, max_upload_mb: int = 20) -> Starlette:
    """The demo app for ``spec``, answering predictions through ``upstream``."""
    predictor = Predictor(spec, upstream)
    folder = templates_dir()
    templates = Jinja2Templates(directory=str(folder))
    limit = max_upload_mb * 2**20
    info = predictor.info()

    async def page(request: Request) -> Response:
        return templates.TemplateResponse(
            request,
            "page.html",
            {"info": info, "info_json": json.dumps(info), "handler": predictor.handler},
        )

    async def healthz(request: Request) -> Response:
        # "model" is "loading" while a local model loads: the page says so until it is ready.
        health = {"status": "ok", "model": getattr(upstream, "state", "ready")}
        if health["model"] == "failed":
            health["error"] = getattr(upstream, "load_error", None)
        return JSONResponse(health)

    async def api_info(request: Request) -> Response:
        return JSONResponse(info)

    async def api_predict(request: Request) -> Response:
        body = await read_json(request, limit)
        return JSONResponse(await predictor.predict(body))

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HubdemoError):
            status, payload = exc.status, exc.to_json()
            headers = {}
            wait = exc.retry_after
            if wait is None and status in (429, 503):
                wait = 5.0  # DESIGN: these always say when to come back
            if wait is not None:
                headers["Retry-After"] = str(max(1, round(wait)))
            log.info("%s %s -> %s %s", request.method, request.url.path, status, exc.type)
            return JSONResponse(payload, status_code=status, headers=headers)
        if isinstance(exc, HTTPException):
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
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(
            {
                "error": "hubdemo hit an internal error; the server log has the details",
                "type": "InternalError",
            },
            status_code=500,
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        start = getattr(upstream, "start", None)
        if start is not None:
            start()  # a local model begins loading now; the page says so until it is ready
        yield
        await upstream.aclose()

    app = Starlette(
        routes=[
            Route("/", page),
            Route("/healthz", healthz),
            Route("/api/info", api_info),
            Route("/api/predict", api_predict, methods=["POST"]),
            Mount("/static", StaticFiles(directory=str(folder / "static")), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HubdemoError: on_error, HTTPException: on_error, Exception: on_error},
        lifespan=lifespan,
    )
    app.state.predictor = predictor
    return app
