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

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from . import __version__, jsonio
from .bodies import read_body
from .errors import HubdemoError, UpstreamLoading, UpstreamNotFound
from .local.generation import MAX_STOPS
from .resolve import ModelSpec
from .security import SecurityHeaders
from .tasks.base import MAX_BATCH, WireRequest
from .upstream.local import EMBEDDING_TASKS, GENERATION_TASKS, LocalUpstream

log = logging.getLogger("hubdemo")

CHAT = "/v1/chat/completions"
COMPLETIONS = "/v1/completions"


def _wire_request(body: bytes, content_type: str | None) -> WireRequest:
    return WireRequest(content=body, content_type=content_type or "application/json")


def _json_body(wire: WireRequest) -> Any:
    """The body as JSON when it is JSON (None for raw media and broken bodies: the task's own
    check then says what is wrong with it)."""
    if "json" not in (wire.content_type or ""):
        return None
    try:
        return jsonio.loads(wire.content or b"")
    except (ValueError, UnicodeDecodeError):
        return None


class Routing:
    """Which task a POST without a task name means, as the router decides it."""

    def __init__(self, spec: ModelSpec, backend: LocalUpstream) -> None:
        self.spec = spec
        self.backend = backend

    def default_task(self, body: Any) -> str:
        task = self.spec.task
        if not isinstance(body, dict):
            return task
        if task in EMBEDDING_TASKS:
            inputs = body.get("inputs")
            return "sentence-similarity" if isinstance(inputs, dict) else "feature-extraction"
        if task in GENERATION_TASKS:
            return "chat-completion" if "messages" in body else "text-generation"
        return task

    def served(self) -> list[str]:
        candidates = [self.spec.task, *EMBEDDING_TASKS, *GENERATION_TASKS]
        return list(dict.fromkeys(t for t in candidates if self.backend.supports(t)))

    def check_model(self, model_id: str) -> None:
        if model_id.strip("/") != self.spec.model_id:
            raise UpstreamNotFound(
                f"Model {model_id.strip('/')} is not served here; this endpoint serves "
                f"{self.spec.model_id}"
            )

    def check_task(self, task: str) -> None:
        if not self.backend.supports(task):
            raise UpstreamNotFound(
                f"{self.spec.model_id} does not serve {task} here; it serves "
                f"{', '.join(self.served())}"
            )


def create_endpoint_app(
    spec: ModelSpec, backend: LocalUpstream, *, max_upload_mb: int = 20
) -> Starlette:
    limit = max_upload_mb * 2**20
    routing = Routing(spec, backend)

    def routes_served() -> list[str]:
        model = f"/models/{spec.model_id}"
        listed = ["POST /", f"POST {model}", f"POST {model}/pipeline/<task>"]
        served = routing.served()
        if "chat-completion" in served:
            listed += [f"POST {CHAT}", f"POST {model}{CHAT}"]
        if "completions" in served:
            listed += [f"POST {COMPLETIONS}", f"POST {model}{COMPLETIONS}"]
            listed += ["POST /generate", "POST /generate_stream"]
        return [*listed, "GET /info", "GET /health"]

    async def describe(request: Request) -> Response:
        return JSONResponse(
            {
                "model": spec.model_id,
                "task": spec.task,
                "tasks": routing.served(),
                "state": backend.state,
                "protocol": "hf-inference",
                "routes": routes_served(),
            }
        )

    async def info(request: Request) -> Response:
        """TGI's and TEI's /info, as far as they apply here."""
        return JSONResponse(
            {
                "model_id": spec.model_id,
                "model_sha": spec.revision,
                "model_pipeline_tag": spec.pipeline_tag or spec.task,
                "task": spec.task,
                "tasks": routing.served(),
                "max_input_length": backend.input_limit(),
                "max_client_batch_size": MAX_BATCH,
                "max_batch_size": backend.batch_size,
                "max_stop_sequences": MAX_STOPS,
                "max_best_of": 1,
                "state": backend.state,
                "routes": routes_served(),
                "router": "hubdemo endpoint",
                "version": __version__,
            }
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "model": backend.state})

    async def read(request: Request) -> WireRequest:
        body = await read_body(request, limit)
        return _wire_request(body, request.headers.get("content-type"))

    async def root(request: Request) -> Response:
        wire = await read(request)
        return await by_body(wire, router_form=True)

    async def by_body(wire: WireRequest, *, router_form: bool) -> Response:
        body = _json_body(wire)
        task = routing.default_task(body)
        streamed = isinstance(body, dict) and body.get("stream") is True
        if task == "chat-completion":
            return await chat_answer(wire, streamed)
        if task == "text-generation":
            return await generation_answer(wire, streamed, router_form=router_form)
        return await answer(task, wire)

    async def chat(request: Request) -> Response:
        routing.check_task("chat-completion")
        wire = await read(request)
        body = _json_body(wire)
        return await chat_answer(wire, isinstance(body, dict) and body.get("stream") is True)

    async def chat_answer(wire: WireRequest, streamed: bool) -> Response:
        routing.check_task("chat-completion")
        if not streamed:
            return await answer("chat-completion", wire)
        return await sse(backend.stream(wire, "chat-completion"), done=True)

    async def completions(request: Request) -> Response:
        routing.check_task("completions")
        wire = await read(request)
        body = _json_body(wire)
        if isinstance(body, dict) and body.get("stream") is True:
            return await sse(backend.stream(wire, "completions"), done=True)
        return await answer("completions", wire)

    async def generation_answer(
        wire: WireRequest, streamed: bool, *, router_form: bool
    ) -> Response:
        """TGI's body. The router answers a list of one, TGI's /generate the object."""
        routing.check_task("text-generation")
        if streamed:
            return await sse(backend.stream(wire, "text-generation"), done=False)
        result = await backend.answer("text-generation", wire)
        payload = result.payload
        if not router_form and isinstance(payload, list) and len(payload) == 1:
            payload = payload[0]
        return JSONResponse(payload)

    async def generate(request: Request) -> Response:
        routing.check_task("text-generation")
        return await generation_answer(await read(request), False, router_form=False)

    async def generate_stream(request: Request) -> Response:
        routing.check_task("text-generation")
        return await generation_answer(await read(request), True, router_form=False)

    async def sse(events: AsyncGenerator[dict[str, Any], None], *, done: bool) -> Response:
        first = await anext(events)  # bad input is still a plain error status here

        async def stream() -> AsyncIterator[str]:
            try:
                yield f"data: {json.dumps(first)}\n\n"
                async for event in events:
                    yield f"data: {json.dumps(event)}\n\n"
                if done:  # the OpenAI routes end so; TGI's just ends
                    yield "data: [DONE]\n\n"
            except HubdemoError as exc:  # after the 200: the router says it inside the stream
                error = {"error": _here(exc.message), "error_type": type(exc).__name__}
                yield f"data: {json.dumps(error)}\n\n"
            finally:
                await events.aclose()

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def routed(request: Request) -> Response:
        """/models/{id}[/pipeline/{task} | /v1/chat/completions | /v1/completions]"""
        path: str = request.path_params["rest"]
        for suffix, handler in ((CHAT, chat), (COMPLETIONS, completions)):
            if path.endswith(suffix):
                routing.check_model(path.removesuffix(suffix))
                return await handler(request)
        model_id, _, task = path.partition("/pipeline/")
        routing.check_model(model_id)
        if not task.strip("/"):
            return await by_body(await read(request), router_form=True)
        return await pipeline(task.strip("/"), request)

    async def old_pipeline(request: Request) -> Response:
        """The older /pipeline/{task}/{id}, still answered by the router."""
        routing.check_model(request.path_params["rest"])
        return await pipeline(request.path_params["task"], request)

    async def pipeline(task: str, request: Request) -> Response:
        routing.check_task(task)
        wire = await read(request)
        if task in GENERATION_TASKS:
            return await by_body(wire, router_form=True)
        return await answer(task, wire)

    async def answer(task: str, wire: WireRequest) -> Response:
        result = await backend.answer(task, wire)
        return Response(result.content(), media_type=result.content_type)

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):  # no such route, or the wrong method
            served = "; ".join(routes_served())
            what = "Not Found" if exc.status_code == 404 else str(exc.detail)
            where = f"{request.method} {request.url.path}"
            return JSONResponse(
                {"error": f"{what}: {where}. This endpoint serves {served}"},
                status_code=exc.status_code,
            )
        if not isinstance(exc, HubdemoError):
            log.exception("unexpected error on %s", request.url.path)
            return JSONResponse({"error": "internal error; see the server log"}, status_code=500)
        body: dict[str, Any] = {"error": _here(exc.message)}
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

    posts: list[Route] = []
    for prefix in ("", "/hf-inference"):
        posts += [
            Route(f"{prefix}/models/{{rest:path}}", routed, methods=["POST"]),
            Route(f"{prefix}/pipeline/{{task}}/{{rest:path}}", old_pipeline, methods=["POST"]),
        ]
    app = Starlette(
        routes=[
            Route("/", describe, methods=["GET"]),
            Route("/", root, methods=["POST"]),
            Route("/info", info, methods=["GET"]),
            Route("/health", health),
            Route("/healthz", health),
            Route(CHAT, chat, methods=["POST"]),
            Route(COMPLETIONS, completions, methods=["POST"]),
            Route("/generate", generate, methods=["POST"]),
            Route("/generate_stream", generate_stream, methods=["POST"]),
            *posts,
        ],
        exception_handlers={HubdemoError: on_error, HTTPException: on_error, Exception: on_error},
        middleware=[Middleware(SecurityHeaders)],
        lifespan=lifespan,
    )
    return app


def _here(message: str) -> str:
    """Messages written for ``hubdemo serve`` point at its GET /api/info; this server's list
    of the task's settings is GET /info."""
    return message.replace("GET /api/info", "GET /info")
