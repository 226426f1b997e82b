"""``hubdemo endpoint``: a model on this machine served over the hf-inference wire protocol.

The routes and bodies are the router's, so anything that speaks to the router or to an
Inference Endpoint can use it — ``huggingface_hub.InferenceClient(model="http://host:port")``,
``hubdemo serve MODEL --endpoint http://host:port``, or ``--router http://host:port``:

    POST /                                          the model's task (a sentence-transformers
                                                    model also answers feature-extraction)
    POST /models/{id}[/pipeline/{task}]             the router's routes, with or without
    POST /hf-inference/models/{id}[/pipeline/{task}]  the provider prefix
    POST /v1/chat/completions                       a chat model (also under /models/{id}/):
                                                    the OpenAI body; "stream": true gives SSE
    GET  /  and  /health                            what is served and whether it is loaded

Errors are the router's ``{"error": "..."}`` bodies with the matching status.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .bodies import read_body
from .errors import HubdemoError, UpstreamLoading, UpstreamNotFound
from .resolve import ModelSpec
from .security import SecurityHeaders
from .tasks.base import WireRequest
from .upstream.local import EMBEDDING_TASKS, LocalUpstream

log = logging.getLogger("hubdemo")


def _wire_request(body: bytes, content_type: str | None) -> WireRequest:
    return WireRequest(content=body, content_type=content_type or "application/json")


def _task_for_root(spec: ModelSpec, request: WireRequest) -> str:
    """POST / on an embedding model: sentence pairs are similarity, plain texts are features."""
    if spec.task not in EMBEDDING_TASKS or "json" not in (request.content_type or ""):
        return spec.task
    try:
        inputs = json.loads(request.content or b"").get("inputs")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return spec.task
    return "sentence-similarity" if isinstance(inputs, dict) else "feature-extraction"


def create_endpoint_app(
    spec: ModelSpec, backend: LocalUpstream, *, max_upload_mb: int = 20
) -> Starlette:
    limit = max_upload_mb * 2**20

    def describe() -> dict[str, Any]:
        return {
            "model": spec.model_id,
            "task": spec.task,
            "state": backend.state,
            "protocol": "hf-inference",
            "routes": [
                "POST /",
                f"POST /models/{spec.model_id}",
                f"POST /hf-inference/models/{spec.model_id}/pipeline/<task>",
                *(["POST /v1/chat/completions"] if spec.task == "chat-completion" else []),
            ],
        }

    async def info(request: Request) -> Response:
        return JSONResponse(describe())

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "model": backend.state})

    async def root(request: Request) -> Response:
        wire = _wire_request(await read_body(request, limit), request.headers.get("content-type"))
        return await _answer(_task_for_root(spec, wire), wire)

    async def chat(request: Request) -> Response:
        if spec.task != "chat-completion":
            raise UpstreamNotFound(f"{spec.model_id} is a {spec.task} model, not a chat model")
        body = await read_body(request, limit)
        wire = _wire_request(body, request.headers.get("content-type"))
        try:
            streamed = json.loads(body).get("stream") is True
        except (ValueError, AttributeError, UnicodeDecodeError):
            streamed = False  # the backend's own check says what is wrong with the body
        if not streamed:
            return await _answer("chat-completion", wire)
        events = backend.stream(wire)
        first = await anext(events)  # bad input is still a plain error status here

        async def sse() -> AsyncIterator[str]:
            try:
                yield f"data: {json.dumps(first)}\n\n"
                async for event in events:
                    yield f"data: {json.dumps(event)}\n\n"
                yield "data: [DONE]\n\n"
            except HubdemoError as exc:  # after the 200: the router says it inside the stream
                yield f"data: {json.dumps({'error': exc.message})}\n\n"
            finally:
                await events.aclose()

        return StreamingResponse(sse(), media_type="text/event-stream")

    async def routed(request: Request) -> Response:
        path: str = request.path_params["rest"]
        if path.endswith("/v1/chat/completions"):
            model_id = path.removesuffix("/v1/chat/completions")
            if model_id.strip("/") != spec.model_id:
                raise UpstreamNotFound(
                    f"Model {model_id} is not served here; this endpoint serves {spec.model_id}"
                )
            return await chat(request)
        model_id, _, task = path.partition("/pipeline/")
        if model_id.strip("/") != spec.model_id:
            raise UpstreamNotFound(
                f"Model {model_id} is not served here; this endpoint serves {spec.model_id}"
            )
        chosen = task.strip("/") or spec.task
        if not backend.supports(chosen):
            raise UpstreamNotFound(f"{spec.model_id} does not serve {chosen} here ({spec.task})")
        wire = _wire_request(await read_body(request, limit), request.headers.get("content-type"))
        return await _answer(chosen, wire)

    async def _answer(task: str, wire: WireRequest) -> Response:
        answer = await backend.answer(task, wire)
        return Response(answer.content(), media_type=answer.content_type)

    async def on_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HubdemoError):
            log.exception("unexpected error on %s", request.url.path)
            return JSONResponse({"error": "internal error; see the server log"}, status_code=500)
        body: dict[str, Any] = {"error": exc.message}
        headers = {}
        if isinstance(exc, UpstreamLoading) and exc.retry_after is not None:
            body["estimated_time"] = exc.retry_after
        if exc.retry_after is not None:
            headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await backend.aclose()

    app = Starlette(
        routes=[
            Route("/", info, methods=["GET"]),
            Route("/", root, methods=["POST"]),
            Route("/health", health),
            Route("/healthz", health),
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/models/{rest:path}", routed, methods=["POST"]),
            Route("/hf-inference/models/{rest:path}", routed, methods=["POST"]),
        ],
        exception_handlers={HubdemoError: on_error, Exception: on_error},
        middleware=[Middleware(SecurityHeaders)],
        lifespan=lifespan,
    )
    return app
