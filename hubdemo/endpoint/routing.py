"""Which task a request means, as the router decides it, and the handlers of every route of
``hubdemo endpoint`` (app.py assembles them)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .. import __version__, jsonio
from ..errors import HubdemoError, UpstreamNotFound
from ..local.generation.model import MAX_STOPS
from ..local.registry import EMBEDDING_TASKS, GENERATION_TASKS
from ..offload import OFFLOAD_BYTES, off_loop
from ..resolve import ModelSpec
from ..server import sse
from ..server.bodies import read_body
from ..tasks.base import MAX_BATCH
from ..upstream.local import LocalUpstream
from ..wire import WireRequest

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


async def _json_body_off_loop(wire: WireRequest) -> Any:
    """_json_body, in the parsing thread for a large body."""
    if len(wire.content or b"") > OFFLOAD_BYTES:
        return await off_loop(_json_body, wire)
    return _json_body(wire)


def streamed(body: Any) -> bool:
    return isinstance(body, dict) and body.get("stream") is True


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


class Handlers:
    """The routes' handlers for one model on this machine."""

    def __init__(self, spec: ModelSpec, backend: LocalUpstream, max_upload_mb: int) -> None:
        self.spec = spec
        self.backend = backend
        self.routing = Routing(spec, backend)
        self.limit = max_upload_mb * 2**20

    def routes_served(self) -> list[str]:
        model = f"/models/{self.spec.model_id}"
        listed = ["POST /", f"POST {model}", f"POST {model}/pipeline/<task>"]
        served = self.routing.served()
        if "chat-completion" in served:
            listed += [f"POST {CHAT}", f"POST {model}{CHAT}"]
        if "completions" in served:
            listed += [f"POST {COMPLETIONS}", f"POST {model}{COMPLETIONS}"]
            listed += ["POST /generate", "POST /generate_stream"]
        return [*listed, "GET /info", "GET /health"]

    async def describe(self, request: Request) -> Response:
        return JSONResponse(
            {
                "model": self.spec.model_id,
                "task": self.spec.task,
                "tasks": self.routing.served(),
                "state": self.backend.state,
                "protocol": "hf-inference",
                "routes": self.routes_served(),
            }
        )

    async def info(self, request: Request) -> Response:
        """TGI's and TEI's /info, as far as they apply here."""
        spec, backend = self.spec, self.backend
        return JSONResponse(
            {
                "model_id": spec.model_id,
                "model_sha": spec.revision,
                "model_pipeline_tag": spec.pipeline_tag or spec.task,
                "task": spec.task,
                "tasks": self.routing.served(),
                "max_input_length": backend.input_limit(),
                "max_client_batch_size": MAX_BATCH,
                "max_batch_size": backend.batch_size,
                "max_stop_sequences": MAX_STOPS,
                "max_best_of": 1,
                "state": backend.state,
                "routes": self.routes_served(),
                "router": "hubdemo endpoint",
                "version": __version__,
            }
        )

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "model": self.backend.state})

    async def read(self, request: Request) -> WireRequest:
        body = await read_body(request, self.limit)
        return _wire_request(body, request.headers.get("content-type"))

    async def root(self, request: Request) -> Response:
        return await self.by_body(await self.read(request), router_form=True)

    async def by_body(self, wire: WireRequest, *, router_form: bool) -> Response:
        body = await _json_body_off_loop(wire)
        task = self.routing.default_task(body)
        if task == "chat-completion":
            return await self.chat_answer(wire, streamed(body))
        if task == "text-generation":
            return await self.generation_answer(wire, streamed(body), router_form=router_form)
        return await self.answer(task, wire)

    async def chat(self, request: Request) -> Response:
        self.routing.check_task("chat-completion")
        wire = await self.read(request)
        return await self.chat_answer(wire, streamed(await _json_body_off_loop(wire)))

    async def chat_answer(self, wire: WireRequest, stream: bool) -> Response:
        self.routing.check_task("chat-completion")
        if not stream:
            return await self.answer("chat-completion", wire)
        return await event_stream(self.backend.stream(wire, "chat-completion"), done=True)

    async def completions(self, request: Request) -> Response:
        self.routing.check_task("completions")
        wire = await self.read(request)
        if streamed(await _json_body_off_loop(wire)):
            return await event_stream(self.backend.stream(wire, "completions"), done=True)
        return await self.answer("completions", wire)

    async def generation_answer(
        self, wire: WireRequest, stream: bool, *, router_form: bool
    ) -> Response:
        """TGI's body. The router answers a list of one, TGI's /generate the object."""
        self.routing.check_task("text-generation")
        if stream:
            return await event_stream(self.backend.stream(wire, "text-generation"), done=False)
        result = await self.backend.answer("text-generation", wire)
        payload = result.payload
        if not router_form and isinstance(payload, list) and len(payload) == 1:
            payload = payload[0]
        return JSONResponse(payload)

    async def generate(self, request: Request) -> Response:
        self.routing.check_task("text-generation")
        return await self.generation_answer(await self.read(request), False, router_form=False)

    async def generate_stream(self, request: Request) -> Response:
        self.routing.check_task("text-generation")
        return await self.generation_answer(await self.read(request), True, router_form=False)

    async def routed(self, request: Request) -> Response:
        """/models/{id}[/pipeline/{task} | /v1/chat/completions | /v1/completions]"""
        path: str = request.path_params["rest"]
        for suffix, handler in ((CHAT, self.chat), (COMPLETIONS, self.completions)):
            if path.endswith(suffix):
                self.routing.check_model(path.removesuffix(suffix))
                return await handler(request)
        model_id, _, task = path.partition("/pipeline/")
        self.routing.check_model(model_id)
        if not task.strip("/"):
            return await self.by_body(await self.read(request), router_form=True)
        return await self.pipeline(task.strip("/"), request)

    async def old_pipeline(self, request: Request) -> Response:
        """The older /pipeline/{task}/{id}, still answered by the router."""
        self.routing.check_model(request.path_params["rest"])
        return await self.pipeline(request.path_params["task"], request)

    async def pipeline(self, task: str, request: Request) -> Response:
        self.routing.check_task(task)
        wire = await self.read(request)
        if task in GENERATION_TASKS:
            return await self.by_body(wire, router_form=True)
        return await self.answer(task, wire)

    async def answer(self, task: str, wire: WireRequest) -> Response:
        result = await self.backend.answer(task, wire)
        return Response(result.content(), media_type=result.content_type)


async def event_stream(events: AsyncGenerator[dict[str, Any], None], *, done: bool) -> Response:
    """A generation as server-sent events; ``done``: end with OpenAI's ``[DONE]``."""
    first = await anext(events)  # bad input is still a plain error status here

    async def stream() -> AsyncIterator[str]:
        try:
            yield sse.event(first)
            async for found in events:
                yield sse.event(found)
            if done:  # the OpenAI routes end so; TGI's just ends
                yield sse.DONE
        except HubdemoError as exc:  # after the 200: the router says it inside the stream
            yield sse.event({"error": here(exc.message), "error_type": type(exc).__name__})
        finally:
            await events.aclose()

    return StreamingResponse(stream(), media_type="text/event-stream")


def here(message: str) -> str:
    """Messages written for ``hubdemo serve`` point at its GET /api/info; this server's list
    of the task's settings is GET /info."""
    return message.replace("GET /api/info", "GET /info")
