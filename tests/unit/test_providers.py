"""Inference Providers in process: huggingface_hub's helpers still build the recorded
requests, files a provider names are fetched only from where they may be, reasoning deltas."""

from __future__ import annotations

import asyncio

import pytest

from support.checks import validate_output
from support.emulated_providers import CAKE, IMAGES, WHOLE


@pytest.mark.parametrize(
    "url",
    ["http://example.com/a.png", "https://127.0.0.1/a.png", "https://10.0.0.8/a.png",
     "https://169.254.169.254/latest", "https://[::1]/a.png", "file:///etc/passwd"],
)  # fmt: skip
def test_a_file_url_is_fetched_only_from_public_https_or_the_router(url) -> None:
    from hubdemo.errors import UpstreamBadResponse
    from hubdemo.upstream.providers.fetch import fetch_file

    async def fetch() -> None:
        deadline = asyncio.get_running_loop().time() + 5
        await fetch_file(url, "http://127.0.0.1:9", deadline)

    refused = "hubdemo does not fetch|could not be fetched"
    with pytest.raises(UpstreamBadResponse, match=refused):
        asyncio.run(fetch())


def test_the_helpers_still_build_the_recorded_requests(tapes) -> None:
    """huggingface_hub's helpers are a private API: if their routes or payloads change shape,
    this fails (and pyproject.toml's pinned range should not be widened without a look)."""
    from hubdemo.upstream.providers.helpers import provider_call

    cases = [
        ("together", "chat-completion", "meta-llama/Llama-3.3-70B-Instruct-Turbo",
         [{"role": "user", "content": WHOLE}], {}, "/v1/chat/completions"),
        ("novita", "chat-completion", "meta-llama/llama-3.1-8b-instruct",
         [{"role": "user", "content": WHOLE}], {}, "/v3/openai/chat/completions"),
        ("cohere", "chat-completion", "command-r7b-12-2024",
         [{"role": "user", "content": WHOLE}], {}, "/compatibility/v1/chat/completions"),
        ("fireworks-ai", "chat-completion", "accounts/fireworks/models/deepseek-r1",
         [{"role": "user", "content": WHOLE}], {}, "/inference/v1/chat/completions"),
        ("fal-ai", "text-to-image", "fal-ai/flux/schnell", CAKE, {}, "/fal-ai/flux/schnell"),
        ("replicate", "text-to-image", "black-forest-labs/flux-schnell", IMAGES[1][3], {},
         "/v1/models/black-forest-labs/flux-schnell/predictions"),
        ("together", "text-to-image", "stabilityai/stable-diffusion-xl-base-1.0", IMAGES[2][3],
         {}, "/v1/images/generations"),
    ]  # fmt: skip
    for provider, task, provider_id, inputs, parameters, route in cases:
        call = provider_call(provider, task, provider_id, "any/model")
        assert call.route == route, (provider, call.route)
        body, content_type = call.body(inputs, parameters)
        assert content_type == "application/json"
        match = tapes.providers.find(provider, route, body)
        assert match is not None and match.status < 300, (provider, task, body[:200])


def test_reasoning_content_deltas_are_events_of_their_own() -> None:
    """Providers that send thinking in delta.reasoning_content (not inside the text): the
    stream says {"reasoning"} apart, and the answer's message carries it as reasoning_content."""
    from hubdemo.predictor import Predictor
    from hubdemo.resolve import ModelSpec
    from hubdemo.upstream import Upstream

    def chunk(**delta: str) -> dict:
        return {"id": "c1", "model": "m", "created": 1, "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}  # fmt: skip

    async def events():
        for piece in (chunk(role="assistant"), chunk(reasoning_content="Two ones "),
                      chunk(reasoning_content="make two."), chunk(content=""),
                      chunk(content="Two"), chunk(content=".")):  # fmt: skip
            yield piece

    predictor = Predictor(ModelSpec("m/m", "chat-completion"), Upstream())
    task_input = predictor.handler.preprocess({"messages": [{"role": "user", "content": "1+1?"}]})

    async def run() -> list[dict]:
        return [e async for e in predictor._stream(events(), task_input)]

    seen = asyncio.run(run())
    assert [e.get("reasoning") for e in seen if "reasoning" in e] == ["Two ones ", "make two."]
    assert [e["delta"] for e in seen if "delta" in e] == ["Two", "."]  # empty deltas dropped
    message = seen[-1]["output"]["choices"][0]["message"]
    assert message == {
        "role": "assistant",
        "content": "Two.",
        "reasoning_content": "Two ones make two.",
    }
    validate_output("chat-completion", seen[-1]["output"])
