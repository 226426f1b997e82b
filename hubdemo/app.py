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
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from . import jsonio
from .errors import (
    HubdemoError,
    InputError,
    PayloadTooLarge,
    UnsupportedMedia,
    UpstreamBadResponse,
)
from .limits import ClientGone, Gate, unless_disconnected
from .openapi import openapi
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


def require_json(request: Request) -> None:
    """Refuse (415) a body that is not declared JSON: a browser lets any page post text/plain
    and form bodies to any address without asking, so they must never be read as a request."""
    declared = request.headers.get("content-type", "")
    media_type = declared.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMedia(
            f"{request.url.path} takes Content-Type: application/json (got "
            f'{media_type or "none"}): send the body as JSON, e.g. {{"data": [...]}}'
        )


async def read_json(request: Request, limit: int) -> Any:
    """The request body as JSON (see read_body for the size limit)."""
    require_json(request)
    body = await read_body(request, limit)
    try:
        return jsonio.loads(body)
    except UnicodeDecodeError:
        raise InputError("the request body is not UTF-8 JSON") from None
    except jsonio.JSONTooDeep as exc:
        raise InputError(f"{exc}: send the task's body as /api/info describes it") from None
    except jsonio.NotUnicode as exc:
        raise InputError(f"{exc}: send UTF-8 text") from None
    except ValueError as exc:
        raise InputError(f"the request body is not valid JSON ({exc})") from None


def create_app(
    spec: ModelSpec,
    upstream: Upstream,
    *,
    max_upload_mb: int = 20,
    concurrency: int = 32,
    max_queue: int = 256,
    auth: str | None = None,
    cors: list[str] | None = None,
) -> Starlette:
    """The demo app for ``spec``, answering predictions through ``upstream``.

    ``concurrency``/``max_queue`` bound predictions running and waiting (see limits.py);
    ``auth`` ("user:password" or a token) guards every route but /healthz; ``cors`` lists the
    origins allowed to call the API from a browser (none by default).
    """
    predictor = Predictor(spec, upstream)
    gate = Gate(concurrency, max_queue)
    folder = templates_dir()
    templates = Jinja2Templates(directory=str(folder))
    limit = max_upload_mb * 2**20
    info = predictor.info()

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
        }
        if health["model"] == "failed":
            health["error"] = getattr(upstream, "load_error", None)
        return JSONResponse(health)

    async def api_info(request: Request) -> Response:
        return JSONResponse(info)

    document = openapi(info, predictor.handler.spec)

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(document)

    async def api_predict(request: Request) -> Response:
        body = await read_json(request, limit)
        if request.query_params.get("stream", "").lower() in ("1", "true", "yes"):
            return stream_answer(predictor.stream(body))
        try:
            answer = await unless_disconnected(request, gate.run(lambda: predictor.predict(body)))
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

    def stream_answer(events: AsyncIterator[dict[str, Any]]) -> Response:
        """Server-sent events: {"delta"} as the model writes, then {"output", "data",
        "duration"}; a failure midway is an ``event: error`` with the usual error object."""

        async def sse() -> AsyncIterator[str]:
            try:
                async with gate.slot():
                    async for event in events:
                        yield f"data: {json.dumps(event)}\n\n"
            except HubdemoError as exc:
                yield f"event: error\ndata: {json.dumps(exc.to_json())}\n\n"

        return StreamingResponse(
            sse(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    async def on_error(request: Request, exc: Exception) -> Response:
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
        raise exc  # SecurityHeaders, the outermost layer, answers the one 500

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        start = getattr(upstream, "start", None)
        if start is not None:
            start()  # a local model begins loading now; the page says so until it is ready
        yield
        await upstream.aclose()

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
        ],
        middleware=middleware,
        exception_handlers={HubdemoError: on_error, HTTPException: on_error},
        lifespan=lifespan,
    )
    app.state.predictor = predictor
    return app
