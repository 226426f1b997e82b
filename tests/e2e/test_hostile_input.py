"""Inputs and upstream answers that are valid on the wire yet hostile: deep nesting, infinite
waits, lone surrogates, huge texts. Each is a clear 4xx/5xx, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from support.servers import Server

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"
TEXT = "I like you. I love you."


@pytest.fixture(scope="module")
def impatient(emulator) -> Iterator[Server]:
    """A server that waits nothing out: the upstream's waits come straight back."""
    server = Server(emulator, MODEL, "--retry-budget", "0")
    yield server
    server.stop()


def post_raw(server, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/predict",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )


@pytest.mark.parametrize("depth", [100, 10_000])
def test_a_request_nested_deep_is_a_400(servers, depth) -> None:
    body = b'{"data": [' + b"[" * depth + b"]" * depth + b"]}"
    answer = post_raw(servers[MODEL], body)
    assert answer.status_code == 400, answer.text
    assert "nested more than 64 levels" in answer.json()["error"]


def test_an_upstream_answer_nested_deep_is_a_502(servers, emulator) -> None:
    emulator.fail_next(200, b"[" * 10_000 + b"]" * 10_000)
    answer = servers[MODEL].predict({"data": [TEXT]})
    assert answer.status_code == 502, answer.text
    assert answer.json()["type"] == "UpstreamBadResponse"
    assert "nested" in answer.json()["error"]


@pytest.mark.parametrize("value", ["inf", "Infinity", "1e999", "99999999999999999999999"])
def test_an_endless_retry_after_is_clamped_to_an_hour(servers, emulator, value) -> None:
    emulator.fail_next(429, {"error": "slow down"}, {"Retry-After": value})
    answer = servers[MODEL].predict({"data": [TEXT]})
    assert answer.status_code == 429, answer.text  # an hour does not fit the retry budget
    assert answer.headers["Retry-After"] == "3600"
    assert "wait 3600 s" in answer.json()["error"]


@pytest.mark.parametrize("value", ["nan", "-5", "0"])
def test_a_retry_after_below_a_second_waits_one(servers, emulator, value) -> None:
    emulator.fail_next(429, {"error": "slow down"}, {"Retry-After": value})
    answer = servers[MODEL].predict({"data": [TEXT]})
    assert answer.status_code == 200, answer.text  # waited about 1 s, then answered
    assert answer.json()["duration"] >= 1.0


@pytest.mark.parametrize(
    ("estimated", "said"), [(b"1e999", "about 3600 s"), (b"0.2", "about 1 s"), (b"-3", "about 1 s")]
)
def test_an_absurd_estimated_time_is_clamped(impatient, emulator, estimated, said) -> None:
    emulator.fail_next(503, b'{"error": "loading", "estimated_time": ' + estimated + b"}")
    answer = impatient.predict({"data": [TEXT]})
    assert answer.status_code == 503, answer.text
    assert said in answer.json()["error"]
    assert 1 <= int(answer.headers["Retry-After"]) <= 3600


def test_text_with_a_lone_surrogate_is_a_400_naming_the_field(servers, emulator) -> None:
    before = emulator.inference_count
    answer = post_raw(servers[MODEL], b'{"data": ["I like \\ud800 you"]}')
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith("data[0]: the text is not valid Unicode")
    assert "NaN" not in answer.text
    assert emulator.inference_count == before
    pair = post_raw(servers[MODEL], b'{"inputs": "ok \\ud83d\\ude00"}')  # a valid pair: emoji
    assert pair.status_code != 400, pair.text


def test_nan_from_the_model_is_still_said_to_be_nan(servers, emulator) -> None:
    emulator.fail_next(200, b'[[{"label": "POSITIVE", "score": NaN}]]')
    answer = servers[MODEL].predict({"data": [TEXT]})
    assert answer.status_code == 502
    assert "Unicode" not in answer.json()["error"]


def test_text_beyond_the_tasks_limit_is_a_413_naming_it(servers, emulator) -> None:
    info = httpx.get(f"{servers[MODEL].url}/api/info").json()
    before = emulator.inference_count
    answer = servers[MODEL].predict({"data": ["word " * 40_000]})
    assert answer.status_code == 413, answer.text
    assert "200,000 characters" in answer.json()["error"]
    assert "at most 100,000" in answer.json()["error"]
    assert emulator.inference_count == before  # nothing was forwarded
    assert info["max_text_chars"] == 100_000  # /api/info says the limit
