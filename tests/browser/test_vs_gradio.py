"""hubdemo's page beside Gradio 6's `gr.load("models/<id>")` page for the same model, at a desktop
and a phone, each after running an example: the pictures in docs/images/vs-gradio/ (left
hubdemo, right Gradio), taken against the emulated Hub and router (lenient: each page's own
example gets a recorded answer). Gradio runs tests/spaces/loaded_model.py in .venv-gradio."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image, ImageDraw

from support import REPO
from support.emulator import Emulator
from support.servers import Server, free_port

GRADIO = REPO / ".venv-gradio" / "bin" / "python"
SPACES = REPO / "tests" / "spaces"
OUT = REPO / "docs" / "images" / "vs-gradio"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
CHAT_MESSAGE = "Complete the equation 1+1= ,just the answer"
TEXT_EXAMPLE = "a giant tortoise"
NER_TEXT = "My name is Sarah Jessica Parker but you can call me Jessica"  # the recorded request
# task -> the model, and what a person does on each page: "example" (the first example, then
# Submit on Gradio's), or a message typed into the chat.
MODELS = {
    "image-classification": "google/vit-base-patch16-224",
    "object-detection": "facebook/detr-resnet-50",
    "automatic-speech-recognition": "facebook/wav2vec2-large-960h-lv60-self",
    "token-classification": "dbmdz/bert-large-cased-finetuned-conll03-english",
    "text-to-image": "stabilityai/stable-diffusion-2",
    "chat": "mistralai/Mistral-7B-Instruct-v0.2",
}

# Typed into both pages (text-to-image has no example on its card nor on the Hub).
TYPED = {"token-classification": NER_TEXT, "text-to-image": TEXT_EXAMPLE}


@pytest.fixture(scope="module")
def lenient(tapes: Any) -> Iterator[Emulator]:
    with Emulator(tapes, lenient=True) as emulator:
        yield emulator


def gradio_page(emulator: Emulator, model: str) -> tuple[subprocess.Popen[str], str]:
    if not GRADIO.is_file():
        pytest.fail(".venv-gradio is missing: `make test` installs it")
    port = free_port()
    env = {**os.environ, "HF_ENDPOINT": emulator.url, "HUBDEMO_COMPARE_ROUTER": emulator.url,
           "HUBDEMO_COMPARE_MODEL": model, "GRADIO_ANALYTICS_ENABLED": "False",
           "HF_TOKEN": "hf_emulated",  # gr.load's chat asks the router for a signed-in user
           "PYTHONPATH": str(SPACES)}  # fmt: skip
    process = subprocess.Popen(
        [str(GRADIO), str(SPACES / "run.py"), "loaded_model", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=SPACES,
    )  # fmt: skip
    assert process.stdout is not None
    said = []
    for line in process.stdout:  # "Fetching model from: …", then "ready"
        if line.startswith("ready"):
            return process, f"http://127.0.0.1:{port}"
        said.append(line)
    process.stdout.close()
    pytest.fail(f"gr.load of {model} did not start: {''.join(said)[-2000:]}")


def picture(tmp_path: Any) -> str:
    """hubdemo's sample picture at the size the recorded detection answer's boxes were found on."""
    path = tmp_path / "house.png"
    sample = Image.open(REPO / "hubdemo" / "data" / "samples" / "picture.png")
    sample.resize((640, 480)).save(path)
    return str(path)


def run_hubdemo(page: Any, task: str, upload: str) -> None:
    if task == "chat":
        page.get_by_label("Message", exact=True).fill(CHAT_MESSAGE)
        page.get_by_role("button", name="Send").click()
        page.locator(".conversation li.assistant:not(.pending)").wait_for(timeout=30_000)
        return
    if task == "object-detection":
        page.locator("input[type=file]").first.set_input_files(upload)
        page.locator("img.preview").wait_for(state="visible")  # read, shown: ready to send
        page.locator("#submit").click()
    elif task in TYPED:
        page.locator("[data-input='0']").fill(TYPED[task])
        page.locator("#submit").click()
    else:
        page.locator(".chip").first.click()  # runs it
    page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
    page.wait_for_timeout(500)  # pictures drawn


def run_gradio(page: Any, task: str, upload: str) -> None:
    if task == "chat":
        box = page.get_by_role("textbox").first
        box.fill(CHAT_MESSAGE)
        box.press("Enter")
    else:
        if task == "object-detection":
            page.locator("input[type=file]").first.set_input_files(upload)
        elif task in TYPED:
            page.get_by_role("textbox").first.fill(TYPED[task])
        else:
            page.locator("button.gallery-item, button.example").first.click()
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Submit").click()
    page.wait_for_timeout(4000)  # Gradio's page gives no sign a test can wait on for every task
    assert page.get_by_text("Error", exact=True).count() == 0, "gr.load's page failed to answer"


def side_by_side(left: bytes, right: bytes, path: Any) -> None:
    """The two screenshots, labelled, on one picture."""
    pictures = [Image.open(io.BytesIO(data)).convert("RGB") for data in (left, right)]
    height = max(p.height for p in pictures) + 28
    joined = Image.new("RGB", (sum(p.width for p in pictures) + 12, height), "white")
    draw = ImageDraw.Draw(joined)
    x = 0
    for picture, title in zip(pictures, ("hubdemo", "Gradio 6 gr.load")):
        joined.paste(picture, (x, 28))
        draw.text((x + 8, 8), title, fill=(20, 20, 20))
        x += picture.width + 12
    joined.save(path, optimize=True)


@pytest.mark.parametrize("task", sorted(MODELS))
def test_hubdemo_and_gradio_side_by_side(browser, lenient, task, tmp_path) -> None:
    model = MODELS[task]
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server(lenient, model)
    gradio, gradio_url = gradio_page(lenient, model)
    try:
        for size, viewport in SIZES.items():
            shots = []
            for url, run in ((server.url, run_hubdemo), (gradio_url, run_gradio)):
                context = browser.new_context(viewport=viewport, is_mobile=size == "phone")
                page = context.new_page()
                page.goto(url)
                page.wait_for_load_state("load")
                page.wait_for_timeout(1500)  # Gradio draws after its config arrives
                asked = len(lenient.log)
                run(page, task, picture(tmp_path))
                # Answered by the emulator: neither page asked a public host.
                answered = [e.path for e in lenient.log[asked:] if e.method == "POST"]
                assert any(model in path for path in answered), (url, answered)
                shots.append(page.screenshot(full_page=True, animations="disabled"))
                context.close()
            side_by_side(shots[0], shots[1], OUT / f"{task}-{size}.png")
            assert (OUT / f"{task}-{size}.png").stat().st_size > 10_000
    finally:
        gradio.kill()
        gradio.wait()
        if gradio.stdout is not None:
            gradio.stdout.close()
        server.stop()
