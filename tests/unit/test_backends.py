"""Backend plumbing in process: the router-then-local fallback, the threads gradio_client's
blocking calls run in, a ChatInterface Space's chat task, and `hubdemo endpoint`'s and
`serve`'s server settings."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from hubdemo.errors import InputError, InvalidParameter, UpstreamRateLimited
from hubdemo.upstream.fallback import FallbackUpstream
from hubdemo.upstream.function import FunctionUpstream
from hubdemo.upstream.router import RouterUpstream
from hubdemo.wire import WireRequest
from support import functions

# -- the fallback ------------------------------------------------------------------------------


def router_that(answer: Any) -> RouterUpstream:
    return RouterUpstream(
        "https://router.example", task="text-classification", model_id="org/model",
        transport=httpx.MockTransport(answer), retry_budget=0,
    )  # fmt: skip


def local_feel() -> FunctionUpstream:
    return FunctionUpstream(functions.feel, "support.functions:feel", "text-classification")


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def test_a_router_that_cannot_be_reached_switches_to_the_local_model_once() -> None:
    built: list[FunctionUpstream] = []

    def make_local() -> FunctionUpstream:
        built.append(local_feel())
        return built[-1]

    fallback = FallbackUpstream(router_that(refused), make_local)
    assert fallback.kind == "router"

    async def three_at_once() -> list[Any]:
        request = WireRequest(json={"inputs": "I love it"})
        return await asyncio.gather(*(fallback.send(request) for _ in range(3)))

    answers = asyncio.run(three_at_once())
    assert len(built) == 1, "requests failing together share one local model"
    assert fallback.kind == "function" and fallback.active is built[0]
    assert all(a.status == 200 for a in answers)


def test_an_http_error_is_the_routers_answer_not_a_reason_to_switch() -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"error": "slow down"})

    fallback = FallbackUpstream(router_that(busy), local_feel)
    with pytest.raises(UpstreamRateLimited):
        asyncio.run(fallback.send(WireRequest(json={"inputs": "x"})))
    assert fallback.local is None and fallback.kind == "router"


def test_a_local_model_that_cannot_be_had_passes_the_routers_refusal_on_and_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Hub unreachable too: the router's refusal, one try for the requests failing
    together, none at the next request; a minute later (here at once) the switch is tried again."""
    from hubdemo.errors import HubUnreachable, UpstreamUnreachable
    from hubdemo.upstream import fallback as module

    tries: list[int] = []

    def make_local() -> FunctionUpstream:
        tries.append(1)
        if len(tries) == 1:
            raise HubUnreachable("the Hub cannot be reached")
        return local_feel()

    upstream = FallbackUpstream(router_that(refused), make_local)
    request = WireRequest(json={"inputs": "I love it"})

    async def at_once(n: int) -> list[Any]:
        return await asyncio.gather(
            *(upstream.send(request) for _ in range(n)), return_exceptions=True
        )

    first = asyncio.run(at_once(3))
    assert all(isinstance(e, UpstreamUnreachable) for e in first) and len(tries) == 1
    assert isinstance(asyncio.run(at_once(1))[0], UpstreamUnreachable) and len(tries) == 1
    monkeypatch.setattr(module, "RETRY_SWITCH_AFTER", 0.0)
    upstream._retry_at = 0.0  # the minute has passed
    answered = asyncio.run(at_once(2))
    assert [a.status for a in answered] == [200, 200] and len(tries) == 2
    assert upstream.kind == "function"


def test_a_local_model_that_failed_hands_back_to_the_router() -> None:
    class Failed(FunctionUpstream):
        state = "failed"  # type: ignore[assignment]
        load_error = "the download was cut"  # type: ignore[assignment]

    answers = iter(
        [
            httpx.ConnectError("refused"),
            httpx.Response(200, json=[[{"label": "POSITIVE", "score": 0.9}]]),
        ]
    )

    def router(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise httpx.ConnectError("refused", request=request)
        return answer

    upstream = FallbackUpstream(
        router_that(router),
        lambda: Failed(functions.feel, "support.functions:feel", "text-classification"),
    )
    request = WireRequest(json={"inputs": "I love it"})

    async def twice() -> tuple[Any, Any]:
        first = await upstream.send(request)  # the router refused: the local model answers
        switched_to = upstream.local
        second = await upstream.send(request)  # that model has failed since: the router again
        return (first, switched_to), second

    (first, switched_to), second = asyncio.run(twice())
    assert first.status == 200 and isinstance(switched_to, Failed)
    assert second.status == 200
    assert json.loads(second.content()) == [[{"label": "POSITIVE", "score": 0.9}]]
    assert upstream.local is None and upstream.kind == "router"


def test_the_fallback_is_there_only_when_the_model_could_answer_on_this_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not cached: a Hub model of a task the local backend runs gets the fallback (its files
    to be fetched); offline, or a task it cannot run, the router alone."""
    from hubdemo.predictor import make_upstream
    from hubdemo.resolve import ModelSpec
    from hubdemo.upstream.router import RouterUpstream

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    classify = ModelSpec("org/model", "text-classification")
    assert isinstance(make_upstream(classify), FallbackUpstream)
    drawing = ModelSpec("org/model", "text-to-3d")
    assert type(make_upstream(drawing)) is RouterUpstream
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert type(make_upstream(classify)) is RouterUpstream


# -- the threads of gradio_client's calls ----------------------------------------------------


def test_in_thread_hands_back_the_result_or_the_error() -> None:
    from hubdemo.spaces.threads import in_thread

    def fails() -> None:
        raise ValueError("the Space said no")

    assert asyncio.run(in_thread(pow, 2, 10)) == 1024
    with pytest.raises(ValueError, match="said no"):
        asyncio.run(in_thread(fails))


def test_a_cancelled_wait_leaves_the_thread_to_end_by_itself() -> None:
    from hubdemo.spaces.threads import in_thread

    release = threading.Event()
    ended = threading.Event()

    def slow() -> str:
        release.wait(30)
        ended.set()
        return "late"

    async def give_up() -> None:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await in_thread(slow)

    asyncio.run(give_up())  # returns although the thread still runs
    assert not ended.is_set()
    release.set()
    assert ended.wait(30)


def test_close_and_cancel_run_in_threads_of_their_own() -> None:
    from hubdemo.spaces.threads import cancel_soon, close_soon

    called = threading.Event()
    seen: list[str] = []

    class Slow:
        def close(self) -> None:
            seen.append(threading.current_thread().name)
            called.set()

        def cancel(self) -> None:
            time.sleep(0.01)
            seen.append(threading.current_thread().name)

    close_soon(Slow())
    assert called.wait(30)
    done = threading.Event()

    class Job(Slow):
        def cancel(self) -> None:
            super().cancel()
            done.set()

    cancel_soon(Job())
    assert done.wait(30)
    assert seen == ["hubdemo-space-close", "hubdemo-space-cancel"]


# -- a ChatInterface Space ---------------------------------------------------------------------


def chat_space() -> Any:
    from hubdemo.spaces.chat import SpaceChatTask
    from hubdemo.spaces.components import Argument

    arguments = [
        Argument("message", "Message", "textbox", "input"),
        Argument("system", "System message", "textbox", "parameter", True, "Be brief."),
        Argument("temperature", "Temperature", "slider", "parameter", True, 0.7,
                 {"minimum": 0.1, "maximum": 4.0, "step": 0.1}),
    ]  # fmt: skip
    return SpaceChatTask("A chat", "/chat", arguments)


def test_a_chat_space_gets_the_last_message_and_its_additional_inputs() -> None:
    task = chat_space()
    conversation = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "how are you?"},
    ]
    task_input = task.preprocess({"messages": conversation, "parameters": {"temperature": 0.5}})
    sent = task.serialize_stream(task_input).json
    assert sent == {
        "api_name": "/chat",
        "args": ["how are you?", "Be brief.", 0.5],
        "history": conversation[:2],
        "stream": True,
    }
    controls = {c["name"]: c for c in task.controls()}
    assert controls["temperature"]["minimum"] == 0.1 and controls["temperature"]["maximum"] == 4.0


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        ({"messages": [{"role": "assistant", "content": "hi"}]}, InputError, "the user's"),
        ({"messages": [{"role": "user", "content": "hi"}], "parameters": {"top_k": 3}},
         InvalidParameter, "top_k: not a parameter"),
        ({"messages": [{"role": "user", "content": "hi"}], "parameters": {"temperature": 9}},
         InvalidParameter, "from 0.1 to 4.0"),
        ({"data": []}, InputError, "messages"),
    ],
)  # fmt: skip
def test_a_chat_space_refuses_what_it_cannot_send(body, error, words) -> None:
    with pytest.raises(error, match=words):
        chat_space().preprocess(body)


# -- servers' settings --------------------------------------------------------------------------


def test_uvicorn_gets_the_limits_and_the_guarded_protocol(monkeypatch) -> None:
    import sys

    from hubdemo.server.serving import GuardedProtocol, uvicorn_settings
    from hubdemo.settings import ServeOptions

    monkeypatch.setattr(GuardedProtocol, "header_timeout", GuardedProtocol.header_timeout)
    monkeypatch.setattr(GuardedProtocol, "max_connections", GuardedProtocol.max_connections)
    switching = sys.getswitchinterval()
    try:
        settings = uvicorn_settings(ServeOptions.from_env({}, header_timeout=3, max_connections=50))
    finally:
        sys.setswitchinterval(switching)
    assert settings["http"] is GuardedProtocol
    assert settings["timeout_graceful_shutdown"] > 0
    assert (GuardedProtocol.header_timeout, GuardedProtocol.max_connections) == (3, 50)


def test_endpoint_refuses_what_it_cannot_run_here() -> None:
    from hubdemo.cli import app

    result = CliRunner().invoke(
        app, ["endpoint", "support.functions:feel", "--task", "text-classification"]
    )
    assert result.exit_code == 2
    assert "not a model hubdemo can run on this machine" in result.stderr
