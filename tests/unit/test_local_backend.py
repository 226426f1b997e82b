"""The local backend in process, on tiny models built here and the real MiniLM: every core
task through transformers, chat whole and streamed, parameters, and its errors.
tests/e2e/test_local.py keeps what needs a real port: concurrency, batching under load,
timeouts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from hubdemo.media import Media
from hubdemo.upstream.local import LocalUpstream
from support.checks import sse_events, validate_output
from support.inprocess import InProcess
from support.local import (
    config_labels,
    serve_local,
)

QA_CONTEXT = "my name is sarah and i live in london"


TEXT = {
    "feature-extraction": ["hello world"],
    "fill-mask": ["my name is [MASK] ."],
    "question-answering": ["where does sarah live?", QA_CONTEXT],
    "summarization": ["the weather is sunny today in london"],
    "text-classification": ["i love this movie"],
    "text-generation": ["hello"],
    "text2text-generation": ["translate hello world"],
    "token-classification": [QA_CONTEXT],
    "translation": ["hello world"],
    "zero-shot-classification": ["i love this movie", "good, bad, very bad"],
}


MEDIA_TASKS = {
    "audio-classification": "audio",
    "automatic-speech-recognition": "audio",
    "depth-estimation": "image",
    "image-classification": "image",
    "image-segmentation": "image",
    "zero-shot-image-classification": "image",
    "image-to-text": "image",
    "object-detection": "image",
}


def _image_size(data_url: str) -> tuple[int, int]:
    import base64
    import io

    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).size


def check_meaning(task: str, folder: Path, data: list[Any], output: Any) -> None:
    """What a correct answer of this model must satisfy, beyond the schema."""
    if task in ("text-classification", "image-classification", "audio-classification"):
        assert {o["label"] for o in output} <= config_labels(folder)
        assert [o["score"] for o in output] == sorted((o["score"] for o in output), reverse=True)
    if task == "text-classification":  # every label, best first, as the router answers
        assert len(output) == 3
        assert sum(o["score"] for o in output) == pytest.approx(1.0, abs=1e-5)
    if task == "zero-shot-classification":
        assert {o["label"] for o in output} == {"good", "bad", "very bad"}
        assert sum(o["score"] for o in output) == pytest.approx(1.0, abs=1e-5)
    if task == "token-classification":
        for entity in output:
            assert entity["entity_group"] in {"PER", "LOC"}
            span = data[0][entity["start"] : entity["end"]]
            assert span.replace(" ", "") == entity["word"].replace(" ", "")
    if task == "question-answering":
        (answer,) = output
        assert QA_CONTEXT[answer["start"] : answer["end"]] == answer["answer"]
        assert answer["answer"], "the answer span is inside the context"
    if task == "fill-mask":
        assert len(output) == 5
    if task == "feature-extraction":  # token embeddings of a plain BERT: [tokens][hidden]
        assert all(len(vector) == 16 for vector in output)
        assert len(output) == 4  # [CLS] hello world [SEP]
    if task == "object-detection":
        for found in output:
            assert found["label"] in config_labels(folder)
    if task == "zero-shot-image-classification":
        assert {o["label"] for o in output} == {"cat", "dog", "car"}
        assert sum(o["score"] for o in output) == pytest.approx(1.0, abs=1e-5)
    if task in ("depth-estimation", "image-segmentation"):  # pictures of the input's size
        size = _image_size(data[0])
        pictures = [output["depth"]] if task == "depth-estimation" else [s["mask"] for s in output]
        assert pictures and all(_image_size(p) == size for p in pictures)
    if task == "image-segmentation":
        assert {s["label"] for s in output} <= config_labels(folder)
    if task == "depth-estimation":
        rows = output["predicted_depth"]
        assert (len(rows[0]), len(rows)) == _image_size(data[0])


@pytest.mark.parametrize("task", sorted([*TEXT, *MEDIA_TASKS]))
def test_every_core_task_runs_locally(
    task: str, tiny_models: dict[str, Path], media: dict[str, bytes]
) -> None:
    folder = tiny_models[task]
    if task in MEDIA_TASKS:
        raw = media[MEDIA_TASKS[task]]
        data = [Media(raw, "application/octet-stream").data_url()]
        if task == "zero-shot-image-classification":
            data.append("cat, dog, car")
    else:
        data = TEXT[task]
    app, upstream = serve_local(folder)
    assert upstream.task == task  # from the card's pipeline_tag, or config.json (fill-mask)
    with InProcess(app) as server:
        response = server.post("/api/predict", json={"data": data})
        assert response.status_code == 200, response.text
        output = response.json()["output"]
        validate_output(task if task != "text2text-generation" else "text-generation", output)
        check_meaning(task, folder, data, output)
        info = server.get("/api/info").json()
        assert info["upstream"]["kind"] == "local"
        assert info["source"] == "local"


def test_local_text_classification_matches_transformers_itself(
    tiny_models: dict[str, Path],
) -> None:
    """The same scores as transformers' own pipeline, in the router's wire form."""
    from transformers import pipeline

    folder = tiny_models["text-classification"]
    expected = pipeline("text-classification", model=str(folder), device="cpu")(
        "i love this movie", top_k=None
    )
    app, _ = serve_local(folder)
    with InProcess(app) as server:
        body = {"inputs": "i love this movie"}
        output = server.post("/api/predict", json=body).json()["output"]
    assert [o["label"] for o in output] == [e["label"] for e in expected]
    assert [o["score"] for o in output] == pytest.approx([e["score"] for e in expected], abs=1e-6)


def test_object_detection_boxes_lie_inside_the_image(
    tiny_models: dict[str, Path], media: dict[str, bytes]
) -> None:
    from io import BytesIO

    from PIL import Image

    width, height = Image.open(BytesIO(media["image"])).size
    app, _ = serve_local(tiny_models["object-detection"])
    body = {"inputs": Media(media["image"], "image/png").base64(), "parameters": {"threshold": 0}}
    with InProcess(app) as server:
        response = server.post("/api/predict", json=body)
    output = response.json()["output"]
    assert response.status_code == 200 and output, "threshold 0 keeps every detection"
    validate_output("object-detection", output)
    for found in output:
        box = found["box"]
        assert 0 <= box["xmin"] <= box["xmax"] <= width + 1
        assert 0 <= box["ymin"] <= box["ymax"] <= height + 1


def test_generation_parameters_reach_the_model(tiny_models: dict[str, Path]) -> None:
    app, _ = serve_local(tiny_models["text-generation"])
    words = {}
    with InProcess(app) as server:
        for count in (1, 8):
            parameters = {"max_new_tokens": count}  # the tiny model never emits its EOS
            for full in (True, False):
                body = {"inputs": "hello", "parameters": {**parameters, "return_full_text": full}}
                response = server.post("/api/predict", json=body)
                assert response.status_code == 200, response.text
                words[count, full] = response.json()["output"]["generated_text"]
    # return_full_text keeps the prompt; greedy decoding gives the same continuation.
    assert words[8, True] == "hello" + words[8, False]
    assert len(words[1, False].split()) == 1
    assert len(words[8, False].split()) == 8


def test_a_model_with_a_chat_template_chats_locally_whole_and_streamed(
    tiny_models: dict[str, Path],
) -> None:
    folder = tiny_models["chat-completion"]
    app, upstream = serve_local(folder)  # its chat template makes it a chat model
    assert upstream.task == "chat-completion"
    conversation = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hello there"},
    ]
    body = {"messages": conversation, "max_tokens": 6}
    with InProcess(app) as server:
        whole = server.post("/api/predict", json=body)
        assert whole.status_code == 200, whole.text
        output = whole.json()["output"]
        validate_output("chat-completion", output)
        answer = output["choices"][0]["message"]["content"]
        assert len(answer.split()) == 6  # one word per new token (the tiny model's vocabulary)
        assert output["usage"]["completion_tokens"] == 6
        assert output["choices"][0]["finish_reason"] == "length"
        shown = whole.json()["data"][0]["messages"]
        assert shown[:2] == conversation and shown[2]["content"] == answer

        streamed = server.post("/api/predict?stream=true", json=body)
        assert streamed.status_code == 200, streamed.text
        events = sse_events(streamed.text)
        deltas = [e["delta"] for kind, e in events if kind == "message" and "delta" in e]
        assert len(deltas) >= 2  # piece by piece, not in one go
        last = events[-1][1]
        assert "".join(deltas).strip() == answer.strip()  # greedy: the same answer both ways
        assert last["output"]["choices"][0]["message"]["content"].strip() == answer.strip()
        validate_output("chat-completion", last["output"])

        image = {"type": "image_url", "image_url": {"url": "https://example.invalid/cat.png"}}
        parts = [{"type": "text", "text": "what is this?"}, image]
        refused = server.post(
            "/api/predict",
            json={"messages": [{"role": "user", "content": parts}]},
            timeout=60,
        )
        assert refused.status_code == 400
        assert "reads text only" in refused.json()["error"]


def test_a_bad_input_for_the_model_is_a_422_naming_the_fix(tiny_models: dict[str, Path]) -> None:
    app, _ = serve_local(tiny_models["fill-mask"])
    with InProcess(app) as server:
        response = server.post("/api/predict", json={"inputs": "no mask here"}, timeout=60)
    assert response.status_code == 422
    assert "[MASK]" in response.json()["error"]


def test_a_broken_model_folder_fails_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"architectures": ["BertForMaskedLM"]}')
    app, _ = serve_local(tmp_path)
    with InProcess(app) as server:
        response = server.post("/api/predict", json={"inputs": "a [MASK]"})
        health = server.get("/healthz").json()
    assert response.status_code == 502
    assert "cannot load the model" in response.json()["error"]
    assert health["model"] == "failed" and "cannot load" in health["error"]


def test_minilm_feature_extraction_is_a_unit_sentence_vector(hf_cache: Path) -> None:
    snapshot = next((hf_cache).glob("models--*/snapshots/*"))
    app, _ = serve_local(snapshot, "feature-extraction")
    with InProcess(app) as server:
        output = server.post("/api/predict", json={"inputs": "cat"}).json()["output"]
    validate_output("feature-extraction", output)
    (vector,) = output
    assert len(vector) == 384
    assert sum(v * v for v in vector) == pytest.approx(1.0, abs=1e-4)


def test_sentence_transformers_modules_it_cannot_apply_are_refused(
    hf_cache: Path, tmp_path: Path
) -> None:
    snapshot = next((hf_cache).glob("models--*/snapshots/*"))
    for path in snapshot.iterdir():
        if path.name != "modules.json":
            (tmp_path / path.name).symlink_to(path.resolve(), target_is_directory=path.is_dir())
    modules = json.loads((snapshot / "modules.json").read_text())
    modules.insert(2, {"idx": 9, "name": "9", "path": "2_Dense", "type": "x.models.Dense"})
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    app, _ = serve_local(tmp_path)
    with InProcess(app) as server:
        body = {"data": ["a", "b"]}
        response = server.post("/api/predict", json=body)
    assert response.status_code == 502
    assert "x.models.Dense" in response.json()["error"]


def test_a_local_chat_stream_stops_generating_when_its_listener_leaves(tmp_path: Path) -> None:
    """The plumbing between the event loop and the model's thread: closing the stream (what the
    server does when the client goes) must stop generate() at its next token."""
    from concurrent.futures import Future

    from hubdemo.wire import WireRequest

    class Endless:
        """Stands in for ChatModel.stream: a chunk of one word every 10 ms until told to stop."""

        words = 0
        stopped_after: int | None = None

        def stream(self, messages: Any, parameters: Any, push: Any, stopped: Any) -> Any:
            while not stopped.wait(0.01) and self.words < 1000:
                self.words += 1
                push({"choices": [{"delta": {"content": "word "}}]})
            self.stopped_after = self.words
            return []

    model = Endless()
    upstream = LocalUpstream(tmp_path, "chat-completion")
    upstream._runners["chat-completion"] = model
    upstream.loaded = Future()
    upstream.loaded.set_result(None)
    request = WireRequest(json={"messages": [{"role": "user", "content": "hi"}]}, route="chat")

    async def listen_then_leave() -> list[Any]:
        events = upstream.stream(request)
        heard = [await anext(events) for _ in range(3)]
        await events.aclose()
        for _ in range(100):  # the model's thread notices within a token or two
            if model.stopped_after is not None:
                break
            await asyncio.sleep(0.01)
        await upstream.aclose()
        return heard

    heard = asyncio.run(listen_then_leave())
    assert [h["choices"][0]["delta"]["content"] for h in heard] == ["word "] * 3
    assert model.stopped_after is not None and model.stopped_after < 50
