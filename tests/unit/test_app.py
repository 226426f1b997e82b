"""`hubdemo serve`'s app in process (create_app through httpx.ASGITransport, lifespan run),
answered by the function backend: the HTTP API of docs/design.md §3, its errors, its guards and
Gradio's REST route, in milliseconds. tests/e2e proves the same on real ports."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator

import httpx
import jsonschema
import pytest
from PIL import Image

from support.checks import sse_events, validate_output
from support.inprocess import InProcess, function_app

SENTIMENT = ("support.functions:feel", "text-classification")


@pytest.fixture(scope="module")
def app() -> Iterator[InProcess]:
    with function_app(*SENTIMENT) as served:
        yield served


def test_the_data_form_and_the_tasks_own_body_answer_alike(app: InProcess) -> None:
    by_data = app.post("/api/predict", json={"data": ["I love it"]})
    by_body = app.post("/api/predict", json={"inputs": "I love it"})
    assert by_data.status_code == by_body.status_code == 200, by_data.text
    answer = by_data.json()
    assert answer["output"] == by_body.json()["output"]
    assert answer["output"] == [
        {"label": "POSITIVE", "score": 0.9},
        {"label": "NEGATIVE", "score": 0.1},
    ]  # support.functions.feel, highest first
    validate_output("text-classification", answer["output"])
    assert len(answer["data"]) == 1 and answer["duration"] >= 0


def test_info_healthz_and_the_page(app: InProcess) -> None:
    info = app.get("/api/info").json()
    assert info["task"] == "text-classification"
    assert info["upstream"] == {"kind": "function", "url": "python:support.functions:feel"}
    assert [i["kind"] for i in info["inputs"]] == ["textarea"]
    health = app.get("/healthz").json()
    assert health["status"] == "ok" and health["running"] == 0
    page = app.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "support.functions:feel" in page.text
    assert "content-security-policy" in page.headers


def test_the_openapi_document_describes_the_request_and_the_answer(app: InProcess) -> None:
    document = app.get("/openapi.json").json()
    operation = document["paths"]["/api/predict"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    body = {"data": ["I like it"]}
    jsonschema.Draft202012Validator(request).validate(body)
    jsonschema.Draft202012Validator(answer).validate(app.post("/api/predict", json=body).json())


@pytest.mark.parametrize(
    ("send", "status", "kind", "words"),
    [
        ({"content": b"{oops", "headers": {"Content-Type": "application/json"}}, 400,
         "InputError", "JSON"),
        ({"json": {"data": []}}, 400, None, ""),
        ({"json": {"data": ["x"], "parameters": {"nope": 1}}}, 422, "InvalidParameter", "nope"),
        ({"content": b"text", "headers": {"Content-Type": "text/plain"}}, 415,
         "UnsupportedMedia", "application/json"),
        ({"json": {"data": ["x"]}, "headers": {"Origin": "https://evil.example"}}, 403,
         "CrossSiteRequest", "--cors"),
    ],
)  # fmt: skip
def test_bad_requests_are_the_documented_errors(app, send, status, kind, words) -> None:
    answer = app.post("/api/predict", **send)
    assert answer.status_code == status, answer.text
    error = answer.json()
    assert set(error) >= {"error", "type"} and error["error"]
    assert kind is None or error["type"] == kind
    assert words in error["error"]


def test_an_unknown_route_is_a_json_404_and_a_wrong_method_a_405(app: InProcess) -> None:
    missing = app.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json()["type"]
    wrong = app.get("/api/predict")
    assert wrong.status_code == 405


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("support.functions:broken", "raised RuntimeError: the GPU caught fire"),
        ("support.functions:wrong", "returned 42, which is not a text-classification result"),
    ],
)
def test_a_failing_function_is_a_502_that_says_what_happened(target, message) -> None:
    with function_app(target, "text-classification") as served:
        answer = served.post("/api/predict", json={"inputs": "x"})
    assert answer.status_code == 502
    assert message in answer.json()["error"]


@pytest.mark.parametrize(
    ("target", "task", "body", "expected"),
    [
        ("support.functions:shout", "text-generation",
         {"inputs": "hi", "parameters": {"max_new_tokens": 3}}, {"generated_text": "HI!!!"}),
        ("support.functions:answer", "question-answering",
         {"data": ["Where?", "She lives in London."]},
         [{"answer": "London", "score": 0.9, "start": 13, "end": 19}]),
        ("support.functions:pick", "zero-shot-classification", {"data": ["a red car", "car, boat"]},
         [{"label": "car", "score": 1.0}, {"label": "boat", "score": 0.0}]),
        ("support.functions:similar", "sentence-similarity",
         {"data": ["a red car", "a red boat\nnothing"]}, [2 / 3, 0.0]),
    ],
)  # fmt: skip
def test_functions_of_other_tasks(target, task, body, expected) -> None:
    with function_app(target, task) as served:
        answer = served.post("/api/predict", json=body)
    assert answer.status_code == 200, answer.text
    validate_output(task, answer.json()["output"])
    assert answer.json()["output"] == expected


def test_a_one_file_task_takes_the_file_itself_as_the_body() -> None:
    picture = io.BytesIO()
    Image.new("RGB", (40, 10), (200, 10, 10)).save(picture, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode()
    with function_app("support.functions:size", "image-classification") as served:
        raw = served.post(
            "/api/predict", content=picture.getvalue(), headers={"Content-Type": "image/png"}
        )
        as_url = served.post("/api/predict", json={"data": [url]})
        not_a_picture = served.post("/api/predict", json={"data": ["data:image/png;base64,AAAA"]})
    assert raw.status_code == as_url.status_code == 200, raw.text
    assert raw.json()["output"][0] == {"label": "wide", "score": 1.0}
    assert raw.json()["output"] == as_url.json()["output"]
    assert not_a_picture.status_code == 415 and "send an image" in not_a_picture.json()["error"]


def test_gradios_rest_route_answers_as_gradio_does(app: InProcess) -> None:
    """POST /gradio_api/call/predict gives an event id; GET on it streams the result."""
    called = app.post("/gradio_api/call/predict", json={"data": ["I love it"]})
    assert called.status_code == 200, called.text
    event_id = called.json()["event_id"]
    streamed = app.get(f"/gradio_api/call/predict/{event_id}")
    lines = [line for line in streamed.text.splitlines() if line]
    assert lines[0] == "event: complete", streamed.text
    (label,) = json.loads(lines[1].removeprefix("data: "))
    assert label["label"] == "POSITIVE"
    assert {c["label"] for c in label["confidences"]} == {"POSITIVE", "NEGATIVE"}
    info = app.get("/gradio_api/info").json()
    assert list(info["named_endpoints"]) == ["/predict"]


def test_a_streamed_answer_is_refused_for_a_task_that_does_not_stream(app: InProcess) -> None:
    answer = app.post("/api/predict?stream=true", json={"data": ["I love it"]})
    assert answer.status_code == 400, answer.text
    assert "stream" in answer.json()["error"]
    assert sse_events("") == []


def test_an_internal_error_is_one_json_500_with_the_security_headers() -> None:
    """A bug of hubdemo's own (here: a backend that raises something unexpected)."""
    import asyncio

    from hubdemo.resolve import ModelSpec
    from hubdemo.upstream import Upstream
    from hubdemo.web.app import create_app

    class BrokenUpstream(Upstream):
        kind = "endpoint"

        def url_for(self, route: str) -> str:
            return "http://127.0.0.1:9/"

        async def send(self, request):
            raise RuntimeError("a bug")

        async def aclose(self) -> None:
            pass

    app = create_app(ModelSpec("a/b", "text-classification"), BrokenUpstream())

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            return await client.post("/api/predict", json={"data": ["hi"]})

    answer = asyncio.run(call())
    assert answer.status_code == 500
    assert answer.json()["type"] == "InternalError"
    assert "a bug" not in answer.text
    assert len(answer.headers.get_list("content-security-policy")) == 1


def test_the_request_log_is_one_json_line_per_request(capsys) -> None:
    with function_app(*SENTIMENT, log_format="json") as served:
        assert served.post("/api/predict", json={"inputs": "I love it"}).status_code == 200
        assert served.post("/api/predict", json={"inputs": ""}).status_code == 400
        served.get("/healthz")
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(e["path"], e["status"]) for e in entries] == [
        ("/api/predict", 200),
        ("/api/predict", 400),
    ]
    assert entries[0]["model_ms"] <= entries[0]["ms"] and "error" not in entries[0]
    assert entries[1]["error"].startswith("InputError: ")


def test_the_parameters_panel_orders_groups_and_leaves_out_unused() -> None:
    from hubdemo.web.panel import help_html, panel

    info = {
        "task": "chat-completion",
        "parameters": [
            {"name": "logit_bias", "description": "UNUSED\\nnot read by the model"},
            {"name": "max_tokens", "description": ""},
            {"name": "a.x", "description": ""},
            {"name": "seed", "description": ""},
            {"name": "a.y", "description": ""},
            {"name": "temperature", "description": ""},
        ],
    }
    groups = [(g.heading, [c["name"] for c in g.controls]) for g in panel(info)]
    assert groups == [
        (None, ["temperature", "max_tokens", "seed"]),
        ("a", ["a.x", "a.y"]),
    ]
    space = panel({**info, "space": {"api_name": "/chat"}})
    assert [c["name"] for c in space[0].controls] == ["max_tokens"]  # a Space keeps its order
    shown = str(help_html("See [the docs](https://example.org) <b onclick=x>hi</b>"))
    assert '<a href="https://example.org"' in shown and "<b" not in shown
