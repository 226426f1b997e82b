"""Gradio's client protocol beside hubdemo's own API, so that ``gradio_client`` (and
``@gradio/client``) call a hubdemo demo as they call a Gradio app:

    GET  /config                         the app: its components and one dependency, "predict"
    GET  /gradio_api/info                named_endpoints["/predict"]: parameters and returns
    POST /gradio_api/queue/join          {"data", "fn_index", "session_hash"} -> {"event_id"}
    GET  /gradio_api/queue/data          the session's server-sent events (sse_v3)
    POST /gradio_api/upload              multipart files -> their paths on this server
    GET  /gradio_api/file={path}         a file this server wrote for an answer
    POST /gradio_api/cancel              cancel an event

The one endpoint, ``/predict``, takes hubdemo's inputs in ``/api/info`` order (the values of
``{"data": [...]}``, media as uploaded files), then the task's parameters, all with defaults;
it runs through the same chain, gate and limits as ``POST /api/predict``. Its answer is the
Gradio value of the output: a Label's ``{label, confidences}``, text, a HighlightedText's spans,
a file's ``{path, url, meta}``, or the normalized output as JSON. Chat models are not offered
on this protocol yet.
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
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .errors import HubdemoError, InputError, PayloadTooLarge
from .media import media_from_bytes

log = logging.getLogger("hubdemo")

# A version gradio_client reads its API description from (/info, not the Space fetcher: any
# version past 3.36.1) and cancels on (past 4.29).
GRADIO_VERSION = "5.0.0"
FILE_TYPES = {"image": "Image", "audio": "Audio", "video": "Video"}
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


Predict = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class GradioProtocol:
    """The routes, one per app; ``predict`` runs one ``/api/predict`` body (gate included)."""

    def __init__(self, info: dict[str, Any], predict: Predict, max_upload_bytes: int) -> None:
        self.info = info
        self.predict = predict
        self.max_upload_bytes = max_upload_bytes
        self.folder = Path(tempfile.mkdtemp(prefix="hubdemo-gradio-"))
        self.sessions: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.pending: dict[str, int] = {}  # events of a session not completed yet
        self.jobs: dict[str, asyncio.Task[None]] = {}
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
        kind = OUTPUT_TYPES.get(self.output["kind"], "json")
        output: dict[str, Any] = {
            "id": output_id,
            "type": kind,
            "props": {"label": self.output["label"]},
        }
        if kind in ("image", "audio", "video"):
            output["api_info"] = FILE_DATA
        components.append(output)
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
                    "id": 0,
                    "api_name": "predict",
                    "inputs": list(range(1, output_id)),
                    "outputs": [output_id],
                    "backend_fn": True,
                    "queue": True,
                    "api_visibility": "public",
                    "types": {"generator": False, "cancel": False},
                }
            ],
        }

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
        kind = OUTPUT_TYPES.get(self.output["kind"], "json")
        returns = [
            {
                "label": self.output["label"],
                "type": FILE_DATA if kind in ("image", "audio", "video") else {},
                "python_type": {"type": "Any", "description": ""},
                "component": kind.capitalize(),
            }
        ]
        return {
            "named_endpoints": {"/predict": {"parameters": parameters, "returns": returns}},
            "unnamed_endpoints": {},
        }

    # -- the queue ---------------------------------------------------------------------------

    async def join(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            raise InputError("queue/join takes a JSON body") from None
        if not isinstance(body, dict) or body.get("fn_index", 0) != 0:
            raise InputError("this app has one endpoint, fn_index 0 (/predict)")
        session = str(body.get("session_hash") or uuid.uuid4())
        data = body.get("data")
        if not isinstance(data, list):
            raise InputError('"data" must be a list of values')
        event_id = uuid.uuid4().hex
        queue = self.sessions.setdefault(session, asyncio.Queue())
        self.pending[session] = self.pending.get(session, 0) + 1
        self.jobs[event_id] = asyncio.create_task(self._run(session, event_id, data, queue))
        return JSONResponse({"event_id": event_id})

    async def _run(
        self, session: str, event_id: str, data: list[Any], queue: asyncio.Queue[dict[str, Any]]
    ) -> None:
        queue.put_nowait({"msg": "process_starts", "event_id": event_id, "eta": None})
        try:
            answer = await self.predict(self._body(data))
            message = {
                "msg": "process_completed",
                "event_id": event_id,
                "output": {"data": [self._value(answer)]},
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
            self.pending[session] -= 1
        queue.put_nowait(message)

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

        return StreamingResponse(events(), media_type="text/event-stream")

    async def cancel(self, request: Request) -> Response:
        body = await request.json()
        job = self.jobs.get(str(body.get("event_id")))
        if job is not None:
            job.cancel()
        return JSONResponse({"success": job is not None})

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
        ]

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
