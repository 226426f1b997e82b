"""Inference Providers in the emulator: the router's ``/{provider}/…`` routes, replayed.

The recordings (huggingface.js's tapes.json) called each provider's own API (api.together.xyz,
fal.run, api.replicate.com, …); through the router the same requests go to
``{router}/{provider}/<the same path>``. This module indexes those exchanges by provider and
path, matches a request by what it asks (messages and stream for chat, the prompt for images),
rewrites the file URLs in answers (fal.media, replicate.delivery) to the emulator's
``/media/<host>/<path>``, and serves those files.

What the Hub says of these models (their inferenceProviderMapping) is not in the recordings:
``PROVIDER_MODELS`` writes it from the recorded requests (each provider's model id is the one the
recording sent), marked "_emulated". Providers that huggingface_hub has retired (sambanova,
nebius, hyperbolic, black-forest-labs) appear in some mappings: hubdemo must skip them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

PROVIDER_HOSTS = {
    "api.together.xyz": "together",
    "fal.run": "fal-ai",
    "api.replicate.com": "replicate",
    "api.novita.ai": "novita",
    "api.cerebras.ai": "cerebras",
    "api.cohere.com": "cohere",
    "api.fireworks.ai": "fireworks-ai",
    "api.openai.com": "openai",
    "api.sambanova.ai": "sambanova",
    "api.studio.nebius.ai": "nebius",
    "api.hyperbolic.xyz": "hyperbolic",
    "api.us1.bfl.ai": "black-forest-labs",
}
MEDIA_HOSTS = (
    "fal.media", "v2.fal.media", "v3.fal.media", "replicate.delivery", "storage.googleapis.com",
)  # fmt: skip


def _entry(provider: str, provider_id: str, task: str, status: str = "live") -> dict[str, str]:
    return {"provider": provider, "providerId": provider_id, "task": task, "status": status}


# model -> (pipeline tag, tags, mapping in the Hub's list form, in the Hub's order)
PROVIDER_MODELS: dict[str, tuple[str, list[str], list[dict[str, str]]]] = {
    "meta-llama/Llama-3.3-70B-Instruct": ("text-generation", ["conversational"], [
        _entry("sambanova", "Meta-Llama-3.3-70B-Instruct", "conversational"),  # retired
        _entry("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "conversational"),
    ]),
    "hubdemo-emulated/llama-3.1-8b-instruct": ("text-generation", ["conversational"], [
        _entry("novita", "meta-llama/llama-3.1-8b-instruct", "conversational"),
        _entry("cerebras", "llama3.1-8b", "conversational"),
    ]),
    "CohereLabs/c4ai-command-r7b-12-2024": ("text-generation", ["conversational"], [
        _entry("cohere", "command-r7b-12-2024", "conversational"),
    ]),
    "deepseek-ai/DeepSeek-R1": ("text-generation", ["conversational"], [
        _entry("fireworks-ai", "accounts/fireworks/models/deepseek-r1", "conversational"),
        _entry("novita", "deepseek/deepseek-r1-distill-qwen-14b", "conversational", "staging"),
    ]),
    "black-forest-labs/FLUX.1-schnell": ("text-to-image", [], [
        _entry("black-forest-labs", "flux-schnell", "text-to-image"),  # retired
        _entry("fal-ai", "fal-ai/flux/schnell", "text-to-image"),
        _entry("replicate", "black-forest-labs/flux-schnell", "text-to-image"),
    ]),
    "stabilityai/stable-diffusion-xl-base-1.0": ("text-to-image", [], [
        _entry("together", "stabilityai/stable-diffusion-xl-base-1.0", "text-to-image"),
    ]),
    "openai/whisper-large-v3": ("automatic-speech-recognition", [], [
        _entry("fal-ai", "fal-ai/whisper", "automatic-speech-recognition"),
    ]),
    # fal-ai's queue (video): nothing recorded; answered by FAL_QUEUE below ("schema-built").
    "Lightricks/LTX-Video": ("text-to-video", [], [
        _entry("fal-ai", "fal-ai/ltx-video", "text-to-video"),
    ]),
    # No provider serves it / only providers hubdemo cannot call.
    "hubdemo-emulated/no-provider": ("text-to-image", [], []),
    "hubdemo-emulated/retired-providers": ("text-generation", ["conversational"], [
        _entry("nebius", "x/y", "conversational"),
        _entry("hyperbolic", "x/y", "conversational"),
    ]),
}  # fmt: skip

# What a client may add or word differently that does not change what is asked.
_IGNORED = {"model", "provider", "inputs", "response_format", "sync_mode"}


@dataclass
class ProviderExchange:
    provider: str
    path: str
    request: Any
    status: int
    content_type: str
    body: bytes


def _asks(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    return {k: v for k, v in body.items() if k not in _IGNORED and v not in (False, None)}


class ProviderTapes:
    """The provider exchanges of tapes.json, and the files their answers name."""

    def __init__(self, entries: dict[str, Any]) -> None:
        self.exchanges: list[ProviderExchange] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # "host/path" -> (content type, body)
        for entry in entries.values():
            url, response = entry["url"], entry["response"]
            parts = urlsplit(url)
            headers = {k.lower(): v for k, v in response["headers"].items()}
            kind = headers.get("content-type", "")
            if parts.hostname in MEDIA_HOSTS:
                self.files[f"{parts.hostname}{parts.path}"] = (kind, b"")
            provider = PROVIDER_HOSTS.get(parts.hostname or "")
            if provider is None or entry["init"].get("method") != "POST":
                continue
            raw = entry["init"].get("body")
            try:
                request = json.loads(raw) if raw else None
            except ValueError:
                request = None
            body = response["body"]
            if isinstance(body, str) and body.startswith("data:") and body.endswith('}"'):
                body = body[:-1]  # a stray quote after some recorded streams (tapes.json's)
            self.exchanges.append(
                ProviderExchange(
                    provider, parts.path or "/", request, response["status"], kind,
                    body.encode() if isinstance(body, str) else b"",
                )
            )  # fmt: skip

    def find(
        self, provider: str, path: str, body: bytes, lenient: bool = False
    ) -> ProviderExchange | None:
        """The recorded answer to this request (``lenient``: to any request on that route whose
        stream flag is the same, as a live provider would answer anything)."""
        try:
            asked = _asks(json.loads(body))
        except ValueError:
            asked = None  # a binary body: matched by route alone
        candidates = [e for e in self.exchanges if e.provider == provider and e.path == path]
        for exchange in candidates:
            if exchange.status < 300 and (asked is None or _asks(exchange.request) == asked):
                return exchange
        if lenient or (asked is not None and "audio_url" in asked):  # audio bytes were not kept
            streamed = isinstance(asked, dict) and bool(asked.get("stream"))
            return next(
                (
                    e
                    for e in candidates
                    if e.status < 300
                    and bool(isinstance(e.request, dict) and e.request.get("stream")) == streamed
                ),
                None,
            )
        return None


_MEDIA_URL = re.compile(
    rb"https://(" + b"|".join(re.escape(h.encode()) for h in MEDIA_HOSTS) + rb")/"
)


def rewrite_file_urls(body: bytes, emulator_url: str) -> bytes:
    """Point the file URLs of an answer at the emulator, which serves them."""
    return _MEDIA_URL.sub(lambda m: f"{emulator_url}/media/".encode() + m.group(1) + b"/", body)


# fal-ai's queue as its documentation and huggingface_hub's FalAIQueueTask describe it (no
# recording covers it): submit -> IN_QUEUE with status and response URLs on queue.fal.run;
# status -> IN_PROGRESS, then COMPLETED; response -> {"video": {"url": ...}}.
FAL_QUEUE_FILE = "v3.fal.media/files/emulated/ltx-video.mp4"


def fal_queue_submitted(model_path: str, request_id: str) -> dict[str, Any]:
    base = f"https://queue.fal.run{model_path}/requests/{request_id}"
    return {"request_id": request_id, "status": "IN_QUEUE", "queue_position": 0,
            "status_url": f"{base}/status", "response_url": base}  # fmt: skip


def fal_queue_result() -> dict[str, Any]:
    return {"video": {"url": f"https://{FAL_QUEUE_FILE}", "content_type": "video/mp4"},
            "_emulated": "schema-built"}  # fmt: skip


def provider_infos() -> dict[str, dict[str, Any]]:
    """Model infos (marked "_emulated") of the models above, with their mappings."""
    return {
        model: {
            "id": model, "modelId": model, "pipeline_tag": tag, "tags": tags, "private": False,
            "gated": False, "widgetData": [], "inferenceProviderMapping": mapping,
            "_emulated": True,
        }
        for model, (tag, tags, mapping) in PROVIDER_MODELS.items()
    }  # fmt: skip


# The prompts the recordings asked, for tests that ask them again.
WHOLE = "Complete this sentence with words, one plus one is equal "
CAKE = (
    "black forest gateau cake spelling out the words FLUX SCHNELL, tasty, food photography, "
    "dynamic shot"
)
# (model, --provider or None for auto, the provider that answers, the recorded prompt)
IMAGES = [
    ("black-forest-labs/FLUX.1-schnell", None, "fal-ai", CAKE),
    ("black-forest-labs/FLUX.1-schnell", "replicate", "replicate", CAKE),
    ("stabilityai/stable-diffusion-xl-base-1.0", None, "together",
     "award winning high resolution photo of a giant tortoise"),
]  # fmt: skip
