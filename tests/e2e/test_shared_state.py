"""Gradio's protocol over several workers (issue 28): its sessions (events, cancels, uploaded
files, chat conversations) live in Redis, so that any request may land on any worker.
`--workers 2` alone starts a private redis-server; `--state redis://…` names a shared one."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from support.gradio_spaces import png
from support.servers import Server
from support.topology import Redis

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
TEXT = "distilbert-base-uncased-finetuned-sst-2-english"
IMAGE = "google/vit-base-patch16-224"


@pytest.fixture
def redis() -> Iterator[Redis]:
    server = Redis()
    yield server
    server.close()


def client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


def test_gradio_clients_on_two_workers_all_succeed(emulator) -> None:
    """`--workers 2` and no --state: a private redis-server; 50 gradio_client calls, each on
    a new client (so on either worker for join and data), all answered."""
    server = Server(emulator, TEXT, "--workers", "2")
    try:
        health = httpx.get(f"{server.url}/healthz").json()
        assert health["state"]["backend"] == "redis" and health["state"]["ok"]

        def call(n: int) -> Any:
            c = client(server.url)
            try:
                return c.predict("I like you", api_name="/predict")
            finally:
                c.close()

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(call, range(50)))
    finally:
        printed = server.stop()
    assert all(a["label"] in ("POSITIVE", "NEGATIVE") for a in answers), answers
    assert "private redis-server" in printed


def test_uploads_conversations_and_cancels_cross_workers(emulator, redis, tmp_path) -> None:
    image = Server(emulator, IMAGE, "--workers", "2", "--state", redis.url)
    try:
        from gradio_client import handle_file

        picture = tmp_path / "red.png"
        picture.write_bytes(png((200, 30, 10)))
        answers = []
        for _ in range(20):  # each upload on one worker, read by the job on either
            c = client(image.url)
            try:
                answers.append(c.predict(handle_file(str(picture)), api_name="/predict"))
            finally:
                c.close()
        assert all(a["confidences"] for a in answers)
        keys = [k for k in redis.cli("--scan", "--pattern", "hubdemo:*").split() if k]
        assert keys, "nothing kept in Redis"
        for key in keys:  # nothing outlives its session
            assert int(redis.cli("TTL", key)) > 0, key
    finally:
        image.stop()


def test_without_redis_the_gradio_routes_say_how_to_enable_them(emulator) -> None:
    """Several workers, no redis-server on PATH and no --state: /api/predict works, the Gradio
    routes answer 503 in one line that says what to do, and /healthz says so."""
    only_python = os.path.dirname(sys.executable)  # redis-server is not there
    server = Server(emulator, TEXT, "--workers", "2", PATH=only_python)
    try:
        assert server.predict({"data": ["I like you"]}).status_code == 200
        join = {"data": ["hi"], "fn_index": 0, "session_hash": "abc"}
        refused = httpx.post(f"{server.url}/gradio_api/queue/join", json=join)
        assert refused.status_code == 503
        assert "--state redis://" in refused.json()["error"]
        state = httpx.get(f"{server.url}/healthz").json()["state"]
        assert state["ok"] is False and state["backend"] == "none"
    finally:
        printed = server.stop()
    assert "install redis-server" in printed


@pytest.fixture
def replicas(emulator, redis) -> Iterator[Any]:
    """model -> two `hubdemo serve` replicas of it sharing the test's Redis."""
    started: list[Server] = []

    def pair(model: str) -> tuple[Server, Server]:
        two = (Server(emulator, model, "--state", redis.url),
               Server(emulator, model, "--state", redis.url))  # fmt: skip
        started.extend(two)
        return two

    yield pair
    for server in started:
        server.stop()


def join(server: Server, session: str, data: list[Any], fn_index: int = 0) -> str:
    body = {"data": data, "fn_index": fn_index, "session_hash": session}
    joined = httpx.post(f"{server.url}/gradio_api/queue/join", json=body, timeout=30)
    assert joined.status_code == 200, joined.text
    return str(joined.json()["event_id"])


def messages(server: Server, session: str) -> list[dict[str, Any]]:
    """The session's events read from ``server`` until it closes the stream."""
    url = f"{server.url}/gradio_api/queue/data?session_hash={session}"
    with httpx.stream("GET", url, timeout=60) as stream:
        assert stream.status_code == 200, stream.read()
        found = [json.loads(line[5:]) for line in stream.iter_lines() if line.startswith("data:")]
    assert found and found[-1]["msg"] == "close_stream", found
    return found[:-1]


def test_a_job_joined_on_one_replica_is_read_on_the_other(replicas) -> None:
    a, b = replicas(TEXT)
    event = join(a, "cross-1", ["I like you"])
    read = messages(b, "cross-1")
    assert [m["msg"] for m in read] == ["process_starts", "process_completed"]
    assert read[-1]["event_id"] == event and read[-1]["success"], read
    assert read[-1]["output"]["data"][0]["label"] == "POSITIVE"
    # Gradio's REST API too: called on one, its answer read on the other.
    called = httpx.post(f"{b.url}/gradio_api/call/predict", json={"data": ["I like you"]})
    answer = httpx.get(f"{a.url}/gradio_api/call/predict/{called.json()['event_id']}", timeout=30)
    assert "event: complete" in answer.text and "POSITIVE" in answer.text, answer.text


def test_a_conversation_keeps_its_history_across_replicas(replicas, emulator) -> None:
    """Turn one joined on a and read on b, turn two joined on b and read on a: the model is
    sent the whole conversation (the emulator answers any chat with a recorded reply)."""
    from support.cases import CHAT_MODEL

    a, b = replicas(CHAT_MODEL)
    first = "Complete the equation 1+1= ,just the answer"
    emulator.lenient = True
    try:
        join(a, "talk", [first], fn_index=1)
        reply = "".join(
            m["output"]["data"][0] if isinstance(m["output"]["data"][0], str) else
            m["output"]["data"][0][0][2]
            for m in messages(b, "talk") if m["msg"] == "process_generating"
        )  # fmt: skip
        join(b, "talk", ["And 2+2?"], fn_index=1)  # the second turn, on the other replica
        assert messages(a, "talk")[-1]["success"]
        asked = json.loads(emulator.log[-1].body)["messages"]
    finally:
        emulator.lenient = False
    assert reply
    assert asked == [
        {"role": "user", "content": first},
        {"role": "assistant", "content": reply},
        {"role": "user", "content": "And 2+2?"},
    ]


def test_a_cancel_sent_to_the_other_replica_stops_the_job(replicas, emulator) -> None:
    a, b = replicas(TEXT)
    emulator.configure(latency=5.0)
    try:
        event = join(a, "stopped", ["I like you"])
        time.sleep(0.5)  # running on a
        cancelled = httpx.post(f"{b.url}/gradio_api/cancel", json={"event_id": event})
        assert cancelled.json() == {"success": True}
        started = time.monotonic()
        read = messages(b, "stopped")
        assert time.monotonic() - started < 4.0  # not the upstream's 5 s: stopped
    finally:
        emulator.configure()
    assert read[-1]["msg"] == "process_completed" and not read[-1]["success"]
    assert read[-1]["output"]["error"] == "cancelled"


def test_redis_gone_then_back(replicas, redis) -> None:
    """Redis stopped: the Gradio routes answer 503 in one line, /api/predict works, nothing
    hangs; Redis back: the routes work again, without a restart."""
    a, _ = replicas(TEXT)
    redis.stop()
    try:
        body = {"data": ["I like you"], "fn_index": 0, "session_hash": "down"}
        started = time.monotonic()
        down = httpx.post(f"{a.url}/gradio_api/queue/join", json=body, timeout=30)
        assert time.monotonic() - started < 10.0
        assert down.status_code == 503 and "cannot be reached" in down.json()["error"]
        assert a.predict({"data": ["I like you"]}).status_code == 200
        health = httpx.get(f"{a.url}/healthz", timeout=30).json()
        assert health["status"] == "ok" and health["state"]["ok"] is False
    finally:
        redis.start()
    join(a, "back", ["I like you"])
    assert messages(a, "back")[-1]["success"]
    assert httpx.get(f"{a.url}/healthz").json()["state"]["ok"] is True


def test_a_file_uploaded_to_one_replica_is_read_through_the_other(replicas) -> None:
    a, b = replicas(IMAGE)
    red = {"files": ("red.png", png((200, 30, 10)), "image/png")}
    uploaded = httpx.post(f"{a.url}/gradio_api/upload", files=red)
    assert uploaded.status_code == 200, uploaded.text
    name = uploaded.json()[0]
    fetched = httpx.get(f"{b.url}/gradio_api/file={name}")
    assert fetched.status_code == 200 and fetched.content == png((200, 30, 10))
    join(b, "picture", [{"path": name, "meta": {"_type": "gradio.FileData"}}])
    answered = messages(a, "picture")[-1]
    assert answered["success"], answered
    assert answered["output"]["data"][0]["confidences"]
    guessed = httpx.get(f"{b.url}/gradio_api/file=../../etc/passwd")
    assert guessed.status_code == 404


def test_the_javascript_client_on_two_workers(emulator, redis, tmp_path) -> None:
    """@gradio/client, 25 text and 25 image predictions against `--workers 2`: 50 of 50."""
    from support.js import run_js

    picture = tmp_path / "red.png"
    picture.write_bytes(png((200, 30, 10)))
    text, image = (Server(emulator, TEXT, "--workers", "2", "--state", redis.url),
                   Server(emulator, IMAGE, "--workers", "2", "--state", redis.url))  # fmt: skip
    try:
        said = run_js(text.url, [{"endpoint": "/predict", "data": ["I like you"]}] * 25,
                      script="gradio_client.mjs")  # fmt: skip
        seen = run_js(image.url, [{"endpoint": "/predict", "data": [str(picture)], "files": [0]}]
                      * 25, script="gradio_client.mjs")  # fmt: skip
    finally:
        text.stop()
        image.stop()
    assert all(a[0]["label"] == "POSITIVE" for a in said), said
    assert all(a[0]["confidences"] for a in seen), seen


def test_a_replica_killed_mid_job_is_an_error_not_a_hang(replicas, emulator) -> None:
    a, b = replicas(TEXT)
    emulator.configure(latency=30.0)
    try:
        join(a, "orphan", ["I like you"])
        time.sleep(0.5)
        a.process.kill()  # no goodbye: its lease on the job lapses
        started = time.monotonic()
        read = messages(b, "orphan")
        waited = time.monotonic() - started
    finally:
        emulator.configure()
    assert waited < 20.0  # the lease (6 s) and a reader's round (2 s), not the upstream's 30 s
    assert read[-1]["msg"] == "process_completed" and not read[-1]["success"]
    assert "worker running this job stopped" in read[-1]["output"]["error"]
