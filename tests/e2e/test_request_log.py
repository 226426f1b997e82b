"""`hubdemo serve` tells the operator what happens: a line per request (text or JSON) with the
model's time and, for an error, what went wrong; a warning when a gated model has no token."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from support.servers import Server

MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
BODY = {"inputs": "I like you. I love you."}  # recorded
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (GET|POST) (\S+) (\d{3}) (\d+) ms(.*)$")


def test_each_request_is_one_line_with_its_status_and_times(emulator: Any) -> None:
    server = Server(emulator, MODEL)
    try:
        assert server.predict(BODY).status_code == 200
        assert server.predict({"inputs": ""}).status_code == 400
        assert httpx.get(f"{server.url}/api/info").status_code == 200
        for _ in range(3):
            httpx.get(f"{server.url}/healthz")  # the page polls it: not logged
    finally:
        printed = server.stop()
    lines = [m.groups() for m in map(LINE.match, printed.splitlines()) if m]
    assert [(method, path, status) for method, path, status, *_ in lines] == [
        ("POST", "/api/predict", "200"),
        ("POST", "/api/predict", "400"),
        ("GET", "/api/info", "200"),
    ]
    assert re.fullmatch(r" \(model \d+ ms\)", lines[0][4])
    assert lines[1][4].startswith(" · InputError: ")  # what went wrong, for the operator


def test_json_lines_for_a_log_collector(emulator: Any) -> None:
    server = Server(emulator, MODEL, "--log-format", "json")
    try:
        assert server.predict(BODY).status_code == 200
    finally:
        printed = server.stop()
    (entry,) = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    assert entry["method"] == "POST" and entry["path"] == "/api/predict"
    assert entry["status"] == 200 and 0 < entry["model_ms"] <= entry["ms"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["time"])


def test_off_logs_nothing_and_a_gated_model_without_a_token_is_warned_about(emulator) -> None:
    server = Server(emulator, "meta-llama/Llama-3.1-8B-Instruct", "--log-format", "off")
    try:
        refused = server.predict({"inputs": "Hello"})
        assert refused.status_code >= 400  # refused, one way or another: and not logged
    finally:
        printed = server.stop()
    assert not [line for line in printed.splitlines() if LINE.match(line)]
    assert "is gated and no token is set" in printed
    assert "/meta-llama/Llama-3.1-8B-Instruct" in printed and "--token" in printed
