"""``hubdemo endpoint``: a model on this machine served as the router, TGI and TEI serve theirs.

Routes and bodies are the router's (its recordings say what each route answers), so what
speaks to the router, to an Inference Endpoint or to TGI/TEI can use it —
``huggingface_hub.InferenceClient``, ``@huggingface/inference`` (``endpointUrl``),
``hubdemo serve MODEL --endpoint URL``:

    POST /  and  /models/{id}           the model's task, chosen by the body as the router
                                        does: an embedding model embeds texts and compares
                                        {source_sentence, sentences}; a causal LM takes
                                        TGI's {"inputs", "parameters", "stream"} (and chat's
                                        {"messages"} when it has a chat template)
    POST /models/{id}/pipeline/{task}   a task by name (also the older /pipeline/{task}/{id})
    POST /v1/chat/completions           OpenAI chat (also under /models/{id}/)
    POST /v1/completions                OpenAI completions (also under /models/{id}/)
    POST /generate, /generate_stream    TGI's routes
    GET  /info                          model id, task, limits (TGI/TEI's /info)
    GET  /  and  /health                what is served and whether it is loaded

Each POST route also answers under the /hf-inference prefix. Lists of texts are one batch.
Errors, unknown routes included, are the router's ``{"error": "..."}`` bodies.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import HubdemoError, UpstreamLoading
from ..resolve import ModelSpec
from ..server.security import SecurityHeaders
from ..upstream.local import LocalUpstream
from .routing import CHAT, COMPLETIONS, Handlers, here

log = logging.getLogger("hubdemo")


def create_endpoint_app(
    spec: ModelSpec, backend: LocalUpstream, *, max_upload_mb: int = 20
) -> Starlette:
    handlers = Handlers(spec, backend, max_upload_mb)

    async def on_error(request: Request, exc: Exception) -> Response:
        return error_answer(request, exc, handlers)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await backend.aclose()

    posts: list[Route] = []
    for prefix in ("", "/hf-inference"):
        posts += [
            Route(f"{prefix}/models/{{rest:path}}", handlers.routed, methods=["POST"]),
            Route(
                f"{prefix}/pipeline/{{task}}/{{rest:path}}", handlers.old_pipeline, methods=["POST"]
            ),
        ]
    return Starlette(
        routes=[
            Route("/", handlers.describe, methods=["GET"]),
            Route("/", handlers.root, methods=["POST"]),
            Route("/info", handlers.info, methods=["GET"]),
            Route("/health", handlers.health),
            Route("/healthz", handlers.health),
            Route(CHAT, handlers.chat, methods=["POST"]),
            Route(COMPLETIONS, handlers.completions, methods=["POST"]),
            Route("/generate", handlers.generate, methods=["POST"]),
            Route("/generate_stream", handlers.generate_stream, methods=["POST"]),
            *posts,
        ],
        exception_handlers={HubdemoError: on_error, HTTPException: on_error, Exception: on_error},
        middleware=[Middleware(SecurityHeaders)],
        lifespan=lifespan,
    )


def error_answer(request: Request, exc: Exception, handlers: Handlers) -> Response:
    """The router's ``{"error": ...}`` body for anything that went wrong, unknown routes too."""
    if isinstance(exc, HTTPException):  # no such route, or the wrong method
        served = "; ".join(handlers.routes_served())
        what = "Not Found" if exc.status_code == 404 else str(exc.detail)
        where = f"{request.method} {request.url.path}"
        return JSONResponse(
            {"error": f"{what}: {where}. This endpoint serves {served}"},
            status_code=exc.status_code,
        )
    if not isinstance(exc, HubdemoError):
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"error": "internal error; see the server log"}, status_code=500)
    body: dict[str, Any] = {"error": here(exc.message)}
    headers = {}
    if isinstance(exc, UpstreamLoading) and exc.retry_after is not None:
        body["estimated_time"] = exc.retry_after
    if exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    return JSONResponse(body, status_code=exc.status, headers=headers)
