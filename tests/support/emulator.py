"""A stand-in for the Hugging Face Hub and inference router that replays recorded real traffic.

It serves, on 127.0.0.1:
  GET  /api/models/{id}                              model info recorded from the real Hub
                                                     (307 for renamed repos, 401 for unknown ones)
  POST /hf-inference/models/{id}                     recorded router answers, matched by body
  POST /hf-inference/models/{id}/pipeline/{task}
  POST /hf-inference/models/{id}/v1/chat/completions

The recordings are tests/data/hf-tasks/tapes: huggingface.js's tapes.json and huggingface_hub's
vcrpy cassettes. Older recordings used other routes and bodies (``/pipeline/{task}/{id}``,
``"options": {}``); they are indexed under the current forms. Every request is logged with the
exchange it replayed, so a test compares hubdemo's answer with the recording itself.

Run it by hand with ``PYTHONPATH=tests python -m support.emulator --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from support import HF_TASKS
from support.emulated_providers import (
    FAL_QUEUE_FILE,
    PROVIDER_HOSTS,
    ProviderTapes,
    fal_queue_result,
    fal_queue_submitted,
    provider_infos,
    rewrite_file_urls,
)
from support.faults import FaultPlan, respond
from support.hub_repos import HubFiles

TAPES = HF_TASKS / "tapes"

# Models whose router traffic is recorded but whose model info is not: the Hub's answer is
# reduced to what hubdemo needs, with the pipeline tag named by the huggingface.js test that
# recorded the traffic. Marked "_emulated" so nobody mistakes them for recordings.
SYNTHESIZED_TASKS = {
    "google/vit-base-patch16-224": "image-classification",
    "facebook/detr-resnet-50": "object-detection",
    "facebook/wav2vec2-large-960h-lv60-self": "automatic-speech-recognition",
    "superb/hubert-large-superb-er": "audio-classification",
    "dbmdz/bert-large-cased-finetuned-conll03-english": "token-classification",
    "facebook/bart-large-cnn": "summarization",
    "google/pegasus-xsum": "summarization",
    "nlpconnect/vit-gpt2-image-captioning": "image-to-text",
    "google-t5/t5-base": "translation",
    "distilbert/distilbert-base-uncased": "fill-mask",
    "google/tapas-base-finetuned-wtq": "table-question-answering",
    "openai/clip-vit-large-patch14-336": "zero-shot-image-classification",
    "dandelin/vilt-b32-finetuned-vqa": "visual-question-answering",
    "impira/layoutlm-document-qa": "document-question-answering",
    "stabilityai/stable-diffusion-2": "text-to-image",
    "espnet/kan-bayashi_ljspeech_vits": "text-to-speech",
    "facebook/detr-resnet-50-panoptic": "image-segmentation",
    "lllyasviel/sd-controlnet-canny": "image-to-image",
    "mistralai/Mistral-7B-Instruct-v0.2": "text-generation",
    "hubdemo-emulated/image-text-to-text": "image-text-to-text",
    # A real Hub pipeline tag that no inference spec (and so no hubdemo task) covers.
    "hubdemo-emulated/image-to-3d": "image-to-3d",
}
# Tags of synthesized model infos (the Hub tags chat models "conversational").
SYNTHESIZED_TAGS = {"mistralai/Mistral-7B-Instruct-v0.2": ["conversational", "text-generation"]}
# Card examples of synthesized model infos (the Hub's "widgetData"): tabular models' rows, from
# the task-data demo (diabetes: Pima Indians; fish: the fish market data).
SYNTHESIZED_WIDGETS = {
    "hubdemo-emulated/tabular-classification": [{"example_title": "Three patients",
        "structured_data": {"Glucose": ["148", "150", "85"], "Blood Pressure": ["72", "50", "66"],
                            "Skin Thickness": ["35", "30", "29"], "Insulin": ["0", "0", "0"],
                            "BMI": ["33.6", "35.1", "26.6"]}}],
    "hubdemo-emulated/tabular-regression": [{"example_title": "Three fish",
        "structured_data": {"Species": ["Bream", "Bream", "Perch"],
                            "Length1": ["23.2", "24", "25.4"],
                            "Height": ["11.52", "12.48", "12.37"]}}],
    "hubdemo-emulated/video-classification": [
        {"src": "https://huggingface.co/datasets/hubdemo/samples/resolve/main/juggling.mp4",
         "example_title": "Juggling (MP4)"},
        {"src": "https://huggingface.co/datasets/hubdemo/samples/resolve/main/square.webm",
         "example_title": "A square (WEBM)"}],
    "hubdemo-emulated/image-text-to-image": [
        {"text": "a red kite over the sea", "example_title": "Kite"}],
}  # fmt: skip
# Renames the real Hub answers with 307 (recorded ones are read from the cassettes).
SYNTHESIZED_REDIRECTS = {
    "t5-base": "google-t5/t5-base",
    "distilbert-base-uncased": "distilbert/distilbert-base-uncased",
    "distilbert-base-uncased-finetuned-sst-2-english": (
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    ),
}
# The Hub's real answers for a repo it will not show (anonymous caller) and the router's for
# an unknown model (recorded in tapes.json).
REPO_NOT_FOUND = {"error": "Repository not found"}
INVALID_CREDENTIALS = {"error": "Invalid username or password."}

_PATH = re.compile(
    r"^(?:/api/inference-proxy/hf-inference|/hf-inference)?"
    r"(?:/models/(?P<id>.+?)(?P<suffix>/v1/chat/completions|/pipeline/(?P<task>[\w-]+))?"
    r"|/pipeline/(?P<ptask>[\w-]+)/(?P<pid>.+))$"
)
_INFERENCE_HOSTS = ("router.huggingface.co", "api-inference.huggingface.co")


@dataclass
class Exchange:
    """One recorded inference request and its answer."""

    source: str
    model: str
    route: str  # "" | "pipeline/<task>" | "chat"
    request: Any  # the JSON body, or None when it was binary or not kept
    binary: bool
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def canonical(body: Any) -> Any:
    """A request body without what older clients added: "options", "model", empty parameters."""
    if not isinstance(body, dict):
        return body
    kept = {k: v for k, v in body.items() if k not in ("options", "model")}
    if not kept.get("parameters"):
        kept.pop("parameters", None)
    if kept.get("stream") is False:
        kept.pop("stream")
    return kept


def _route_of(url: str) -> tuple[str, str] | None:
    host, _, path = url.partition("://")[2].partition("/")
    path = "/" + path.split("?")[0]
    if host not in _INFERENCE_HOSTS and not path.startswith("/api/inference-proxy/hf-inference"):
        return None
    match = _PATH.match(path)
    if not match:
        return None
    if match.group("pid"):
        return match.group("pid"), f"pipeline/{match.group('ptask')}"
    suffix = match.group("suffix") or ""
    if suffix.endswith("completions"):
        return match.group("id"), "chat"
    task = match.group("task")
    return match.group("id"), f"pipeline/{task}" if task else ""


def _decode_body(text: Any) -> bytes:
    if isinstance(text, bytes):
        return text
    if text is None:
        return b""
    if text.startswith("data:") and ";base64," in text[:80]:
        return base64.b64decode(text.split(",", 1)[1])
    return str(text).encode("utf-8")


def _parse_request(body: Any) -> tuple[Any, bool]:
    if body is None:
        return None, True
    if isinstance(body, bytes):
        try:
            return json.loads(body), False
        except (ValueError, UnicodeDecodeError):
            return None, True
    try:
        return json.loads(body), False
    except ValueError:
        return None, True


class Tapes:
    """The recordings, indexed by model id and route."""

    def __init__(self, folder: Path = TAPES) -> None:
        self.infos: dict[str, dict[str, Any]] = {}
        self.redirects: dict[str, str] = dict(SYNTHESIZED_REDIRECTS)
        self.exchanges: list[Exchange] = []
        self._load_tapes_json(folder / "tapes.json")
        for path in sorted((folder / "huggingface_hub-cassettes").glob("*.yaml")):
            self._load_cassette(path)
        self._add_schema_built()
        for model, task in SYNTHESIZED_TASKS.items():
            if model not in self.infos:
                self.infos[model] = {
                    "id": model, "modelId": model, "pipeline_tag": task, "private": False,
                    "gated": False, "tags": SYNTHESIZED_TAGS.get(model, []), "_emulated": True,
                    "widgetData": SYNTHESIZED_WIDGETS.get(model, []),
                }  # fmt: skip

    def _add_schema_built(self) -> None:
        """Tasks the recordings never reached get one answer each, written from the task's
        output.json (and marked so): a model id under hubdemo-emulated/ answers it to any input.
        """
        import base64

        depth_png = synthesized_media("image/png") or b""
        video = synthesized_media("video/mp4") or b""
        built: dict[str, tuple[str, str, bytes]] = {
            "zero-shot-object-detection": ("application/json", "", json.dumps([
                {"label": "cat", "score": 0.91,
                 "box": {"xmin": 4, "ymin": 6, "xmax": 40, "ymax": 44}},
                {"label": "remote", "score": 0.42,
                 "box": {"xmin": 30, "ymin": 2, "xmax": 60, "ymax": 20}},
            ]).encode()),
            "depth-estimation": ("application/json", "", json.dumps({
                "predicted_depth": [[0.5, 0.75], [1.0, 1.25]],
                "depth": base64.b64encode(depth_png).decode(),
            }).encode()),
            "text-to-audio": ("audio/flac", "", synthesized_media("audio/flac") or b""),
            "text-to-video": ("video/mp4", "", video),
            "image-to-video": ("video/mp4", "", video),
            "image-text-to-video": ("video/mp4", "", video),
            "image-text-to-image": ("image/png", "", depth_png),
            "tabular-classification": ("application/json", "", b"[1, 0, 1]"),
            "tabular-regression": ("application/json", "", b"[242.5, 290.25, 340.0]"),
            "video-classification": ("application/json", "", json.dumps([
                {"label": "juggling balls", "score": 0.83},
                {"label": "playing tennis", "score": 0.09},
                {"label": "skipping rope", "score": 0.03},
            ]).encode()),
        }  # fmt: skip
        answers = [(t, r, ct, b) for t, (ct, r, b) in built.items()]
        answers += [("image-text-to-text", "chat", ct, b) for ct, b in built_chat_answers()]
        for task, route, content_type, body in answers:
            model = f"hubdemo-emulated/{task}"
            SYNTHESIZED_TASKS.setdefault(model, task)
            self.exchanges.append(
                Exchange(
                    source=f"schema-built:{task}", model=model, route=route, request=None,
                    binary=True, status=200, content_type=content_type, body=body,
                    headers={"content-type": content_type},
                )
            )  # fmt: skip

    def _add(self, source: str, url: str, body: Any, response: dict[str, Any]) -> None:
        route = _route_of(url)
        if route is None:
            return
        request, binary = _parse_request(body)
        headers = {
            k.lower(): v[0] if isinstance(v, list) else v for k, v in response["headers"].items()
        }
        content = response["body"]
        if response["status"] == 200 and not content:
            # tapes.json kept no bytes of generated media: answer a small valid file of the
            # recorded type instead (so the output can be checked as an image or a sound).
            content = synthesized_media(headers.get("content-type", "")) or content
        response = {**response, "body": content}
        self.exchanges.append(
            Exchange(
                source=source, model=route[0], route=route[1], request=request, binary=binary,
                status=response["status"], content_type=headers.get("content-type", ""),
                body=response["body"], headers=headers,
            )
        )  # fmt: skip

    def _load_tapes_json(self, path: Path) -> None:
        entries = json.loads(path.read_text())
        self.providers = ProviderTapes(entries)
        for model, info in provider_infos().items():
            self.infos.setdefault(model, info)
        for key, entry in entries.items():
            url, response = entry["url"], entry["response"]
            if "/api/models/" in url and response["status"] == 200:
                info = json.loads(response["body"])
                self.infos.setdefault(info["id"], info)
                continue
            self._add(
                f"tapes.json:{key[:12]}", url, entry["init"].get("body"),
                {"status": response["status"], "headers": response["headers"],
                 "body": _decode_body(response["body"])},
            )  # fmt: skip

    def _load_cassette(self, path: Path) -> None:
        for n, item in enumerate(yaml.safe_load(path.read_text())["interactions"]):
            request, response = item["request"], item["response"]
            uri, status = request["uri"], response["status"]["code"]
            body = _decode_body(response["body"].get("string"))
            if "/api/models/" in uri and request["method"] == "GET":
                repo = uri.split("/api/models/", 1)[1].split("?")[0]
                if status == 307:
                    location = response["headers"].get("Location") or response["headers"].get(
                        "location"
                    )
                    target = (location[0] if isinstance(location, list) else location) or ""
                    self.redirects[repo] = target.split("/api/models/", 1)[1]
                elif status == 200:
                    info = json.loads(body)
                    self.infos[info["id"]] = info  # cassettes hold the full model info
                continue
            self._add(
                f"{path.name}#{n}", uri, request.get("body"),
                {"status": status, "headers": response["headers"], "body": body},
            )  # fmt: skip

    def aliases(self, model: str) -> set[str]:
        names = {model}
        for old, new in self.redirects.items():
            if new in names or old in names:
                names |= {old, new}
        return names

    def candidates(self, model: str, route: str) -> list[Exchange]:
        names = self.aliases(model)
        routes = {route, ""} if route.startswith("pipeline/") else {route}
        found = [e for e in self.exchanges if e.model in names and e.route in routes]
        # Prefer the exact route, then the current router's recordings.
        return sorted(found, key=lambda e: (e.route != route, "router" not in e.source))

    def find(self, model: str, route: str, body: bytes, content_type: str) -> Exchange | None:
        candidates = self.candidates(model, route)
        built = [e for e in candidates if e.source.startswith("schema-built")]
        if built:  # a stream to a request that asks for one
            try:
                streamed = "json" in content_type and json.loads(body).get("stream") is True
            except (ValueError, AttributeError):
                streamed = False
            return next((e for e in built if ("stream" in e.content_type) == streamed), built[0])
        if "json" not in content_type:
            # huggingface.js's tapes.json cut long strings (audio-to-audio's blobs) at 1,000
            # characters; the huggingface_hub cassettes kept whole answers: prefer those.
            binary = sorted((e for e in candidates if e.binary), key=lambda e: "#" not in e.source)
            return next(iter(binary), None)
        try:
            wanted = canonical(json.loads(body))
        except ValueError:
            return None
        for exchange in candidates:
            if not exchange.binary and canonical(exchange.request) == wanted:
                return exchange
        # Media inside JSON (base64, alone or beside a question) cannot equal the recording's
        # bytes, which tapes.json did not keep: match the parameters.
        inputs = wanted.get("inputs") if isinstance(wanted, dict) else None
        values = inputs.values() if isinstance(inputs, dict) else [inputs]
        if any(isinstance(v, str) and len(v) > 1000 for v in values):
            for exchange in candidates:
                recorded = canonical(exchange.request) if exchange.request else {}
                if exchange.binary or recorded.get("parameters") == wanted.get("parameters"):
                    return exchange
        return None


def streamed_text(sse: bytes) -> str:
    """The text of a recorded chat stream: its deltas joined."""
    return "".join(
        json.loads(line[5:])["choices"][0]["delta"].get("content") or ""
        for line in sse.decode().splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    )


def built_chat_answers() -> list[tuple[str, bytes]]:
    """An image chat model's answer, whole and as a stream, written from chat-completion's
    output.json and stream_output.json: (content type, body) each."""
    words = ["A cat", " asleep", " on a sofa."]
    head = {"id": "emulated", "created": 0, "model": "m", "system_fingerprint": ""}
    chunks = [
        {**head, "object": "chat.completion.chunk", "choices": [{
            "index": 0, "delta": {"role": "assistant", "content": w},
            "finish_reason": None, "logprobs": None}]}
        for w in words
    ]  # fmt: skip
    whole = {
        **head, "object": "chat.completion",
        "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": "".join(words)}}],
    }  # fmt: skip
    sse = "".join(f"data:{json.dumps(c)}\n\n" for c in chunks) + "data:[DONE]\n\n"
    return [("application/json", json.dumps(whole).encode()), ("text/event-stream", sse.encode())]


def synthesized_media(content_type: str) -> bytes | None:
    """A deterministic 64x48 JPEG or PNG, half a second of a 440 Hz tone as FLAC or WAV, or a
    one-second 64x48 H.264 MP4 (or VP9 WEBM) of a square crossing the picture."""
    import io

    kind = content_type.split(";")[0].strip()
    buffer = io.BytesIO()
    if kind in ("video/mp4", "video/webm"):
        import av
        import numpy as np

        codec, container = ("libx264", "mp4") if kind == "video/mp4" else ("libvpx-vp9", "webm")
        with av.open(buffer, "w", format=container) as out:
            stream = out.add_stream(codec, rate=12)
            stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
            for i in range(12):
                frame = np.full((48, 64, 3), (240, 200, 80), dtype=np.uint8)
                frame[14:34, 4 + i * 3 : 24 + i * 3] = (30, 90, 200)
                out.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
            out.mux(stream.encode())
        return buffer.getvalue()
    if kind in ("image/jpeg", "image/png"):
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (64, 48), (240, 200, 80))
        ImageDraw.Draw(image).ellipse((8, 8, 40, 40), fill=(30, 90, 200))
        image.save(buffer, "JPEG" if kind == "image/jpeg" else "PNG")
        return buffer.getvalue()
    if kind in ("audio/flac", "audio/wav", "audio/x-wav"):
        import math
        import struct
        import wave

        rate = 16000
        frames = b"".join(
            struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(rate // 2)
        )
        if kind == "audio/flac":
            import numpy as np
            import soundfile

            samples = np.frombuffer(frames, dtype="<i2")
            soundfile.write(buffer, samples, rate, format="FLAC")
            return buffer.getvalue()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(frames)
        return buffer.getvalue()
    return None


@dataclass
class Logged:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    replayed: Exchange | None = None
    fault: str | None = None  # the fault injected instead of the recorded answer
    provider_replayed: Any = None  # the provider exchange replayed (emulated_providers)
    at: float = field(default_factory=time.monotonic)  # when it arrived


class Emulator:
    """The Hub and router on a real loopback port. Use as a context manager."""

    def __init__(
        self,
        tapes: Tapes | None = None,
        *,
        tokens: set[str] | None = None,
        lenient: bool = False,
        log_info: bool = False,
    ) -> None:
        self.tapes = tapes or Tapes()
        # Lenient (the demo): a request with no recording gets the model's first recorded answer.
        self.lenient = lenient
        self.log_info = log_info  # benchmarks time `serve` from the model info's arrival
        self.tokens = tokens or set()  # tokens the emulated Hub accepts
        self.private: set[str] = set()  # repos only a valid token may see
        self.log: list[Logged] = []
        self._job_ids = itertools.count(1)  # not len(log): the program trims its log
        self.faults: list[tuple[int, Any, dict[str, str]]] = []
        self.endless_jobs = False  # replicate answers with jobs that never finish
        self.fal_jobs: dict[str, int] = {}  # fal-ai queue jobs -> times their status was asked
        self.plan = FaultPlan()
        self.inference_count = 0
        # Spaces the Hub knows: id -> the successive answers of /api/spaces/{id} (the last one
        # repeats), so a test can have a Space asleep for a few looks, then running.
        self.spaces: dict[str, list[dict[str, Any]]] = {}
        self.hub_files = HubFiles()  # repositories huggingface_hub can download from here
        self.app = Starlette(
            routes=[
                *self.hub_files.routes(),
                Route("/api/models/{repo:path}", self._model_info),
                Route("/api/spaces/{repo:path}", self._space_info),
                Route("/media/{host}/{path:path}", self._provider_file, methods=["GET"]),
                Route("/replicate/v1/predictions/{job}", self._replicate_job, methods=["GET"]),
                Route("/fal-ai/{model:path}/requests/{job}/status", self._fal_status),
                Route("/fal-ai/{model:path}/requests/{job}", self._fal_result),
                Route("/{path:path}", self._file, methods=["GET"]),
                Route("/{path:path}", self._inference, methods=["POST"]),
            ]
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Answer the next inference request with this status and JSON body (``bytes``: the
        body exactly as given, as application/json)."""
        self.faults.append((status, body, headers or {}))

    async def _file(self, request: Request) -> Response:
        """Files on the Hub (card examples): a small valid file of the kind the name says."""
        path = request.path_params["path"]
        self.log.append(Logged(request.method, request.url.path, dict(request.headers), b""))
        if self.hub_files.owns(path):
            return await self.hub_files.resolve(request, path)
        kinds = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".flac": "audio/flac", ".wav": "audio/wav", ".mp4": "video/mp4",
                 ".webm": "video/webm"}  # fmt: skip
        kind = next((k for ext, k in kinds.items() if path.lower().endswith(ext)), None)
        data = synthesized_media(kind) if kind and "/resolve/" in path else None
        if data is None:
            return JSONResponse({"error": "Entry not found"}, 404)
        return Response(data, media_type=kind)

    def configure(self, **settings: Any) -> FaultPlan:
        """Inject faults from now on (see tests/support/faults.py); ``configure()`` stops them."""
        self.plan = FaultPlan(**settings)
        self.inference_count = 0
        return self.plan

    def _authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in self.tokens

    async def _space_info(self, request: Request) -> Response:
        """The Hub's Space info, in the shape huggingface_hub's SpaceInfo reads (no Space is in
        the recordings: the fields are those of huggingface_hub's documentation)."""
        repo = request.path_params["repo"]
        self.log.append(Logged("GET", request.url.path, dict(request.headers), b""))
        answers = self.spaces.get(repo)
        if not answers or (answers[0].get("private") and not self._authorized(request)):
            status = 404 if self._authorized(request) else 401
            return JSONResponse(REPO_NOT_FOUND, status, headers={"X-Error-Code": "RepoNotFound"})
        return JSONResponse(answers.pop(0) if len(answers) > 1 else answers[0])

    async def _model_info(self, request: Request) -> Response:
        repo = request.path_params["repo"]
        self.log.append(Logged("GET", request.url.path, dict(request.headers), b""))
        if repo in self.tapes.redirects:
            target = self.tapes.redirects[repo]
            query = f"?{request.url.query}" if request.url.query else ""
            return PlainTextResponse(
                f"Temporary Redirect. Redirecting to /api/models/{target}",
                status_code=307,
                headers={"Location": f"/api/models/{target}{query}"},
            )
        info = self.tapes.infos.get(repo)
        if info is None or (repo in self.private and not self._authorized(request)):
            status = 404 if self._authorized(request) else 401
            return JSONResponse(REPO_NOT_FOUND, status, headers={"X-Error-Code": "RepoNotFound"})
        expand = request.query_params.getlist("expand") or request.query_params.getlist("expand[]")
        if expand:  # as the Hub does: only the fields asked for (and the id)
            answer = {"id": info["id"], **{k: info[k] for k in expand if k in info}}
            if "inferenceProviderMapping" in expand and "inferenceProviderMapping" not in info:
                # Not in the recordings: the Hub's dict form naming hf-inference, which is what
                # this emulator serves for the recorded models. (Gradio's gr.load asks it too.)
                answer["inferenceProviderMapping"] = {
                    "hf-inference": {
                        "status": "live",
                        "providerId": info["id"],
                        "task": info.get("pipeline_tag"),
                    }
                }
            if self.log_info:
                print(f"model-info {time.time():.6f} {repo}", flush=True)
            return JSONResponse(answer)
        if self.log_info:
            print(f"model-info {time.time():.6f} {repo}", flush=True)
        return JSONResponse(info)

    async def _inference(self, request: Request) -> Response:
        body = await request.body()
        entry = Logged("POST", request.url.path, dict(request.headers), body)
        self.log.append(entry)
        if self.faults:
            status, payload, headers = self.faults.pop(0)
            if isinstance(payload, bytes):
                return Response(payload, status, headers=headers, media_type="application/json")
            return JSONResponse(payload, status, headers=headers)
        provider, _, rest = request.url.path.lstrip("/").partition("/")
        if provider == "fal-ai" and request.query_params.get("_subdomain") == "queue":
            job = f"req-{next(self._job_ids)}"
            self.fal_jobs[job] = 0
            return JSONResponse(fal_queue_submitted("/" + rest, job))
        if provider in PROVIDER_HOSTS.values():
            return self._provider_answer(provider, "/" + rest, body, entry)
        match = _PATH.match(request.url.path)
        if not match or not match.group("id"):
            return JSONResponse({"error": f"emulator: no such route {request.url.path}"}, 404)
        model = match.group("id")
        route = _route_of(f"https://router.huggingface.co{request.url.path}")
        assert route is not None
        info = self.tapes.infos.get(model) or {}
        if info.get("gated") and not self._authorized(request):
            return JSONResponse(INVALID_CREDENTIALS, 401)
        if not self.tapes.candidates(model, route[1]):
            return JSONResponse({"error": f"Model {model} does not exist"}, 404)
        content_type = request.headers.get("content-type", "")
        exchange = self.tapes.find(model, route[1], body, content_type)
        if exchange is None and self.lenient:  # a recorded answer, streamed if asked to be
            candidates = [e for e in self.tapes.candidates(model, route[1]) if e.status == 200]
            streamed = b'"stream": true' in body or b'"stream":true' in body
            exchange = next(
                (e for e in candidates if ("stream" in e.content_type) == streamed),
                candidates[0] if candidates else None,
            )
        if exchange is None:
            where = route[1] or "models"
            return JSONResponse(
                {"error": f"emulator: no recording of this request to {model} ({where})"},
                501,
            )
        entry.replayed = exchange
        self.inference_count += 1
        if self.plan.latency:
            await asyncio.sleep(self.plan.latency)
        fault = self.plan.pick(self.inference_count) if exchange.status == 200 else None
        if fault:
            entry.fault = fault
            return respond(fault, self.plan, exchange.body, exchange.content_type)
        return Response(exchange.body, exchange.status, media_type=exchange.content_type or None)

    def _provider_answer(self, provider: str, path: str, body: bytes, entry: Logged) -> Response:
        """``{router}/{provider}/<path>``: the provider's recorded answer to this request."""
        if self.endless_jobs and provider == "replicate":
            job = f"job-{next(self._job_ids)}"
            waiting = {
                "id": job,
                "status": "starting",
                "urls": {"get": f"https://api.replicate.com/v1/predictions/{job}"},
            }
            return JSONResponse(waiting, 201)  # fmt: skip
        exchange = self.tapes.providers.find(provider, path, body, self.lenient)
        if exchange is None:
            return JSONResponse(
                {"error": f"emulator: no recording of this request to {provider} {path}"}, 501
            )
        entry.provider_replayed = exchange
        answer = rewrite_file_urls(exchange.body, self.url)
        return Response(answer, exchange.status, media_type=exchange.content_type or None)

    async def _provider_file(self, request: Request) -> Response:
        """A file an answer named (fal.media, replicate.delivery …), served from here."""
        key = f"{request.path_params['host']}/{request.path_params['path']}"
        self.log.append(Logged("GET", request.url.path, dict(request.headers), b""))
        recorded = self.tapes.providers.files.get(key)
        if key == FAL_QUEUE_FILE:
            recorded = ("video/mp4", b"")
        if recorded is None:
            return JSONResponse({"error": "emulator: no such file"}, 404)
        served = ("image/jpeg", "image/png", "audio/wav", "video/mp4")
        kind = recorded[0] if recorded[0] in served else "image/png"
        return Response(synthesized_media(kind) or b"", media_type=kind)

    async def _fal_status(self, request: Request) -> Response:
        """fal-ai's queue: in progress on the first look, completed on the next."""
        self.log.append(Logged("GET", request.url.path, dict(request.headers), b""))
        job = request.path_params["job"]
        looks = self.fal_jobs.get(job, 0)
        self.fal_jobs[job] = looks + 1
        return JSONResponse({"status": "COMPLETED" if looks else "IN_PROGRESS"})

    async def _fal_result(self, request: Request) -> Response:
        self.log.append(Logged("GET", request.url.path, dict(request.headers), b""))
        answer = json.dumps(fal_queue_result()).encode()
        return Response(rewrite_file_urls(answer, self.url), media_type="application/json")

    async def _replicate_job(self, request: Request) -> Response:
        """A replicate job that never finishes (``endless_jobs``), for the deadline tests."""
        self.log.append(Logged("GET", request.url.path, dict(request.headers), b""))
        job = request.path_params["job"]
        return JSONResponse({"id": job, "status": "processing", "output": None})

    def replayed(self) -> Exchange:
        """The exchange replayed for the last inference request."""
        posts = [entry for entry in self.log if entry.method == "POST"]
        assert posts and posts[-1].replayed is not None, "the last request replayed nothing"
        return posts[-1].replayed

    def start(self, port: int = 0) -> Emulator:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it, Nagle's algorithm meets the client's
        # delayed ACK and every keep-alive answer waits ~40 ms (uvicorn writes head and body
        # apart, and sets no TCP_NODELAY on sockets it did not open itself).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        # Another host name for the same server: the Hub sends LFS files to its CDN's host,
        # which huggingface_hub does not follow on HEAD (and sends no token to).
        self.hub_files.base = f"http://localhost:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


KEPT_BY_THE_PROGRAM = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--lenient", action="store_true", help="answer unrecorded requests with a recorded answer"
    )
    parser.add_argument("--latency-ms", type=float, default=0, help="delay every answer")
    parser.add_argument("--fault-mix", type=float, default=0, help="fraction of faulty answers")
    parser.add_argument(
        "--log-info", action="store_true", help="print the time each model info is served"
    )
    args = parser.parse_args()
    emulator = Emulator(lenient=args.lenient, log_info=args.log_info).start(args.port)
    emulator.configure(latency=args.latency_ms / 1000, mix=args.fault_mix)
    print(f"Hub and router emulator on {emulator.url} (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(1)
            # Nothing reads this program's log, and a benchmark sends it hundreds of
            # thousands of requests, each kept with its body: the last few only (a run of
            # bench-ab once grew it to 24 GB, and the kernel killed it).
            del emulator.log[:-KEPT_BY_THE_PROGRAM]
    except KeyboardInterrupt:
        emulator.stop()


if __name__ == "__main__":
    main()
