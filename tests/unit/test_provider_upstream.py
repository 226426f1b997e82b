"""An Inference Provider through the router (ProviderUpstream, an HttpUpstream) on
httpx.MockTransport answering the recorded provider traffic (huggingface.js's tapes.json): the
payload huggingface_hub's helper builds is the one recorded, at the route recorded, with the
token; the answer comes back as the provider wrote it, whole or streamed, and a picture
answered as base64 comes back as the picture."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx
import pytest

from hubdemo.errors import UpstreamError
from hubdemo.providers import choose_provider, parse_mapping
from hubdemo.tasks import TASKS
from hubdemo.upstream.providers.upstream import ProviderUpstream
from hubdemo.wire import WireRequest
from support.emulated_providers import PROVIDER_MODELS
from support.emulator import Tapes
from support.secrets import TOKEN

ROUTER = "https://router.example"


def upstream_for(model: str, provider: str, tapes: Tapes, seen: list[httpx.Request]) -> Any:
    tag, _, raw = PROVIDER_MODELS[model]
    choice = choose_provider(parse_mapping(raw, model), provider, model)
    task = "chat-completion" if choice.task == "conversational" else tag

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        name, _, path = request.url.path.lstrip("/").partition("/")
        found = tapes.providers.find(name, "/" + path, request.content)
        if found is None:
            return httpx.Response(599, text=f"not recorded: {name} /{path}")
        return httpx.Response(
            found.status, content=found.body, headers={"content-type": found.content_type}
        )

    return ProviderUpstream(
        ROUTER, choice=choice, task=task, model_id=model, token=TOKEN,
        transport=httpx.MockTransport(answer),
    )  # fmt: skip


def run(upstream: ProviderUpstream, coroutine: Any) -> Any:
    async def go() -> Any:
        try:
            return await coroutine
        finally:
            await upstream.aclose()

    return asyncio.run(go())


CHATS = [
    ("hubdemo-emulated/llama-3.1-8b-instruct", "cerebras", "Say 'this is a test'"),
    ("CohereLabs/c4ai-command-r7b-12-2024", "cohere", "Say 'this is a test'"),
    ("deepseek-ai/DeepSeek-R1", "fireworks-ai", "Say this is a test"),
]


@pytest.mark.parametrize(("model", "provider", "question"), CHATS)
def test_a_chat_streams_as_the_provider_wrote_it(model, provider, question, tapes) -> None:
    seen: list[httpx.Request] = []
    upstream = upstream_for(model, provider, tapes, seen)
    handler = TASKS["chat-completion"]
    task_input = handler.preprocess({"messages": [{"role": "user", "content": question}]})

    async def read() -> list[Any]:
        return [e async for e in upstream.stream(handler.serialize_stream(task_input))]

    events = run(upstream, read())
    (sent,) = seen
    assert sent.url.path.startswith(f"/{provider}/")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    recorded = tapes.providers.find(
        provider, sent.url.path.removeprefix(f"/{provider}"), sent.content
    )
    written = [
        json.loads(line[5:])
        for line in recorded.body.decode().splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    ]
    assert events == written


def test_a_picture_answered_as_base64_is_the_picture(tapes) -> None:
    model = "stabilityai/stable-diffusion-xl-base-1.0"
    seen: list[httpx.Request] = []
    upstream = upstream_for(model, "together", tapes, seen)
    handler = TASKS["text-to-image"]
    prompt = "award winning high resolution photo of a giant tortoise"
    task_input = handler.preprocess({"inputs": prompt})
    got = run(upstream, upstream.send(handler.serialize(task_input)))
    (sent,) = seen
    recorded = tapes.providers.find(
        "together", sent.url.path.removeprefix("/together"), sent.content
    )
    b64 = json.loads(recorded.body)["data"][0]["b64_json"]
    assert got.body == base64.b64decode(b64)
    assert got.content_type.startswith("image/")
    output = handler.deserialize(got)
    assert output["image"].startswith("data:image/")


def test_a_provider_error_keeps_its_status_and_words(tapes) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(402, json={"error": "You have exceeded your monthly credits"})

    model = "deepseek-ai/DeepSeek-R1"
    _, _, raw = PROVIDER_MODELS[model]
    choice = choose_provider(parse_mapping(raw, model), "fireworks-ai", model)
    upstream = ProviderUpstream(
        ROUTER, choice=choice, task="chat-completion", model_id=model, token=TOKEN,
        transport=httpx.MockTransport(answer),
    )  # fmt: skip
    request = WireRequest(json={"messages": [{"role": "user", "content": "hi"}]}, route="chat")
    with pytest.raises(UpstreamError) as raised:
        run(upstream, upstream.send(request))
    assert "402" in str(raised.value) and "monthly credits" in str(raised.value)
    assert "add credits" in str(raised.value)
