"""Every core task end to end: `hubdemo serve` (a real process on a real port) answers
POST /api/predict with the recorded router answer, normalized, and valid against output.json."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from conftest import sse_events, validate_output
from emulator import SYNTHESIZED_WIDGETS, synthesized_media

from hubdemo.tasks import TASKS


# How each recorded wire answer reads as the spec's output: written from docs/design.md §3, apart
# from hubdemo's own normalizers, so the two are checked against each other.
def same(x: Any) -> Any:
    return x


def unwrap(x: Any) -> Any:  # [[...]] -> [...]; [{...}] -> {...}
    return x[0]


def as_list(x: Any) -> Any:
    return x if isinstance(x, list) else [x]


def pivot(x: Any) -> Any:
    x = x[0] if isinstance(x, list) else x
    return [{"label": lab, "score": s} for lab, s in zip(x["labels"], x["scores"])]


def rows(x: Any) -> Any:  # a sentence embedding [d] is one row
    return [x] if not isinstance(x[0], list) else x


def masks_as_urls(x: Any) -> Any:  # DESIGN: binary values (masks too) are data URLs
    return [{**s, "mask": "data:image/png;base64," + s["mask"]} for s in x]


def depth_as_url(x: Any) -> Any:
    return {**x, "depth": "data:image/png;base64," + x["depth"]}


def tracks_as_urls(x: Any) -> Any:
    return [{**t, "blob": f"data:{t['content-type']};base64," + t["blob"]} for t in x]


def file_as(key: str, mime: str) -> Callable[[Any], Any]:
    """The recorded answer is the file itself (the test gets its bytes, not JSON)."""

    def expect(data: bytes) -> Any:
        return {key: f"data:{mime};base64," + base64.b64encode(data).decode()}

    expect.binary = True  # type: ignore[attr-defined]
    return expect


@dataclass
class Case:
    model: str
    data: list[Any]  # the {"data": [...]} form; "IMAGE"/"AUDIO"/"VIDEO" stand for a file
    expect: Callable[[Any], Any]
    native: Any = None  # the task's own body, when the case also checks that form
    parameters: dict[str, Any] | None = None  # as in the recorded request


# The emulated tabular models' card rows (three each: the emulator answers three predictions).
DIABETES = SYNTHESIZED_WIDGETS["hubdemo-emulated/tabular-classification"][0]["structured_data"]
FISH = SYNTHESIZED_WIDGETS["hubdemo-emulated/tabular-regression"][0]["structured_data"]

CASES: dict[str, Case] = {
    "audio-classification": Case(
        "alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech", ["AUDIO"], same
    ),
    "audio-to-audio": Case("speechbrain/sepformer-wham", ["AUDIO"], tracks_as_urls),
    "automatic-speech-recognition": Case(
        "facebook/wav2vec2-large-960h-lv60-self", ["AUDIO"], same
    ),
    "feature-extraction": Case(
        "sentence-transformers/distilbert-base-nli-mean-tokens", ["That is a happy person"], rows,
        native={"inputs": "That is a happy person"},
    ),
    "chat-completion": Case(
        "mistralai/Mistral-7B-Instruct-v0.2",
        ["Complete the this sentence with words one plus one is equal "], same,
        parameters={"max_tokens": 500, "temperature": 0.1, "seed": 0},
    ),
    "depth-estimation": Case("hubdemo-emulated/depth-estimation", ["IMAGE"], depth_as_url),
    "document-question-answering": Case(
        "impira/layoutlm-document-qa", ["IMAGE", "What is the invoice number?"], same,
    ),
    "fill-mask": Case("google-bert/bert-base-uncased", ["[MASK] world!"], same),
    "image-classification": Case("google/vit-base-patch16-224", ["IMAGE"], same),
    "image-segmentation": Case("facebook/detr-resnet-50-panoptic", ["IMAGE"], masks_as_urls),
    "image-text-to-image": Case(
        "hubdemo-emulated/image-text-to-image", ["", "a red bicycle, watercolour"],
        file_as("image", "image/png"),
    ),
    "image-text-to-video": Case(
        "hubdemo-emulated/image-text-to-video", ["IMAGE", "the cat walks away"],
        file_as("video", "video/mp4"),
    ),
    "image-to-image": Case(
        "lllyasviel/sd-controlnet-canny", ["IMAGE", ""], file_as("image", "image/jpeg"),
    ),
    "image-to-video": Case(
        "hubdemo-emulated/image-to-video", ["IMAGE", ""], file_as("video", "video/mp4"),
    ),
    "image-to-text": Case("Salesforce/blip-image-captioning-base", ["IMAGE"], unwrap),
    "object-detection": Case("facebook/detr-resnet-50", ["IMAGE"], same),
    "question-answering": Case(
        "deepset/roberta-base-squad2",
        ["What is the capital of France?", "The capital of France is Paris."], as_list,
        native={"inputs": {"question": "What is the capital of France?",
                           "context": "The capital of France is Paris."}},
    ),
    "sentence-similarity": Case(
        "sentence-transformers/paraphrase-xlm-r-multilingual-v1",
        ["That is a happy person",
         "That is a happy dog\nThat is a very happy person\nToday is a sunny day"],
        same,
    ),
    "summarization": Case("google/pegasus-xsum", [
        "The tower is 324 metres (1,063 ft) tall, about the same height as an 81-storey "
        "building, and the tallest structure in Paris. Its base is square, measuring 125 metres "
        "(410 ft) on each side. During its construction, the Eiffel Tower surpassed the "
        "Washington Monument to become the tallest man-made structure in the world, a title it "
        "held for 41 years until the Chrysler Building in New York City was finished in 1930."
    ], unwrap, parameters={"max_length": 100}),
    "tabular-classification": Case("hubdemo-emulated/tabular-classification", [DIABETES], same),
    "tabular-regression": Case("hubdemo-emulated/tabular-regression", [FISH], same),
    "table-question-answering": Case(
        "google/tapas-base-finetuned-wtq",
        [{"Repository": ["Transformers", "Datasets", "Tokenizers"],
          "Stars": ["36542", "4512", "3934"], "Contributors": ["651", "77", "34"],
          "Programming language": ["Python", "Python", "Rust, Python and NodeJS"]},
         "How many stars does the transformers repository have?"], as_list,
    ),
    "text-classification": Case(
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english", ["I like you"], unwrap,
        native={"inputs": "I like you"},
    ),
    "text-generation": Case("gpt2", ["The answer to the universe is"], unwrap),
    "text2text-generation": Case("google/flan-t5-xxl", ["one plus two equals"], unwrap),
    "text-to-audio": Case(
        "hubdemo-emulated/text-to-audio", ["a dog barking in the rain"],
        file_as("audio", "audio/flac"),
    ),
    "text-to-image": Case(
        "stabilityai/stable-diffusion-2",
        ["award winning high resolution photo of a giant tortoise/((ladybird)) hybrid, "
         "[trending on artstation]"], file_as("image", "image/jpeg"),
    ),
    "text-to-speech": Case(
        "espnet/kan-bayashi_ljspeech_vits", ["hello there!"], file_as("audio", "audio/flac"),
    ),
    "text-to-video": Case(
        "hubdemo-emulated/text-to-video", ["a dog running on the beach"],
        file_as("video", "video/mp4"),
    ),
    "token-classification": Case(
        "dbmdz/bert-large-cased-finetuned-conll03-english",
        ["My name is Sarah Jessica Parker but you can call me Jessica"], same,
    ),
    "translation": Case("google-t5/t5-base", ["My name is Wolfgang and I live in Berlin"], unwrap),
    "video-classification": Case("hubdemo-emulated/video-classification", ["VIDEO"], same),
    "visual-question-answering": Case(
        "dandelin/vilt-b32-finetuned-vqa", ["IMAGE", "How many cats are lying down?"], same,
    ),
    "zero-shot-classification": Case(
        "facebook/bart-large-mnli",
        ["A new model offers an explanation for how the Galilean satellites formed around the "
         "solar system'slargest world. Konstantin Batygin did not set out to solve one of the "
         "solar system's most puzzling mysteries when he went for a run up a hill in Nice, "
         "France.", "space & cosmos, scientific discovery, microbiology, robots, archeology"],
        pivot, parameters={"multi_label": False},
    ),
    "zero-shot-object-detection": Case(
        "hubdemo-emulated/zero-shot-object-detection", ["IMAGE", "cat, remote"], same,
    ),
    "zero-shot-image-classification": Case(
        "openai/clip-vit-large-patch14-336", ["IMAGE", "animal, toy, car"], same,
    ),
}  # fmt: skip


def _data(case: Case, media: dict[str, bytes]) -> list[Any]:
    files = {
        "IMAGE": "data:image/png;base64," + base64.b64encode(media["image"]).decode(),
        "AUDIO": "data:audio/flac;base64," + base64.b64encode(media["audio"]).decode(),
        "VIDEO": "data:video/mp4;base64," + base64.b64encode(media["video"]).decode(),
    }
    return [files.get(v, v) if isinstance(v, str) else v for v in case.data]


def test_every_core_task_has_a_case() -> None:
    assert sorted(CASES) == sorted(TASKS)


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


CHAT_MODEL = "mistralai/Mistral-7B-Instruct-v0.2"
CHAT_SETTINGS = {"max_tokens": 500, "temperature": 0.1, "seed": 0}


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
