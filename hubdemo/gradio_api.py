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

The one endpoint, ``/predict``, takes hubdemo's inputs in ``/api/info`` order (the values of
``{"data": [...]}``, media as uploaded files), then the task's parameters, all with defaults;
it runs through the same chain, gate and limits as ``POST /api/predict``. Its answer is the
Gradio value of the output: a Label's ``{label, confidences}``, text, a HighlightedText's spans,
a file's ``{path, url, meta}``, or the normalized output as JSON.

A chat model's endpoint is a generator, as a Gradio ChatInterface's is (and is also named
``/chat``): it takes the message (then the chat parameters) and streams the reply as
``process_generating`` diffs. The conversation is kept per session, as ChatInterface keeps
its state: one ``gradio_client.Client`` is one conversation.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
import shutil
import tempfile
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .errors import HubdemoError, InputError, PayloadTooLarge
from .media import file_type, file_url, media_from_bytes

log = logging.getLogger("hubdemo")

# A version gradio_client reads its API description from (/info, not the Space fetcher: any
# version past 3.36.1) and cancels on (past 4.29).
GRADIO_VERSION = "5.0.0"
FILE_TYPES = {"image": "Image", "audio": "Audio", "video": "Video", "file": "File"}
FILE_DATA = {
    "type": "object",
    "properties": {
        "path": {"type": "string"},
        "url": {"type": ["string", "null"]},
        "meta": {"type": "object", "properties": {"_type": {"const": "gradio.FileData"}}},
    },
    "required": ["path"],
}
OUTPUT_TYPES = {
    "labels": "label", "text": "textbox", "entities": "highlightedtext", "image": "image",
    "audio": "audio", "video": "video",
}  # fmt: skip
KEEP_FILES = 3600.0  # seconds an uploaded or answered file stays
MAX_UNREAD_CALLS = 1024  # REST answers kept for their GET; past it the oldest is dropped
KEEP_CONVERSATIONS = 256  # chat sessions remembered; the oldest is forgotten first


Predict = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
Stream = Callable[[dict[str, Any]], AsyncGenerator[dict[str, Any], None]]


class GradioProtocol:
    """The routes, one per app; ``predict`` runs one ``/api/predict`` body (gate included),
    ``stream`` one streamed chat body (gate included) when the model is a chat model."""

    def __init__(
        self,
        info: dict[str, Any],
        predict: Predict,
        max_upload_bytes: int,
        stream: Stream | None = None,
    ) -> None:
        self.info = info
        self.predict = predict
        self.stream = stream
        self.conversations: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self.max_upload_bytes = max_upload_bytes
        self.folder = Path(tempfile.mkdtemp(prefix="hubdemo-gradio-"))
        self.sessions: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.pending: dict[str, int] = {}  # events of a session not completed yet
        self.jobs: dict[str, tuple[str, asyncio.Task[None]]] = {}  # event id: session, job
        self.inputs = list(info["inputs"])
        self.controls = [c for c in info["parameters"] if "." not in c["name"]]
        self.output = info["outputs"][0]

    # -- the description ---------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        components = []
        for i, component in enumerate(self.inputs, start=1):
            kind = component["kind"]
            entry: dict[str, Any] = {
                "id": i,
                "type": FILE_TYPES.get(kind, "Textbox").lower(),
                "props": {"label": component["label"], "name": component["name"]},
            }
            if kind in FILE_TYPES:
                entry["api_info"] = FILE_DATA  # gradio_client uploads what fits this
            components.append(entry)
        controls = len(self.inputs) + 1
        for j, control in enumerate(self.controls, start=controls):
            components.append({"id": j, "type": "textbox", "props": {"label": control["name"]}})
        output_id = len(components) + 1
        kind = self._output_type()
        output: dict[str, Any] = {
            "id": output_id,
            "type": kind,
            "props": {"label": self._output_label()},
        }
        if kind in ("image", "audio", "video"):
            output["api_info"] = FILE_DATA
        components.append(output)
        names = ["predict", "chat"] if self.stream else ["predict"]
        return {
            "version": GRADIO_VERSION,
            "mode": "interface",
            "title": f"{self.info['model']} · hubdemo",
            "protocol": "sse_v3",
            "api_prefix": "/gradio_api",
            "connect_heartbeat": False,
            "enable_queue": True,
            "show_error": True,
            "components": components,
            "dependencies": [
                {
                    "id": fn_index,
                    "api_name": name,
                    "inputs": list(range(1, output_id)),
                    "outputs": [output_id],
                    "backend_fn": True,
                    "queue": True,
                    "api_visibility": "public",
                    "types": {"generator": self.stream is not None, "cancel": False},
                }
                for fn_index, name in enumerate(names)
            ],
        }

    def _output_type(self) -> str:
        return "textbox" if self.stream else OUTPUT_TYPES.get(self.output["kind"], "json")

    def _output_label(self) -> str:
        return "Response" if self.stream else str(self.output["label"])

    def api_info(self) -> dict[str, Any]:
        parameters = []
        for component in self.inputs:
            is_file = component["kind"] in FILE_TYPES
            parameters.append(
                {
                    "label": component["label"],
                    "parameter_name": component["name"],
                    "parameter_has_default": bool(component.get("optional")),
                    "parameter_default": None,
                    "type": FILE_DATA if is_file else {"type": "string"},
                    "python_type": {
                        "type": "filepath" if is_file else "str",
                        "description": "a file path or URL" if is_file else "",
                    },
                    "component": FILE_TYPES.get(component["kind"], "Textbox"),
                    "example_input": None if is_file else "Hello!!",
                }
            )
        for control in self.controls:
            parameters.append(
                {
                    "label": control["name"],
                    "parameter_name": control["name"],
                    "parameter_has_default": True,
                    "parameter_default": None,
                    "type": {},
                    "python_type": {"type": "Any", "description": control.get("description", "")},
                    "component": "Textbox",
                    "example_input": control.get("default"),
                }
            )
        kind = self._output_type()
        returns = [
            {
                "label": self._output_label(),
                "type": FILE_DATA if kind in ("image", "audio", "video") else {},
                "python_type": {"type": "Any", "description": ""},
                "component": kind.capitalize(),
            }
        ]
        endpoint = {"parameters": parameters, "returns": returns}
        names = ["/predict", "/chat"] if self.stream else ["/predict"]
        return {"named_endpoints": dict.fromkeys(names, endpoint), "unnamed_endpoints": {}}

    # -- the queue ---------------------------------------------------------------------------

    async def join(self, request: Request) -> Response:
        body = await self._json(request, "queue/join")
        endpoints = 2 if self.stream else 1  # a chat model's is also named /chat
        if body.get("fn_index", 0) not in range(endpoints):
            raise InputError("this app has one endpoint, fn_index 0 (/predict)")
        session = str(body.get("session_hash") or uuid.uuid4())
        return JSONResponse({"event_id": self._start(session, body.get("data"))})

    def _start(self, session: str, data: Any) -> str:
        if not isinstance(data, list):
            raise InputError('"data" must be a list of values')
        event_id = uuid.uuid4().hex
        queue = self.sessions.setdefault(session, asyncio.Queue())
        self.pending[session] = self.pending.get(session, 0) + 1
        job = asyncio.create_task(self._run(session, event_id, data, queue))
        self.jobs[event_id] = (session, job)
        return event_id

    @staticmethod
    async def _json(request: Request, route: str) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise InputError(f'{route} takes a JSON object: {{"data": [...]}}')
        return body

    # -- Gradio's REST API (curl): POST /gradio_api/call/<name>, then GET .../<event_id> --------

    async def call(self, request: Request) -> Response:
        self._endpoint(request.path_params["name"])
        body = await self._json(request, "call")
        unread = [s for s in self.sessions if s.startswith("call:")]
        for session in unread[: max(0, len(unread) - MAX_UNREAD_CALLS + 1)]:
            self._forget(session)  # answers nobody came for, the oldest first
        event_id = uuid.uuid4().hex
        self._start(f"call:{event_id}", body.get("data"))
        return JSONResponse({"event_id": event_id})

    async def call_result(self, request: Request) -> Response:
        self._endpoint(request.path_params["name"])
        session = f"call:{request.path_params['event_id']}"
        queue = self.sessions.get(session)
        if queue is None:
            return JSONResponse({"detail": "Event not found."}, status_code=404)

        async def events() -> AsyncIterator[str]:
            value: Any = None
            try:
                while True:
                    message = await queue.get()
                    output = message.get("output", {})
                    if message["msg"] == "process_generating":
                        value = self._applied(value, output["data"][0])
                        yield f"event: generating\ndata: {json.dumps([value])}\n\n"
                    elif message["msg"] == "process_completed":
                        if message["success"]:
                            yield f"event: complete\ndata: {json.dumps(output['data'])}\n\n"
                        else:
                            yield f"event: error\ndata: {json.dumps(output['error'])}\n\n"
                        return
            finally:
                self._forget(session)  # read once, as Gradio's are

        return StreamingResponse(events(), media_type="text/event-stream")

    def _endpoint(self, name: str) -> None:
        if name not in (["predict", "chat"] if self.stream else ["predict"]):
            raise HTTPException(404, f"no endpoint /{name[:60]}; this app has /predict")

    @staticmethod
    def _applied(value: Any, update: Any) -> Any:
        """A streamed value after one update: the first carries the value, the next ones
        Gradio's ``[["append", [], text]]`` diffs."""
        if value is None:
            return update
        for _action, _path, piece in update:
            value += piece
        return value

    def _forget(self, session: str) -> None:
        """Cancels a session's jobs and drops its queue."""
        for owner, job in list(self.jobs.values()):
            if owner == session:
                job.cancel()
        self.sessions.pop(session, None)
        self.pending.pop(session, None)

    async def _run(
        self, session: str, event_id: str, data: list[Any], queue: asyncio.Queue[dict[str, Any]]
    ) -> None:
        queue.put_nowait({"msg": "process_starts", "event_id": event_id, "eta": None})
        try:
            if self.stream is not None:
                value: Any = await self._chat(session, event_id, data, queue)
            else:
                value = self._value(await self.predict(self._body(data)))
            message = {
                "msg": "process_completed",
                "event_id": event_id,
                "output": {"data": [value]},
                "success": True,
            }
        except asyncio.CancelledError:
            message = self._failed(event_id, "cancelled", "Cancelled")
        except HubdemoError as exc:  # the client raises it as AppError with hubdemo's words
            message = self._failed(event_id, exc.message, type(exc).__name__)
        except Exception:  # never a silent hang: the client hears that it failed
            log.exception("the Gradio route failed for event %s", event_id)
            message = self._failed(event_id, "internal error; see the server log", "Error")
        finally:
            self.jobs.pop(event_id, None)
            if session in self.pending:  # gone if its client left
                self.pending[session] -= 1
        queue.put_nowait(message)

    async def _chat(
        self, session: str, event_id: str, data: list[Any], queue: asyncio.Queue[dict[str, Any]]
    ) -> str:
        """Streams the reply to ``data``'s message as Gradio's diffs (the first event carries
        the value, each next one what it appends) and keeps the turn in the conversation."""
        assert self.stream is not None
        message = self._message(data[0] if data else None)
        history = self.conversations.get(session, [])
        body = self._body(data)
        turn = {"role": "user", "content": message}
        body = {"messages": [*history, turn], **body.get("parameters", {})}
        reply, first = "", True
        async with aclosing(self.stream(body)) as events:
            async for event in events:
                delta = event.get("delta")
                if not delta:
                    continue
                reply += delta
                value = [reply] if first else [[["append", [], delta]]]
                first = False
                queue.put_nowait(
                    {
                        "msg": "process_generating",
                        "event_id": event_id,
                        "output": {"data": value},
                        "success": True,
                    }
                )
        self.conversations[session] = [*history, turn, {"role": "assistant", "content": reply}]
        self.conversations.move_to_end(session)
        while len(self.conversations) > KEEP_CONVERSATIONS:
            self.conversations.popitem(last=False)
        return reply

    @staticmethod
    def _message(value: Any) -> str:
        """A ChatInterface message: text, or a multimodal one's ``{"text": ...}``."""
        if isinstance(value, dict) and not value.get("files"):
            value = value.get("text")
        if not isinstance(value, str):
            raise InputError("message: give the message as text")
        return value

    @staticmethod
    def _failed(event_id: str, text: str, title: str) -> dict[str, Any]:
        return {
            "msg": "process_completed",
            "event_id": event_id,
            "output": {"error": text, "title": title},
            "success": False,
        }

    async def data(self, request: Request) -> Response:
        session = request.query_params.get("session_hash", "")
        if session not in self.sessions:
            return JSONResponse({"detail": "Session not found."}, status_code=404)
        queue = self.sessions[session]

        async def events() -> AsyncIterator[str]:
            done = False
            try:
                async for event in self._events(session, queue):
                    yield event
                done = True
            finally:
                if not done:  # the client left: its jobs are of no use to anyone
                    self._forget(session)

        return StreamingResponse(events(), media_type="text/event-stream")

    async def _events(
        self, session: str, queue: asyncio.Queue[dict[str, Any]]
    ) -> AsyncIterator[str]:
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=15)
            except TimeoutError:
                yield 'data: {"msg": "heartbeat"}\n\n'
                continue
            yield f"data: {json.dumps(message)}\n\n"
            idle = not self.pending.get(session) and queue.empty()
            if message["msg"] == "process_completed" and idle:  # nothing pending: close
                yield 'data: {"msg": "close_stream"}\n\n'
                self.sessions.pop(session, None)
                self.pending.pop(session, None)
                return

    async def cancel(self, request: Request) -> Response:
        body = await request.json()
        entry = self.jobs.get(str(body.get("event_id")))
        if entry is not None:
            entry[1].cancel()
        return JSONResponse({"success": entry is not None})

    # -- files -------------------------------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        form = await request.form(max_files=16, max_part_size=self.max_upload_bytes)
        paths = []
        for item in form.getlist("files"):
            if isinstance(item, str):
                continue
            content = await item.read()
            if len(content) > self.max_upload_bytes:
                raise PayloadTooLarge(
                    f"{item.filename}: {len(content) // 2**20} MB; at most "
                    f"{self.max_upload_bytes // 2**20} MB (--max-upload-mb)"
                )
            paths.append(str(self._keep(content, Path(item.filename or "upload").suffix)))
        self._expire()
        return JSONResponse(paths)

    async def file(self, request: Request) -> Response:
        path = self._ours(request.path_params["path"])
        if path is None:
            return JSONResponse({"detail": "File not found"}, status_code=404)
        return FileResponse(path)

    def _keep(self, content: bytes, suffix: str) -> Path:
        path = self.folder / f"{secrets.token_hex(16)}{suffix[:12]}"
        path.write_bytes(content)
        return path

    def _ours(self, given: str) -> Path | None:
        """A path this server wrote, or None: nothing else on the machine is ever read."""
        try:
            path = Path(given).resolve()
        except (OSError, ValueError):
            return None
        if path.parent != self.folder.resolve() or not path.is_file():
            return None
        return path

    def _expire(self) -> None:
        old = time.time() - KEEP_FILES
        for path in self.folder.iterdir():
            if path.stat().st_mtime < old:
                path.unlink(missing_ok=True)

    # -- values ------------------------------------------------------------------------------

    def _body(self, data: list[Any]) -> dict[str, Any]:
        """The /api/predict body of the endpoint's positional values."""
        inputs = data[: len(self.inputs)]
        if len(inputs) < len(self.inputs):
            names = ", ".join(c["name"] for c in self.inputs)
            raise InputError(f"/predict takes {len(self.inputs)} input(s): {names}")
        values = [self._input(v, c) for v, c in zip(inputs, self.inputs, strict=True)]
        parameters = {
            control["name"]: value
            for control, value in zip(self.controls, data[len(self.inputs) :], strict=False)
            if value not in (None, "")
        }
        return {"data": values, **({"parameters": parameters} if parameters else {})}

    def _input(self, value: Any, component: dict[str, Any]) -> Any:
        kind = component["kind"]
        if kind not in FILE_TYPES:
            return value
        if value in (None, "") and component.get("optional"):
            return ""
        if not isinstance(value, dict) or not isinstance(value.get("path"), str):
            raise InputError(f"{component['name']}: give a file (gradio_client's handle_file)")
        path = self._ours(value["path"])
        if path is None:
            raise InputError(
                f"{component['name']}: {value['path'][:100]} is not a file uploaded to this "
                "server; upload it first (gradio_client does, with handle_file)"
            )
        if kind == "file":  # any file, under the name it was uploaded with (a Space's File)
            given = value.get("orig_name")
            name = given if isinstance(given, str) and given else path.name
            data = path.read_bytes()
            return file_url(data, file_type(data, name), name)
        media = media_from_bytes(path.read_bytes(), kind, component["name"])
        return media.data_url()

    def _value(self, answer: dict[str, Any]) -> Any:
        """The output in the Gradio component's value shape."""
        kind = self.output["kind"]
        output, shown = answer["output"], answer["data"][0]
        if kind == "labels":  # the bars the page draws (fill-mask's tokens too)
            rows = sorted(shown, key=lambda r: -r["score"])
            return {
                "label": rows[0]["label"] if rows else None,
                "confidences": [{"label": r["label"], "confidence": r["score"]} for r in rows],
            }
        if kind == "text":
            return shown["text"] if isinstance(shown, dict) and "text" in shown else output
        if kind == "entities" and isinstance(shown, dict):
            text, pieces, cursor = shown["text"], [], 0
            for span in shown["entities"]:
                if span["start"] > cursor:
                    pieces.append(
                        {"token": text[cursor : span["start"]], "class_or_confidence": None}
                    )
                pieces.append(
                    {
                        "token": text[span["start"] : span["end"]],
                        "class_or_confidence": span["label"],
                    }
                )
                cursor = span["end"]
            if cursor < len(text):
                pieces.append({"token": text[cursor:], "class_or_confidence": None})
            return pieces
        if kind in FILE_TYPES and isinstance(shown, dict) and "url" in shown:
            header, _, payload = shown["url"].partition(",")
            mime = header[5:].split(";")[0]
            path = self._keep(base64.b64decode(payload), "." + shown["name"].rsplit(".", 1)[-1])
            return {
                "path": str(path),
                "url": f"/gradio_api/file={path}",
                "orig_name": shown["name"],
                "mime_type": mime,
                "meta": {"_type": "gradio.FileData"},
            }
        return output

    def routes(self) -> list[Route]:
        async def config(request: Request) -> Response:
            return JSONResponse(self.config())

        async def info(request: Request) -> Response:
            return JSONResponse(self.api_info())

        return [
            Route("/config", config),
            Route("/gradio_api/info", info),
            Route("/gradio_api/queue/join", self.join, methods=["POST"]),
            Route("/gradio_api/queue/data", self.data),
            Route("/gradio_api/upload", self.upload, methods=["POST"]),
            Route("/gradio_api/file={path:path}", self.file),
            Route("/gradio_api/cancel", self.cancel, methods=["POST"]),
            Route("/gradio_api/call/{name}", self.call, methods=["POST"]),
            Route("/gradio_api/call/{name}/{event_id}", self.call_result),
        ]

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
