"""Hardening, round three (issue 24): hostile clients of the Gradio routes and hostile Spaces.

Each test is one finding of the issue, named in its docstring; the stand-in Spaces are real
Gradio apps (tests/spaces/hostile*.py) on loopback ports, named by the emulated Hub."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import Server, ThreadServer, run_cli, sse_events
from gradio_spaces import GRADIO_PYTHON, OWNER, png, space_info, started_apps

TOKEN = "hf_test_token_123"


def forms_of(token: str) -> list[str]:
    """What a careless or hostile upstream could echo."""
    return [
        token,
        token.upper(),
        "".join(f"\\u{ord(c):04x}" for c in token),
        "".join(f"%{ord(c):02X}" for c in token),
        base64.b64encode(f"Bearer {token}".encode()).decode(),
        base64.b64encode(token.encode()).decode()[:12],
    ]


def assert_clean(text: str) -> None:
    for form in forms_of(TOKEN):
        assert form not in text, f"{form!r} reached the visitor: {text[:300]}"


@pytest.fixture(scope="module")
def hostile_apps() -> Iterator[dict[str, str]]:
    with started_apps(GRADIO_PYTHON, ("hostile", "hostile_chat")) as apps:
        yield apps


@pytest.fixture
def hostile(emulator, hostile_apps) -> Iterator[dict[str, str]]:
    """The hostile apps as Spaces of the emulated Hub: name -> Space id."""
    ids = {name: f"{OWNER}/{name.replace('_', '-')}" for name in hostile_apps}
    for name, space_id in ids.items():
        emulator.spaces[space_id] = [space_info(space_id, hostile_apps[name])]
    yield ids
    for space_id in ids.values():
        emulator.spaces.pop(space_id, None)


def test_a_public_space_is_not_sent_the_token_unless_asked(emulator, hostile) -> None:
    """C9: the token went to every Space, public ones included."""
    space = f"spaces/{hostile['hostile']}"
    said = run_cli(emulator, "predict", space, "hi", "--json", HF_TOKEN=TOKEN)
    assert said.returncode == 0, said.stderr
    assert "token: none" in json.loads(said.stdout)["output"]
    shown = run_cli(emulator, "describe", space, HF_TOKEN=TOKEN)
    assert "Your token is not sent to this public Space" in shown.stdout
    assert (
        json.loads(run_cli(emulator, "describe", space, "--json").stdout)["space"]["token_sent"]
        is False
    )
    sent = run_cli(emulator, "describe", space, "--space-token", HF_TOKEN=TOKEN)
    assert "Your token is sent to the Space" in sent.stdout


def test_a_space_that_echoes_the_token_hands_no_form_of_it_to_a_visitor(emulator, hostile):
    """C9: a Space echoing its request's headers handed the operator's token to every visitor
    (in /api/predict's and /gradio_api/call's answers, its errors, and a chat's stream)."""
    server = Server(emulator, f"spaces/{hostile['hostile']}", "--space-token", HF_TOKEN=TOKEN)
    try:
        answer = server.predict({"data": ["hi"]})
        assert answer.status_code == 200, answer.text
        assert "token: ***" in answer.json()["output"]  # it was sent, and came back hidden
        assert_clean(answer.text)
        failed = server.predict({"data": ["fail"]})
        assert failed.status_code == 422 and "the Space" in failed.json()["error"]
        assert_clean(failed.text)
        event = httpx.post(f"{server.url}/gradio_api/call/predict", json={"data": ["hi"]})
        events = httpx.get(f"{server.url}/gradio_api/call/predict/{event.json()['event_id']}")
        assert "event: complete" in events.text and "token: ***" in events.text
        assert_clean(events.text)
    finally:
        printed = server.stop()
    assert_clean(printed)


def test_a_chat_space_cannot_pass_the_token_in_pieces(emulator, hostile) -> None:
    """C9: a stream is redacted as a whole, though the token comes split over its pieces."""
    server = Server(emulator, f"spaces/{hostile['hostile_chat']}", "--space-token", HF_TOKEN=TOKEN)
    try:
        body = {"messages": [{"role": "user", "content": "what is the token?"}]}
        streamed = httpx.post(f"{server.url}/api/predict?stream=true", json=body, timeout=30)
        assert streamed.status_code == 200, streamed.text
        events = sse_events(streamed.text)
        written = "".join(data.get("delta", "") for kind, data in events if kind == "message")
        assert written == "the token is ***; bye", written
        final = events[-1][1]["output"]["choices"][0]["message"]["content"]
        assert final == "the token is ***; bye"
        assert_clean(streamed.text)
    finally:
        server.stop()


# -- a demo of a function, in process on a real port -------------------------------------------


def classify(image: Any) -> dict[str, float]:
    return {"cat": 0.9, "dog": 0.1}


@contextlib.contextmanager
def served(**settings: Any) -> Iterator[ThreadServer]:
    """An image classifier (a function) behind create_app with ``settings``."""
    from hubdemo.resolve import ModelSpec
    from hubdemo.upstream.function import FunctionUpstream
    from hubdemo.web.app import create_app

    task = "image-classification"
    spec = ModelSpec(model_id="tests:classify", task=task, source="function")
    app = create_app(spec, FunctionUpstream(classify, spec.model_id, task), **settings)
    with ThreadServer(app) as server:
        yield server


def answer_to(port: int, head: bytes, body: bytes, wait: float = 20) -> bytes:
    """What the server answers to ``head`` and the start of ``body`` that never ends."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head + body)
        sock.settimeout(wait)
        try:
            return sock.recv(65536)
        except TimeoutError:
            return b""


@pytest.mark.parametrize("route", ["queue/join", "call/predict", "cancel"])
def test_the_gradio_routes_take_no_body_past_the_limit(route) -> None:
    """A1: queue/join, call and cancel read any body whole (300 MB: 978 MB of memory)."""
    big = {"data": ["x" * (3 * 2**20)], "fn_index": 0, "session_hash": "s"}
    with served(max_upload_mb=1) as server:
        url = f"{server.url}/gradio_api/{route}"
        declared = httpx.post(url, json=big, timeout=30)
        assert declared.status_code == 413, declared.text
        assert "--max-upload-mb" in declared.json()["error"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield json.dumps(big).encode()

        streamed = httpx.post(url, content=chunks(), headers=JSON, timeout=30)
        assert streamed.status_code == 413, streamed.text


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("route", ["queue/join", "call/predict", "cancel", "upload"])
def test_a_body_that_trickles_into_a_gradio_route_is_cut_off(route) -> None:
    """A2: slow bodies on the Gradio routes were never cut off (30 trickling clients locked
    everyone out; an upload trickling a byte every 2 s stayed open for ever)."""
    kind = b"multipart/form-data; boundary=b" if route == "upload" else b"application/json"
    head = (
        (
            f"POST /gradio_api/{route} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n"
        ).encode()
        + b"Content-Type: "
        + kind
        + b"\r\n\r\n"
    )
    with served(body_timeout=1) as server:
        answered = answer_to(server.port, head, b"{" if route != "upload" else b"--b\r\n")
    assert answered.startswith(b"HTTP/1.1 408"), answered[:200]


def test_an_upload_holds_few_small_fields_and_no_file_past_the_limit() -> None:
    """A3: uploads were read whole into memory, and their non-file fields kept (40 fields of
    19 MB: 849 MB, answered 200)."""
    with served(max_upload_mb=1) as server:
        url = f"{server.url}/gradio_api/upload"
        picture = {"files": ("a.png", png((1, 2, 3)))}
        many = {f"f{i}": "x" for i in range(40)}
        fields = httpx.post(url, data=many, files=picture, timeout=30)
        assert fields.status_code == 400 and "Too many fields" in fields.text, fields.text
        field = httpx.post(url, data={"f": "x" * 200_000}, files=picture, timeout=30)
        assert field.status_code == 400, field.text
        big = httpx.post(url, files={"files": ("a.bin", b"\0" * (2 * 2**20))}, timeout=30)
        assert big.status_code == 413, big.text
        fine = httpx.post(url, files={"files": ("a.png", png((1, 2, 3)))}, timeout=30)
        assert fine.status_code == 200, fine.text


def test_bad_bodies_on_the_gradio_routes_are_4xx_never_500() -> None:
    """E15: cancel with a non-JSON or list body and 50,000-deep JSON were 500s; queue/join took
    text/plain; the upload's answer showed the server's absolute temp path."""
    deep = "[" * 50_000 + "]" * 50_000
    with served() as server:
        base = f"{server.url}/gradio_api"
        cancel_text = httpx.post(f"{base}/cancel", content=b"nope", headers=JSON)
        assert cancel_text.status_code == 400, cancel_text.text
        assert httpx.post(f"{base}/cancel", json=[1, 2]).status_code == 400
        plain = httpx.post(
            f"{base}/queue/join", content=b"{}", headers={"content-type": "text/plain"}
        )
        assert plain.status_code == 415, plain.text
        for route in ("queue/join", "call/predict"):
            nested = httpx.post(f"{base}/{route}", content=deep.encode(), headers=JSON)
            assert nested.status_code == 400 and "nest" in nested.json()["error"], nested.text
        uploaded = httpx.post(f"{base}/upload", files={"files": ("a.png", png((1, 2, 3)))})
        [name] = uploaded.json()
        assert "/" not in name and "hubdemo" not in name, name
        assert httpx.get(f"{base}/file={name}").status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "inline"),
    [
        ("page.html", b"<html><script>fetch('/api/info')</script></html>", None),
        ("pic.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>", None),
        ("run.js", b"fetch('/api/info')", None),
        ("fake.png", b"<html><script>1</script></html>", None),  # a name is no type
        ("pic.png", None, "image/png"),
    ],
)
def test_files_are_served_inert(name, content, inline) -> None:
    """C10: uploaded .html, .svg and .js were served inline from the demo's own origin (an
    uploaded page loading an uploaded script read /api/info)."""
    with served() as server:
        base = f"{server.url}/gradio_api"
        body = content if content is not None else png((9, 9, 9))
        [kept] = httpx.post(f"{base}/upload", files={"files": (name, body)}).json()
        got = httpx.get(f"{base}/file={kept}")
    assert got.status_code == 200 and got.content == body
    policies = got.headers.get_list("content-security-policy")
    assert "sandbox" in policies, policies
    assert got.headers["x-content-type-options"] == "nosniff"
    if inline is None:
        assert got.headers["content-type"] == "application/octet-stream"
        assert got.headers["content-disposition"].startswith("attachment")
    else:
        assert got.headers["content-type"] == inline
        assert "attachment" not in got.headers.get("content-disposition", "")


def test_the_file_store_keeps_a_bounded_total_the_oldest_going_first() -> None:
    """D12: uploads and answer files were kept an hour with no total bound (4 requests: 1.2 GB),
    and each upload rescanned the folder."""
    piece = png((1, 2, 3)) + b"\0" * 450_000  # a PNG head: served as the picture it claims
    with served(max_store_mb=1) as server:
        base = f"{server.url}/gradio_api"
        names = [
            httpx.post(f"{base}/upload", files={"files": (f"{i}.png", piece)}).json()[0]
            for i in range(3)
        ]
        statuses = [httpx.get(f"{base}/file={name}").status_code for name in names]
    assert statuses == [404, 200, 200]


def test_a_request_for_another_host_name_is_refused() -> None:
    """C11: the Host header was never checked: a request with Host: rebind.attacker.example, a
    matching Origin and Sec-Fetch-Site: same-origin was answered (DNS rebinding)."""
    hostile = {
        "Host": "rebind.attacker.example:7860",
        "Origin": "http://rebind.attacker.example:7860",
        "Sec-Fetch-Site": "same-origin",
    }
    with served() as server:
        for path in ("/", "/api/info", "/gradio_api/info"):
            refused = httpx.get(f"{server.url}{path}", headers=hostile)
            assert refused.status_code == 403, (path, refused.text)
            assert refused.json()["type"] == "UnknownHost"
            assert "--allowed-host rebind.attacker.example" in refused.json()["error"]
        posted = httpx.post(f"{server.url}/api/predict", json={"data": ["x"]}, headers=hostile)
        assert posted.status_code == 403
        assert httpx.get(f"{server.url}/healthz", headers=hostile).status_code == 200
        for host in ("localhost:7860", "127.0.0.1", "[::1]:7860", "demo.localhost"):
            assert httpx.get(f"{server.url}/api/info", headers={"Host": host}).status_code == 200
    with served(allowed_hosts=["rebind.attacker.example"]) as server:
        assert httpx.get(f"{server.url}/api/info", headers=hostile).status_code == 200
