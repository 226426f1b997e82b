"""The router backend (HttpUpstream) through httpx.MockTransport answering recorded traffic:
where a request goes and with what, each error status read as its error with the upstream's own
words (never the token), retries within the budget, the answer-size bound, and streams."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hubdemo import errors
from hubdemo.upstream.router import RouterUpstream
from hubdemo.wire import WireRequest
from support.emulator import Tapes

TOKEN = "hf_unit_secret_token"
MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
ROUTER = "https://router.example"


def router(answer: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> RouterUpstream:
    return RouterUpstream(
        ROUTER, task="text-classification", model_id=MODEL, token=TOKEN,
        transport=httpx.MockTransport(answer), **kwargs,
    )  # fmt: skip


def send(upstream: RouterUpstream, request: WireRequest) -> Any:
    async def go() -> Any:
        try:
            return await upstream.send(request)
        finally:
            await upstream.aclose()

    return asyncio.run(go())


def test_a_request_goes_to_the_models_route_with_the_token(tapes: Tapes) -> None:
    recorded = next(e for e in tapes.candidates(MODEL, "") if e.status == 200)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, content=recorded.body, headers={"content-type": "application/json"}
        )

    got = send(router(answer), WireRequest(json={"inputs": "I like you"}))
    (sent,) = seen
    assert str(sent.url) == f"{ROUTER}/hf-inference/models/{MODEL}"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(sent.content) == {"inputs": "I like you"}
    assert got.status == 200 and got.body == recorded.body
    assert got.content_type == "application/json"


def test_the_pipeline_and_chat_routes() -> None:
    urls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(200, json={})

    send(router(answer), WireRequest(json={}, route="pipeline"))
    upstream = router(answer)
    send(upstream, WireRequest(json={"messages": []}, route="chat"))
    assert urls == [
        f"{ROUTER}/hf-inference/models/{MODEL}/pipeline/text-classification",
        f"{ROUTER}/hf-inference/models/{MODEL}/v1/chat/completions",
    ]


ERRORS = {
    400: errors.UpstreamRejectedInput, 401: errors.UpstreamAuthError,
    402: errors.UpstreamPaymentRequired, 403: errors.UpstreamAuthError,
    404: errors.UpstreamNotFound, 413: errors.UpstreamRejectedInput,
    422: errors.UpstreamRejectedInput, 429: errors.UpstreamRateLimited,
    500: errors.UpstreamError, 503: errors.UpstreamLoading, 504: errors.UpstreamTimeout,
}  # fmt: skip


def recorded_errors() -> list[Any]:
    return [e for e in Tapes().exchanges if e.status >= 400 and e.status in ERRORS]


@pytest.mark.parametrize("exchange", recorded_errors(), ids=lambda e: f"{e.status}-{e.model}")
def test_each_recorded_error_is_its_error_in_the_upstreams_words(exchange) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        # The token echoed back, as a careless upstream might: it must not reach the message.
        body = exchange.body.replace(b"}", f', "echo": "{TOKEN}"}}'.encode(), 1)
        return httpx.Response(exchange.status, content=body, headers=exchange.headers)

    with pytest.raises(errors.UpstreamError) as raised:
        send(router(answer, retry_budget=0), WireRequest(json={"inputs": "x"}))
    assert type(raised.value) is ERRORS[exchange.status]
    message = str(raised.value)
    assert f"({exchange.status}" in message
    assert TOKEN not in message
    said = json.loads(exchange.body).get("error") if exchange.body.startswith(b"{") else None
    if isinstance(said, str):
        assert said[:40] in message


def test_a_loading_model_is_waited_for_within_the_budget() -> None:
    answers = iter([
        httpx.Response(503, json={"error": "Model is loading", "estimated_time": 0.05}),
        httpx.Response(200, json=[[{"label": "POSITIVE", "score": 0.99}]]),
    ])  # fmt: skip
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return next(answers)

    got = send(router(answer, retry_budget=10), WireRequest(json={"inputs": "x"}))
    assert len(calls) == 2 and got.status == 200


def test_a_wait_longer_than_the_budget_is_not_waited() -> None:
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(429, json={"error": "slow down"}, headers={"Retry-After": "60"})

    with pytest.raises(errors.UpstreamRateLimited) as raised:
        send(router(answer, retry_budget=10), WireRequest(json={"inputs": "x"}))
    assert len(calls) == 1
    assert "wait 60 s" in str(raised.value) and raised.value.retry_after == 60


def test_an_answer_past_the_size_bound_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"[" + b"0," * 2**20 + b"0]")

    with pytest.raises(errors.UpstreamBadResponse) as raised:
        send(router(answer, max_answer_bytes=2**20), WireRequest(json={"inputs": "x"}))
    assert "--max-answer-mb" in str(raised.value)


def test_an_upstream_that_cannot_be_reached_names_the_flag() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(errors.UpstreamRefused) as raised:
        send(router(answer), WireRequest(json={"inputs": "x"}))
    assert ROUTER in str(raised.value) and "--router" in str(raised.value)


def test_a_stream_yields_each_event_and_an_error_event_raises(tapes: Tapes) -> None:
    streamed = next(e for e in tapes.exchanges if "event-stream" in e.content_type)
    expected = [
        json.loads(line[5:])
        for line in streamed.body.decode().splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=streamed.body, headers={"content-type": "text/event-stream"}
        )

    async def read(upstream: RouterUpstream) -> list[Any]:
        try:
            return [event async for event in upstream.stream(WireRequest(json={}, route="chat"))]
        finally:
            await upstream.aclose()

    assert asyncio.run(read(router(answer))) == expected

    def failing(request: httpx.Request) -> httpx.Response:
        body = b'data: {"error": "Input validation error: too long"}\n\n'
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    with pytest.raises(errors.UpstreamError) as raised:
        asyncio.run(read(router(failing)))
    assert "too long" in str(raised.value)


def test_retry_after_reads_seconds_dates_and_ratelimit() -> None:
    import email.utils

    import httpx

    from hubdemo.net import retry_after

    assert retry_after(httpx.Headers({"Retry-After": "7"})) == 7
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < (retry_after(httpx.Headers({"Retry-After": later})) or 0) <= 30
    assert retry_after(httpx.Headers({"RateLimit": '"api";r=0;t=12'})) == 12
    assert retry_after(httpx.Headers({"RateLimit": "limit=10, remaining=0, reset=3"})) == 3
    assert retry_after(httpx.Headers({})) is None
