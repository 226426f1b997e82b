"""Every core task end to end: `hubdemo serve` (a real process on a real port) answers
POST /api/predict with the recorded router answer, normalized, and valid against output.json."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from hubdemo.tasks import TASKS
from support.cases import CASES, CHAT_MODEL, CHAT_SETTINGS, FISH, Case
from support.checks import sse_events, validate_output
from support.emulator import synthesized_media


def _data(case: Case, media: dict[str, bytes]) -> list[Any]:
    files = {
        "IMAGE": "data:image/png;base64," + base64.b64encode(media["image"]).decode(),
        "AUDIO": "data:audio/flac;base64," + base64.b64encode(media["audio"]).decode(),
        "VIDEO": "data:video/mp4;base64," + base64.b64encode(media["video"]).decode(),
    }
    return [files.get(v, v) if isinstance(v, str) else v for v in case.data]


@pytest.mark.parametrize("task", sorted(CASES))
def test_predict_returns_the_recorded_answer(task, servers, emulator, media) -> None:
    case = CASES[task]
    server = servers[case.model]
    body: dict[str, Any] = {"data": _data(case, media)}
    if case.parameters:
        body["parameters"] = case.parameters
    response = server.predict(body)
    assert response.status_code == 200, response.text
    result = response.json()
    recorded = emulator.replayed()
    assert recorded.status == 200
    if getattr(case.expect, "binary", False):
        output = {k: v for k, v in result["output"].items() if k != "sampling_rate"}
        sent = recorded.body if isinstance(recorded.body, bytes) else recorded.body.encode()
        assert output == case.expect(sent)
    else:
        assert result["output"] == case.expect(recorded.json())
    validate_output(TASKS[task].spec, result["output"])
    assert len(result["data"]) == len(TASKS[task].outputs)
    assert result["duration"] >= 0
    # The served /openapi.json describes both this request and this answer.
    import jsonschema

    document = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    operation = document["paths"]["/api/predict"]["post"]
    request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(request_schema).validate(body)
    answer_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(answer_schema).validate(result)


@pytest.mark.parametrize("task", [t for t, c in sorted(CASES.items()) if c.native])
def test_the_tasks_own_body_form_gives_the_same_answer(task, servers, emulator) -> None:
    case = CASES[task]
    response = servers[case.model].predict(case.native)
    assert response.status_code == 200, response.text
    assert response.json()["output"] == case.expect(emulator.replayed().json())


def test_media_without_parameters_goes_as_raw_bytes(servers, emulator, media) -> None:
    server = servers["google/vit-base-patch16-224"]
    server.predict({"data": _data(CASES["image-classification"], media)})
    sent = [e for e in emulator.log if e.method == "POST"][-1]
    assert sent.headers["content-type"] == "image/png"
    assert sent.body == media["image"]  # forwarded as received, not re-encoded


def test_media_with_parameters_goes_as_base64_in_json(servers, emulator, media) -> None:
    server = servers["google/vit-base-patch16-224"]
    encoded = base64.b64encode(media["image"]).decode()
    server.predict({"inputs": encoded, "parameters": {"top_k": 2}})
    sent = [e for e in emulator.log if e.method == "POST"][-1]
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.body) == {"inputs": encoded, "parameters": {"top_k": 2}}


def test_feature_extraction_uses_the_pipeline_route_with_top_level_options(
    servers, emulator
) -> None:
    server = servers["sentence-transformers/distilbert-base-nli-mean-tokens"]
    server.predict({"inputs": "That is a happy person", "normalize": True})
    sent = [e for e in emulator.log if e.method == "POST"][-1]
    assert sent.path.endswith(
        "/models/sentence-transformers/distilbert-base-nli-mean-tokens/pipeline/feature-extraction"
    )
    assert json.loads(sent.body) == {"inputs": "That is a happy person", "normalize": True}


def test_api_info_is_the_describe_object(servers) -> None:
    import httpx

    info = httpx.get(f"{servers['google/vit-base-patch16-224'].url}/api/info").json()
    assert info["task"] == "image-classification"
    assert [c["kind"] for c in info["inputs"]] == ["image"]
    assert {"model", "task", "inputs", "outputs", "examples", "upstream"} <= set(info)


def test_the_image_to_image_prompt_travels_as_the_specs_parameter(servers, emulator, media):
    server = servers["lllyasviel/sd-controlnet-canny"]
    image = "data:image/png;base64," + base64.b64encode(media["image"]).decode()
    response = server.predict({"data": [image, "make it blue"]})
    assert response.status_code == 200, response.text
    sent = json.loads(emulator.log[-1].body)
    assert sent["parameters"] == {"prompt": "make it blue"}
    assert base64.b64decode(sent["inputs"]) == media["image"]  # forwarded as received
    assert response.json()["output"]["image"].startswith("data:image/jpeg;base64,")


def test_image_text_tasks_take_an_image_a_prompt_or_both(servers, emulator, media) -> None:
    server = servers["hubdemo-emulated/image-text-to-video"]
    image = "data:image/png;base64," + base64.b64encode(media["image"]).decode()
    assert server.predict({"data": ["", "waves on a beach"]}).status_code == 200
    assert json.loads(emulator.log[-1].body) == {"parameters": {"prompt": "waves on a beach"}}
    assert server.predict({"data": [image, ""]}).status_code == 200
    assert emulator.log[-1].body == media["image"]  # alone: the raw file, as the spec allows
    response = server.predict({"data": [image, "zoom in"]})
    sent = json.loads(emulator.log[-1].body)
    assert sent["parameters"] == {"prompt": "zoom in"}
    assert response.json()["output"]["video"].startswith("data:video/mp4;base64,")
    posts = len(emulator.log)
    for body in ({"data": ["", " "]}, {"inputs": "", "parameters": {}}):
        refused = server.predict(body)
        assert refused.status_code == 400, refused.text
        assert "prompt" in refused.json()["error"]
    assert len(emulator.log) == posts  # nothing went upstream


def test_a_video_that_is_not_one_is_refused_before_the_upstream(servers, emulator, media):
    server = servers["hubdemo-emulated/video-classification"]
    posts = len(emulator.log)
    image = "data:image/png;base64," + base64.b64encode(media["image"]).decode()
    response = server.predict({"data": [image]})
    assert response.status_code == 415
    assert "send a video (MP4, WEBM" in response.json()["error"]
    webm = "data:video/webm;base64," + base64.b64encode(synthesized_media("video/webm")).decode()
    assert server.predict({"data": [webm]}).status_code == 200  # a WEBM is a video here
    assert emulator.log[-1].headers["content-type"] == "video/webm"
    assert len(emulator.log) == posts + 1


def test_tabular_rows_go_as_data_and_a_wrong_count_of_predictions_is_a_502(
    servers, emulator
) -> None:
    server = servers["hubdemo-emulated/tabular-regression"]
    csv_text = "Species,Length1,Height\nBream,23.2,11.52\nBream,24,12.48\nPerch,25.4,12.37\n"
    response = server.predict({"data": [csv_text]})  # CSV text is a table too
    assert response.status_code == 200, response.text
    assert json.loads(emulator.log[-1].body) == {"inputs": {"data": FISH}}
    shown = response.json()["data"][0]
    assert shown["values"] == emulator.replayed().json() and shown["table"] == FISH
    two_rows = {name: cells[:2] for name, cells in FISH.items()}
    mismatched = server.predict({"inputs": {"data": two_rows}})
    assert mismatched.status_code == 502
    assert "3 predictions for 2 rows" in mismatched.json()["error"]


def test_a_chat_model_answers_with_the_chat_completion_object(servers, emulator) -> None:
    server = servers[CHAT_MODEL]
    messages = [
        {"role": "user", "content": "Complete the this sentence with words one plus one is equal "}
    ]
    response = server.predict({"messages": messages, **CHAT_SETTINGS})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["output"] == emulator.replayed().json()
    validate_output("chat-completion", result["output"])
    reply = result["output"]["choices"][0]["message"]
    assert result["data"][0]["messages"] == [*messages, reply]
    assert emulator.log[-1].path.endswith("/v1/chat/completions")


def test_a_chat_answer_streams_token_by_token(servers, emulator) -> None:
    import httpx

    server = servers[CHAT_MODEL]
    messages = [{"role": "user", "content": "Complete the equation 1+1= ,just the answer"}]
    response = httpx.post(
        f"{server.url}/api/predict?stream=true",
        json={"messages": messages, **CHAT_SETTINGS},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    deltas = [e["delta"] for kind, e in events if "delta" in e]
    recorded = [
        json.loads(line[5:])["choices"][0]["delta"].get("content") or ""
        for line in emulator.replayed().body.decode().splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    ]
    assert deltas == [d for d in recorded if d]
    kind, last = events[-1]
    assert kind == "message"
    validate_output("chat-completion", last["output"])
    assert last["output"]["choices"][0]["message"]["content"] == "".join(deltas)


def test_an_error_inside_a_200_stream_is_an_error_event(servers, emulator) -> None:
    import httpx

    server = servers[CHAT_MODEL]
    emulator.configure(every={"stream_error": 1})
    try:
        response = httpx.post(
            f"{server.url}/api/predict?stream=true",
            json={
                "messages": [
                    {"role": "user", "content": "Complete the equation 1+1= ,just the answer"}
                ],
                **CHAT_SETTINGS,
            },
            timeout=30,
        )
    finally:
        emulator.configure()
    events = sse_events(response.text)
    assert events[0] == ("message", {"delta": "Two"})
    kind, error = events[-1]
    assert kind == "error" and "ran out of memory" in error["error"]
    assert error["type"] == "UpstreamError"


def test_an_image_chat_message_is_checked_and_forwarded(servers, emulator, media) -> None:
    server = servers["hubdemo-emulated/image-text-to-text"]
    image = "data:image/png;base64," + base64.b64encode(media["image"]).decode()
    parts = [
        {"type": "text", "text": "Describe it"},
        {"type": "image_url", "image_url": {"url": image}},
    ]
    response = server.predict({"messages": [{"role": "user", "content": parts}]})
    assert response.status_code == 200, response.text
    assert json.loads(emulator.log[-1].body)["messages"][0]["content"] == parts
    validate_output("chat-completion", response.json()["output"])
    posts = len(emulator.log)
    sound = "data:audio/flac;base64," + base64.b64encode(media["audio"]).decode()
    for bad, status, words in [
        ([{"type": "image_url", "image_url": {"url": sound}}], 415, "send an image"),
        ([{"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}], 400, "http(s) URL"),
        ([{"type": "video"}], 400, '"type": "text"'),
    ]:
        refused = server.predict({"messages": [{"role": "user", "content": bad}]})
        assert refused.status_code == status, refused.text
        assert words in refused.json()["error"]
    assert len(emulator.log) == posts


def test_streaming_is_for_chat_models(servers) -> None:
    import httpx

    server = servers["gpt2"]
    response = httpx.post(f"{server.url}/api/predict?stream=true", json={"inputs": "Hi"})
    assert response.status_code == 400 and "chat models" in response.json()["error"]


def test_depth_is_shown_as_a_colour_map(servers, media) -> None:
    import io

    from PIL import Image

    server = servers["hubdemo-emulated/depth-estimation"]
    image = "data:image/png;base64," + base64.b64encode(media["image"]).decode()
    response = server.predict({"data": [image]})
    assert response.status_code == 200, response.text
    shown = response.json()["data"][0]
    picture = Image.open(io.BytesIO(base64.b64decode(shown["url"].split(",", 1)[1])))
    red, _, blue = picture.convert("RGB").split()
    assert red.tobytes() != blue.tobytes(), "a colour map, not grey"
    assert shown["name"] == "depth.png"
