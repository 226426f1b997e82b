"""Gradio's client protocol beside hubdemo's own API, so that ``gradio_client`` (and
``@gradio/client``) call a hubdemo demo as they call a Gradio app:

    GET  /config                         the app: its components and one dependency, "predict"
    GET  /gradio_api/info                named_endpoints["/predict"]: parameters and returns
    POST /gradio_api/queue/join          {"data", "fn_index", "session_hash"} -> {"event_id"}
    GET  /gradio_api/queue/data          the session's server-sent events (sse_v3)
    POST /gradio_api/upload              multipart files -> their paths on this server
    GET  /gradio_api/file={path}         a file this server wrote for an answer
    POST /gradio_api/cancel              cancel an event
    POST /gradio_api/call/predict        Gradio's REST API: {"data"} -> {"event_id"}; then
    GET  /gradio_api/call/predict/{id}   its answer as events "generating", "complete", "error"

The one endpoint runs through the same chain, gate and limits as ``POST /api/predict``
(describe.py says what it takes and gives, values.py converts, queue.py runs and streams it,
rest.py answers curl, files.py keeps the files; sessions live in hubdemo/state/, so that with
Redis any of these requests may land on any worker). A chat model's endpoint is a generator, as a
Gradio ChatInterface's is: one ``gradio_client.Client`` is one conversation.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..server.bodies import Inbound
from ..state import SessionState
from .describe import Endpoint, api_info, config
from .files import FileStore
from .queue import Predict, Queue, Stream
from .rest import Rest


class GradioProtocol:
    """The routes, one per app; ``predict`` runs one ``/api/predict`` body (gate included),
    ``stream`` one streamed chat body (gate included) when the model is a chat model."""

    def __init__(
        self,
        info: dict[str, Any],
        predict: Predict,
        inbound: Inbound,
        *,
        max_store_bytes: int,
        state: SessionState,
        stream: Stream | None = None,
        each: dict[str, tuple[Predict, Stream | None]] | None = None,
    ) -> None:
        """``each``: a compare demo's endpoints, one per model (name: its predict and stream),
        instead of ``predict`` and ``stream`` under /predict."""
        chat = stream is not None or any(s is not None for _, s in (each or {}).values())
        self.endpoint = Endpoint.of(info, chat=chat, named=tuple(each or ()))
        self.state = state
        self.files = FileStore(inbound, max_store_bytes, state)
        targets = list(each.values()) if each else [(predict, stream)] * len(self.endpoint.names)
        self.queue = Queue(self.endpoint, self.files, inbound, targets, state)
        self.rest = Rest(self.queue)

    def routes(self) -> list[Route]:
        async def described(request: Request) -> Response:
            return JSONResponse(config(self.endpoint))

        async def info(request: Request) -> Response:
            return JSONResponse(api_info(self.endpoint))

        return [
            Route("/config", described),
            Route("/gradio_api/info", info),
            Route("/gradio_api/queue/join", self.queue.join, methods=["POST"]),
            Route("/gradio_api/queue/data", self.queue.data),
            Route("/gradio_api/upload", self.files.upload, methods=["POST"]),
            Route("/gradio_api/file={path:path}", self.files.file),
            Route("/gradio_api/cancel", self.queue.cancel, methods=["POST"]),
            Route("/gradio_api/call/{name}", self.rest.call, methods=["POST"]),
            Route("/gradio_api/call/{name}/{event_id}", self.rest.result),
        ]

    def close(self) -> None:
        self.files.close()
