"""The other faces of an app, in process: Gradio's queue protocol and uploads on `serve`'s app,
`--auth`, and `hubdemo endpoint`'s hf-inference routes, whose answers hubdemo's own router
handlers must read back (the contract between the two ends of the wire)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from hubdemo.tasks import TASKS
from hubdemo.wire import WireResponse
from support.checks import validate_output
from support.inprocess import NO_HUB, InProcess, function_app
from support.local import config_labels


@pytest.fixture(scope="module")
def feel() -> Iterator[InProcess]:
    with function_app("support.functions:feel", "text-classification") as app:
        yield app


def events(text: str) -> list[dict]:
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def test_gradios_queue_runs_a_job_and_streams_its_events(feel: InProcess) -> None:
    joined = feel.post(
        "/gradio_api/queue/join",
        json={"data": ["I love it"], "fn_index": 0, "session_hash": "s1", "event_data": None},
    )
    assert joined.status_code == 200, joined.text
    event_id = joined.json()["event_id"]
    streamed = events(feel.get("/gradio_api/queue/data", params={"session_hash": "s1"}).text)
    kinds = [e["msg"] for e in streamed]
    assert kinds[0] == "estimation" or kinds[0] == "process_starts"
    assert kinds[-1] == "close_stream" and "process_completed" in kinds
    done = next(e for e in streamed if e["msg"] == "process_completed")
    assert done["event_id"] == event_id and done["success"] is True
    (label,) = done["output"]["data"]
    assert label["label"] == "POSITIVE"  # support.functions.feel: "love" is happy


def test_a_job_for_an_unknown_endpoint_is_refused_in_words(feel: InProcess) -> None:
    joined = feel.post(
        "/gradio_api/queue/join", json={"data": ["x"], "fn_index": 7, "session_hash": "s2"}
    )
    assert 400 <= joined.status_code < 500, joined.text


def test_an_upload_comes_back_by_its_path_as_it_was_sent(feel: InProcess) -> None:
    sent = b"a small text file\n"
    uploaded = feel.post("/gradio_api/upload", files={"files": ("notes.txt", sent, "text/plain")})
    assert uploaded.status_code == 200, uploaded.text
    (path,) = uploaded.json()
    got = feel.get(f"/gradio_api/file={path}")
    assert got.status_code == 200 and got.content == sent
    assert got.headers["x-content-type-options"] == "nosniff"
    assert feel.get("/gradio_api/file=/etc/passwd").status_code in (403, 404)


def test_auth_guards_the_api_and_the_page_but_not_healthz() -> None:
    with function_app("support.functions:feel", "text-classification", auth="ada:lovelace") as app:
        closed = app.post("/api/predict", json={"data": ["x"]})
        page = app.get("/")
        health = app.get("/healthz")
        wrong = app.post("/api/predict", json={"data": ["x"]}, auth=("ada", "babbage"))
        right = app.post("/api/predict", json={"data": ["I love it"]}, auth=("ada", "lovelace"))
    assert closed.status_code == 401 and page.status_code == 401
    assert "www-authenticate" in closed.headers
    assert health.status_code == 200
    assert wrong.status_code == 401
    assert right.status_code == 200, right.text


# -- hubdemo endpoint ------------------------------------------------------------------------


def endpoint(folder: Path) -> InProcess:
    from hubdemo.endpoint.app import create_endpoint_app
    from hubdemo.hub import HubClient
    from hubdemo.predictor import make_upstream
    from hubdemo.resolve import resolve

    spec = resolve(str(folder), HubClient(endpoint=NO_HUB))
    return InProcess(create_endpoint_app(spec, make_upstream(spec, local=True)))


def read_back(task: str, answer) -> object:
    """What hubdemo's router side makes of an endpoint's answer."""
    wire = WireResponse(answer.status_code, answer.headers["content-type"], answer.content)
    return TASKS[task].deserialize(wire)


def test_the_endpoint_answers_the_routers_wire_form(tiny_models) -> None:
    folder = tiny_models["text-classification"]
    with endpoint(folder) as app:
        info = app.get("/info").json()
        served = info["model_id"]
        by_root = app.post("/", json={"inputs": "i love this movie"})
        by_model = app.post(f"/models/{served}", json={"inputs": "i love this movie"})
        prefixed = app.post(f"/hf-inference/models/{served}", json={"inputs": "i love this movie"})
        another = app.post("/models/some/other", json={"inputs": "i love this movie"})
        health = app.get("/health")
    assert by_root.status_code == 200, by_root.text
    assert by_root.json() == by_model.json() == prefixed.json()
    output = read_back("text-classification", by_root)
    validate_output("text-classification", output)
    assert {o["label"] for o in output} == config_labels(folder)
    assert another.status_code == 404 and "not served here" in another.json()["error"]
    assert health.status_code == 200 and info


def test_the_endpoint_takes_a_picture_as_raw_bytes(tiny_models) -> None:
    folder = tiny_models["image-classification"]
    picture = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 10)).save(picture, format="PNG")
    with endpoint(folder) as app:
        raw = app.post("/", content=picture.getvalue(), headers={"Content-Type": "image/png"})
        as_json = app.post("/", json={"inputs": base64.b64encode(picture.getvalue()).decode()})
    assert raw.status_code == 200, raw.text
    assert raw.json() == as_json.json()
    output = read_back("image-classification", raw)
    assert {o["label"] for o in output} <= config_labels(folder)


def test_the_endpoint_generates_and_chats(tiny_models) -> None:
    with endpoint(tiny_models["chat-completion"]) as app:
        chat = app.post(
            "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "hello"}], "max_tokens": 4, "seed": 0},
        )
        generated = app.post(
            "/generate", json={"inputs": "hello", "parameters": {"max_new_tokens": 3}}
        )
        wrong = app.post("/v1/chat/completions", json={"messages": "not a list"})
    assert chat.status_code == 200, chat.text
    validate_output("chat-completion", read_back("chat-completion", chat))
    assert chat.json()["choices"][0]["message"]["role"] == "assistant"
    assert generated.status_code == 200, generated.text
    assert isinstance(generated.json()["generated_text"], str)
    assert 400 <= wrong.status_code < 500 and wrong.json()["error"]


def test_the_endpoint_refuses_what_it_cannot_read(tiny_models) -> None:
    with endpoint(tiny_models["text-classification"]) as app:
        bad = app.post("/", content=b"{nope", headers={"Content-Type": "application/json"})
        nothing = app.get("/no/such/route")
    assert bad.status_code == 400 and bad.json()["error"]
    assert nothing.status_code == 404
