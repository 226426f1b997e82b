"""Upstream faults from the emulator, through `hubdemo serve` on a real port: each becomes the
status of docs/design.md with a message that says what happened and what to do; never a 500."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from support.emulator import Emulator
from support.servers import Server

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"
BODY = {"data": ["I like you"]}  # recorded: the emulator answers it


@pytest.fixture
def faulty(emulator: Emulator) -> Iterator[Emulator]:
    yield emulator
    emulator.configure()  # no faults for the next test


def posts_since(emulator: Emulator, before: int) -> list[Any]:
    return [e for e in emulator.log[before:] if e.method == "POST"]


def test_a_loading_model_is_waited_for_within_the_budget(faulty, servers) -> None:
    server = servers[MODEL]  # started before the model "loads": starting takes a second
    faulty.configure(loading_for=0.6, estimated_time=0.25)
    before = len(faulty.log)
    response = server.predict(BODY)
    assert response.status_code == 200, response.text
    faults = [e.fault for e in posts_since(faulty, before)]
    assert faults[0] == "loading" and faults[-1] is None and len(faults) >= 2


def test_a_long_load_is_a_503_that_says_how_long(faulty, servers) -> None:
    faulty.configure(loading_for=60, estimated_time=42)  # more than the 10 s budget
    before = len(faulty.log)
    started = time.monotonic()
    response = servers[MODEL].predict(BODY)
    assert len(posts_since(faulty, before)) == 1, "no pointless wait when the estimate is too long"
    assert time.monotonic() - started < 10  # nor a wait for the 10 s budget
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "42"
    assert "loading, about 42 s" in response.json()["error"]


def test_rate_limits_are_retried_with_backoff_then_reported(faulty, servers) -> None:
    faulty.configure(every={"rate_limit": 1}, retry_after=0.1)
    before = len(faulty.log)
    response = servers[MODEL].predict(BODY)
    attempts = posts_since(faulty, before)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert "rate limiting" in response.json()["error"]
    assert len(attempts) == 6  # the request and five retries


def test_one_rate_limit_is_retried_away(faulty, servers) -> None:
    faulty.configure(every={"rate_limit": 2}, retry_after=0.1)
    servers[MODEL].predict(BODY)  # the 1st request of the plan passes
    before = len(faulty.log)
    response = servers[MODEL].predict(BODY)  # the 2nd is limited, the retry passes
    assert response.status_code == 200
    assert [e.fault for e in posts_since(faulty, before)] == ["rate_limit", None]


@pytest.mark.parametrize(
    ("kind", "status", "words"),
    [
        ("server_error", 502, "the endpoint failed (500: Internal Server Error)"),
        ("reset", 502, "broke before the answer was complete"),
        ("garbage", 502, "answered text/html that is not JSON"),
        ("truncated", 502, "that is not JSON"),
        ("wrong_type", 502, "answered application/octet-stream that is not JSON"),
    ],
)
def test_broken_answers_are_502s_that_say_what_happened(faulty, servers, kind, status, words):
    faulty.configure(every={kind: 1})
    response = servers[MODEL].predict(BODY)
    assert response.status_code == status
    assert words in response.json()["error"]
    assert response.json()["type"].startswith("Upstream")


def test_a_slow_drip_times_out_as_a_504(faulty, emulator) -> None:
    server = Server(emulator, MODEL, "--timeout", "0.3")
    try:
        faulty.configure(drip_seconds=1.0)
        response = server.predict(BODY)
    finally:
        server.stop()
    assert response.status_code == 504
    assert "did not answer within 0.3 s" in response.json()["error"]


def test_latency_is_only_latency(faulty, servers) -> None:
    faulty.configure(latency=0.3)
    started = time.monotonic()
    response = servers[MODEL].predict(BODY)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3
