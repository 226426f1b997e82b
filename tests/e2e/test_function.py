"""Your own function as the model: `hubdemo serve my_module:predict --task T`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import httpx
import pytest

from hubdemo.hub import HubClient
from hubdemo.media import Media
from hubdemo.predictor import make_upstream
from hubdemo.resolve import resolve
from hubdemo.web.app import create_app
from support.checks import validate_output
from support.servers import Server, ThreadServer, run_cli

# The README's example: a classic image classifier (a tiny CNN here), rewritten for hubdemo.
CLASSIFY = """
import torch

LABELS = ["lion", "cheetah", "house cat"]
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Conv2d(3, 4, 3), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
    torch.nn.Linear(4, len(LABELS)),
).eval()


def predict(image):
    import numpy as np

    pixels = np.asarray(image.resize((32, 32)), dtype="float32") / 255
    batch = torch.from_numpy(pixels).permute(2, 0, 1)[None]
    with torch.no_grad():
        prediction = torch.nn.functional.softmax(model(batch)[0], dim=0)
    return {LABELS[i]: float(prediction[i]) for i in range(len(LABELS))}
"""

OTHERS = """
import asyncio


def shout(text, **parameters):
    return text.upper() + "!" * int(parameters.get("max_new_tokens", 1))


def answer(question, context):
    start = context.index("London")
    return {"answer": "London", "score": 0.9, "start": start, "end": start + 6}


def pick(text, candidate_labels):
    return {label: (1.0 if label in text else 0.0) for label in candidate_labels}


def similar(source_sentence, sentences):
    words = set(source_sentence.lower().split())
    return [len(words & set(s.lower().split())) / len(words) for s in sentences]


async def hear(audio):
    rate, samples = audio
    await asyncio.sleep(0)
    return f"{len(samples) / rate:.1f} seconds at {rate} Hz"


def broken(text):
    raise RuntimeError("the GPU caught fire")


def wrong(text):
    return 42
"""


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "classify.py").write_text(CLASSIFY)
    (tmp_path / "mine.py").write_text(textwrap.dedent(OTHERS))
    monkeypatch.chdir(tmp_path)  # functions are imported from the working directory
    return tmp_path


def serve_function(target: str, task: str) -> ThreadServer:
    spec = resolve(target, HubClient(endpoint="http://127.0.0.1:9"), task)
    return ThreadServer(create_app(spec, make_upstream(spec)))


def test_the_readme_example_serves_an_image_classifier(emulator, media, module_dir) -> None:
    server = Server(emulator, "classify:predict", "--task", "image-classification", cwd=module_dir)
    try:
        image = Media(media["image"], "image/png").data_url()
        response = server.predict({"data": [image]})
        info = httpx.get(f"{server.url}/api/info").json()
    finally:
        server.stop()
    assert response.status_code == 200, response.text
    output = response.json()["output"]
    validate_output("image-classification", output)
    assert {o["label"] for o in output} == {"lion", "cheetah", "house cat"}
    assert [o["score"] for o in output] == sorted((o["score"] for o in output), reverse=True)
    assert sum(o["score"] for o in output) == pytest.approx(1.0, abs=1e-5)
    assert info["upstream"] == {"kind": "function", "url": "python:classify:predict"}


@pytest.mark.parametrize(
    ("target", "task", "body", "expected"),
    [
        (
            "mine:shout",
            "text-generation",
            {"inputs": "hi", "parameters": {"max_new_tokens": 3}},
            {"generated_text": "HI!!!"},
        ),
        (
            "mine:answer",
            "question-answering",
            {"data": ["Where?", "She lives in London."]},
            [{"answer": "London", "score": 0.9, "start": 13, "end": 19}],
        ),
        (
            "mine:pick",
            "zero-shot-classification",
            {"data": ["a red car", "car, boat"]},
            [{"label": "car", "score": 1.0}, {"label": "boat", "score": 0.0}],
        ),
        (
            "mine:similar",
            "sentence-similarity",
            {"data": ["a red car", "a red boat\nnothing"]},
            [2 / 3, 0.0],
        ),
    ],
)
def test_functions_of_other_tasks(module_dir, target, task, body, expected) -> None:
    with serve_function(target, task) as server:
        response = httpx.post(f"{server.url}/api/predict", json=body, timeout=30)
    assert response.status_code == 200, response.text
    output = response.json()["output"]
    validate_output(task, output)
    assert output == expected


def test_an_async_audio_function_gets_rate_and_samples(module_dir, media) -> None:
    import io

    import soundfile

    samples, rate = soundfile.read(io.BytesIO(media["audio"]))
    with serve_function("mine:hear", "automatic-speech-recognition") as server:
        audio = Media(media["audio"], "audio/flac").data_url()
        response = httpx.post(f"{server.url}/api/predict", json={"data": [audio]}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["output"] == {"text": f"{len(samples) / rate:.1f} seconds at {rate} Hz"}


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("mine:broken", "mine:broken raised RuntimeError: the GPU caught fire"),
        ("mine:wrong", "returned 42, which is not a text-classification result"),
    ],
)
def test_a_failing_function_is_a_502_that_says_what_happened(module_dir, target, message) -> None:
    with serve_function(target, "text-classification") as server:
        response = httpx.post(f"{server.url}/api/predict", json={"inputs": "x"})
    assert response.status_code == 502
    assert message in response.json()["error"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuchmodule:predict", "--task", "text-classification"], "cannot import 'nosuchmodule'"),
        (["classify:nope", "--task", "image-classification"], "no function named 'nope'"),
        (["classify:predict"], "pass --task"),
    ],
)
def test_function_usage_errors_are_one_line(emulator, module_dir, args, message) -> None:
    result = run_cli(emulator, "describe", *args, cwd=module_dir)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
