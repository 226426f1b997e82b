"""Gradio's client protocol on `hubdemo serve`, used by the real gradio_client: every task but
chat answers `Client(url).predict(..., api_name="/predict")` with the recorded answer in the
Gradio component's value shape; files go up through /gradio_api/upload and come back as files;
errors arrive as the client's AppError carrying hubdemo's message."""

from __future__ import annotations

import os
from concurrent.futures import wait
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.cases import CASES
from support.servers import Server

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # gradio_client reads it at every start
SUFFIXES = {"IMAGE": ".png", "AUDIO": ".flac", "VIDEO": ".mp4"}
FILES = {"image", "audio", "video"}


def client_for(url: str, folder: Path) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=str(folder))


def arguments(case: Any, media: dict[str, bytes], folder: Path) -> list[Any]:
    from gradio_client import handle_file

    values = []
    for value in case.data:
        if isinstance(value, str) and value in SUFFIXES:
            path = folder / f"input{SUFFIXES[value]}"
            path.write_bytes(media[value.lower()])
            value = handle_file(str(path))
        values.append(value)
    return values


def gradio_value(kind: str, expected: Any) -> Any:
    """What the recorded answer (normalized as /api/predict gives it) is as a Gradio value."""
    if kind == "labels":  # fill-mask's bars are its tokens
        rows = [
            {"label": r.get("label", str(r.get("token_str", "")).strip()), "score": r["score"]}
            for r in expected
        ]
        rows = sorted(rows, key=lambda r: -r["score"])
        return {
            "label": rows[0]["label"],
            "confidences": [{"label": r["label"], "confidence": r["score"]} for r in rows],
        }
    if kind == "text":
        return next(
            v
            for v in (expected[0] if isinstance(expected, list) else expected).values()
            if isinstance(v, str)
        )
    return expected


@pytest.mark.parametrize("task", sorted(t for t in CASES if t != "chat-completion"))
def test_gradio_client_gets_the_recorded_answer(task, servers, emulator, media, tmp_path):
    case = CASES[task]
    server = servers[case.model]
    client = client_for(server.url, tmp_path / "downloads")
    try:
        named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        info = httpx.get(f"{server.url}/api/info").json()
        assert [
            p["parameter_name"] for p in named["/predict"]["parameters"][: len(info["inputs"])]
        ] == [c["name"] for c in info["inputs"]]
        value = client.predict(
            *arguments(case, media, tmp_path), **(case.parameters or {}), api_name="/predict"
        )
    finally:
        client.close()
    recorded = emulator.replayed()
    kind = info["outputs"][0]["kind"]
    if getattr(case.expect, "binary", False):  # a file: downloaded, its bytes as recorded
        sent = recorded.body if isinstance(recorded.body, bytes) else recorded.body.encode()
        assert Path(value).read_bytes() == sent
    elif kind in FILES:  # a file the page draws from the answer (a depth map's colours)
        import base64
        import io

        from PIL import Image

        expected = case.expect(recorded.json())
        url = next(v for v in expected.values() if isinstance(v, str) and v.startswith("data:"))
        with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as picture:
            wanted = picture.size
        with Image.open(value) as drawn:
            assert drawn.size == wanted
    elif kind == "entities":
        text = case.data[0]
        assert "".join(piece["token"] for piece in value) == text
        marked = [(p["token"], p["class_or_confidence"]) for p in value if p["class_or_confidence"]]
        wanted = [(text[e["start"] : e["end"]], e["entity_group"]) for e in recorded.json()]
        assert marked == wanted
    else:
        assert value == gradio_value(kind, case.expect(recorded.json()))


def test_keywords_concurrent_jobs_and_errors(servers, emulator, tmp_path) -> None:
    from gradio_client.exceptions import AppError

    server = servers["distilbert-base-uncased-finetuned-sst-2-english"]
    client = client_for(server.url, tmp_path)
    try:
        by_name = client.predict(text="I like you. I love you.", api_name="/predict")
        assert by_name["label"] == "POSITIVE"
        jobs = [client.submit("I like you. I love you.", api_name="/predict") for _ in range(5)]
        wait(jobs, timeout=60)
        assert [job.result()["label"] for job in jobs] == ["POSITIVE"] * 5
        with pytest.raises(AppError, match="the text is empty; type something"):
            client.predict("   ", api_name="/predict")
        with pytest.raises(AppError, match="top_k"):
            client.predict("I like you", top_k="many", api_name="/predict")
    finally:
        client.close()


def test_uploads_are_confined_to_what_this_server_wrote(servers, tmp_path) -> None:
    server = servers["google/vit-base-patch16-224"]
    url = f"{server.url}/gradio_api"
    secret = httpx.get(f"{url}/file=/etc/passwd")
    assert secret.status_code == 404
    stolen = httpx.post(
        f"{url}/queue/join",
        json={"data": [{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}],
              "fn_index": 0, "session_hash": "s1"},
    )  # fmt: skip
    assert stolen.status_code == 200  # the error comes in the stream, as Gradio's do
    events = httpx.get(f"{url}/queue/data", params={"session_hash": "s1"}, timeout=30).text
    assert "not a file uploaded to this server" in events and "root:" not in events


def test_the_gradio_routes_can_be_turned_off(emulator) -> None:
    server = Server(emulator, "distilbert-base-uncased-finetuned-sst-2-english", "--no-gradio-api")
    try:
        assert httpx.get(f"{server.url}/config").status_code == 404
        assert httpx.get(f"{server.url}/api/info").status_code == 200
    finally:
        server.stop()


def recorded_deltas(emulator: Any) -> list[str]:
    """The reply's pieces as the recorded stream gave them."""
    import json

    return [
        piece
        for line in emulator.replayed().body.decode().splitlines()
        if line.startswith("data:") and "[DONE]" not in line
        if (piece := json.loads(line[5:])["choices"][0]["delta"].get("content"))
    ]


def sent(emulator: Any) -> Any:
    import json

    return json.loads(emulator.log[-1].body)


def test_a_chat_model_streams_and_keeps_the_conversation(servers, emulator, tmp_path) -> None:
    from support.cases import CHAT_MODEL, CHAT_SETTINGS

    server = servers[CHAT_MODEL]
    client = client_for(server.url, tmp_path)
    other = client_for(server.url, tmp_path)
    try:
        named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        assert {"/predict", "/chat"} <= set(named)
        assert named["/chat"]["parameters"][0]["parameter_name"] == "message"
        job = client.submit(
            "Complete the equation 1+1= ,just the answer", **CHAT_SETTINGS, api_name="/chat"
        )
        streamed = list(job)  # the reply so far, one value per event
        reply = job.result()
        deltas = recorded_deltas(emulator)
        assert reply == "".join(deltas)
        assert len(deltas) > 1 and len(streamed) >= len(deltas) - 1
        assert all(reply.startswith(partial) for partial in streamed)
        asked = sent(emulator)
        assert asked["stream"] is True and asked["max_tokens"] == CHAT_SETTINGS["max_tokens"]
        assert [m["role"] for m in asked["messages"]] == ["user"]

        emulator.lenient = True  # no recording has a second turn: a recorded answer to any
        try:
            second = client.predict("And 2+2?", api_name="/predict")  # the same conversation
            assert second == "".join(recorded_deltas(emulator))
            assert sent(emulator)["messages"] == [
                {"role": "user", "content": "Complete the equation 1+1= ,just the answer"},
                {"role": "assistant", "content": reply},
                {"role": "user", "content": "And 2+2?"},
            ]
            other.predict("Hello", api_name="/chat")  # another client: another conversation
            assert sent(emulator)["messages"] == [{"role": "user", "content": "Hello"}]
        finally:
            emulator.lenient = False
    finally:
        client.close()
        other.close()


def test_a_chat_error_reaches_the_gradio_client(servers, emulator, tmp_path) -> None:
    from gradio_client.exceptions import AppError

    from support.cases import CHAT_MODEL, CHAT_SETTINGS

    server = servers[CHAT_MODEL]
    client = client_for(server.url, tmp_path)
    try:
        with pytest.raises(AppError, match="the message is empty"):
            client.predict("   ", api_name="/chat")
        emulator.configure(every={"stream_error": 1})  # the model fails midway
        try:
            with pytest.raises(AppError) as failed:
                client.predict(
                    "Complete the equation 1+1= ,just the answer", **CHAT_SETTINGS, api_name="/chat"
                )
        finally:
            emulator.configure()
        assert "ran out of memory" in str(failed.value)
    finally:
        client.close()


def test_a_client_that_leaves_cancels_its_job(servers, emulator) -> None:
    import time

    server = servers["distilbert-base-uncased-finetuned-sst-2-english"]
    url = f"{server.url}/gradio_api"
    emulator.configure(latency=60)  # the upstream would keep the job busy for a minute
    try:
        joined = httpx.post(
            f"{url}/queue/join",
            json={"data": ["I like you. I love you."], "fn_index": 0, "session_hash": "gone"},
        )
        assert joined.status_code == 200
        with httpx.stream(
            "GET", f"{url}/queue/data", params={"session_hash": "gone"}, timeout=30
        ) as events:
            first = next(events.iter_lines())
            assert "process_starts" in first
        deadline = time.monotonic() + 30  # far less than the upstream's 60 s
        while httpx.get(f"{server.url}/healthz").json()["running"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert httpx.get(f"{server.url}/healthz").json()["running"] == 0
    finally:
        emulator.configure()


def test_the_official_javascript_client(servers, emulator, media, tmp_path) -> None:
    """@gradio/client (npm, installed by `make test`) on a text task and an image upload."""
    from support.js import run_js

    text = CASES["text-classification"]
    api, labels = run_js(
        servers[text.model].url,
        [{"view_api": True}, {"endpoint": "/predict", "data": text.data}],
        script="gradio_client.mjs",
    )
    assert "error" not in labels, labels
    assert list(api["named_endpoints"]) == ["/predict"]
    assert labels == [gradio_value("labels", text.expect(emulator.replayed().json()))]

    image = CASES["image-classification"]
    path = tmp_path / "cat.png"
    path.write_bytes(media["image"])
    [answer] = run_js(
        servers[image.model].url,
        [{"endpoint": "/predict", "data": [str(path)], "files": [0]}],
        script="gradio_client.mjs",
    )
    assert "error" not in answer, answer
    assert answer == [gradio_value("labels", image.expect(emulator.replayed().json()))]


def rest_call(url: str, name: str, data: list[Any]) -> list[tuple[str, Any]]:
    """Gradio's REST API as its docs show it with curl: POST, then GET the event stream."""
    import json

    posted = httpx.post(f"{url}/gradio_api/call/{name}", json={"data": data})
    assert posted.status_code == 200, posted.text
    event_id = posted.json()["event_id"]
    text = httpx.get(f"{url}/gradio_api/call/{name}/{event_id}", timeout=30).text
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_gradios_rest_api(servers, emulator) -> None:
    from support.cases import CHAT_MODEL, CHAT_SETTINGS

    text = CASES["text-classification"]
    url = servers[text.model].url
    [(kind, data)] = rest_call(url, "predict", text.data)
    assert kind == "complete"
    assert data == [gradio_value("labels", text.expect(emulator.replayed().json()))]
    [(kind, message)] = rest_call(url, "predict", ["  "])
    assert kind == "error" and "the text is empty" in message
    assert httpx.post(f"{url}/gradio_api/call/nope", json={"data": []}).status_code == 404

    chat = servers[CHAT_MODEL].url
    described = httpx.get(f"{chat}/gradio_api/info").json()["named_endpoints"]["/chat"]
    names = [p["parameter_name"] for p in described["parameters"]]
    given = {"message": "Complete the equation 1+1= ,just the answer", **CHAT_SETTINGS}
    events = rest_call(chat, "chat", [given.get(name) for name in names])
    deltas = recorded_deltas(emulator)
    assert [kind for kind, _ in events] == ["generating"] * len(deltas) + ["complete"]
    assert [data[0] for _, data in events[:-1]] == [
        "".join(deltas[: i + 1]) for i in range(len(deltas))
    ]
    assert events[-1][1] == ["".join(deltas)]
