"""The page in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import ast
import base64
import json
from pathlib import Path
from typing import Any

from support.emulator import streamed_text
from support.screenshots import for_docs


def page_with_image(browser: Any, url: str, image: bytes, folder: Path) -> Any:
    """A new page at ``url`` with ``image`` chosen as its Image input."""
    path = folder / "photo.png"
    path.write_bytes(image)
    page = browser.new_page()
    page.goto(url)
    page.get_by_label("Image", exact=True).set_input_files(str(path))
    return page


def test_upload_an_image_and_see_the_top_labels_bar(browser, servers, emulator, media, tmp_path):
    server = servers["google/vit-base-patch16-224"]
    image = tmp_path / "photo.png"
    image.write_bytes(media["image"])
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(server.url)
    assert page.get_by_role("button", name="Classify").is_visible()
    page.get_by_label("Image", exact=True).set_input_files(str(image))
    page.locator("img.preview").wait_for(state="visible")
    page.get_by_role("button", name="Classify").click()
    first_bar = page.locator("#out-labels .bar").first
    first_bar.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(tmp_path / "image-classification.png"), full_page=True)
    for_docs(page, "image-classification")

    recorded = max(emulator.replayed().json(), key=lambda r: r["score"])
    assert first_bar.locator(".label").text_content() == recorded["label"]
    # One decimal on every page; a score just under 1 is not rounded up to certainty.
    said = f"{recorded['score'] * 100:.1f}%"
    if said == "100.0%" and recorded["score"] < 1:
        said = ">99.9%"
    assert first_bar.locator(".value").text_content() == said
    width = first_bar.locator(".fill").evaluate("e => e.style.width")
    assert abs(float(width.rstrip("%")) - recorded["score"] * 100) < 0.01
    assert page.locator("#out-labels .bar").count() == 5  # top 5, the rest behind "Show all"
    # The file went as the body, and reached the router as it was chosen.
    sent = [e for e in emulator.log if e.method == "POST"][-1]
    assert sent.body == media["image"] and sent.headers["content-type"] == "image/png"
    curl = page.locator("#snippet-curl").text_content()
    assert "-H 'Content-Type: image/png'" in curl and "--data-binary @image.png" in curl
    assert problems == []  # no CSP violation, no script error


def test_a_run_started_while_the_file_is_still_read_waits_for_it(
    browser, servers, emulator, media, tmp_path
):
    """A slow disk (FileReader's answer held back 800 ms): Classify pressed at once sends the
    picture chosen, rather than saying the input is empty."""
    image = tmp_path / "photo.png"
    image.write_bytes(media["image"])
    context = browser.new_context()
    context.add_init_script(
        """(() => {
          const read = FileReader.prototype.readAsDataURL;
          FileReader.prototype.readAsDataURL = function (file) {
            setTimeout(() => read.call(this, file), 800);
          };
        })()"""
    )
    page = context.new_page()
    page.goto(servers["google/vit-base-patch16-224"].url)
    before = len([e for e in emulator.log if e.method == "POST"])
    page.get_by_label("Image", exact=True).set_input_files(str(image))
    page.get_by_role("button", name="Classify").click()  # the picture not read yet
    page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=30_000)
    assert page.locator("#error").is_hidden()
    sent = [e for e in emulator.log if e.method == "POST"][before:]
    assert len(sent) == 1 and sent[0].body == media["image"]
    context.close()


def test_an_image_with_parameters_sends_them_in_the_query(
    browser, servers, emulator, media, tmp_path
):
    page = page_with_image(
        browser, servers["google/vit-base-patch16-224"].url, media["image"], tmp_path
    )
    page.locator("img.preview").wait_for(state="visible")
    page.locator("#parameters summary").click()
    page.get_by_label("top_k").fill("2")
    page.get_by_label("function_to_apply").select_option("softmax")
    before = len(emulator.log)
    page.get_by_role("button", name="Classify").click()
    page.get_by_text("Answered in").wait_for(timeout=30_000)
    sent = json.loads([e for e in emulator.log[before:] if e.method == "POST"][-1].body)
    assert sent["parameters"] == {"top_k": 2, "function_to_apply": "softmax"}
    assert base64.b64decode(sent["inputs"]) == media["image"]
    curl = page.locator("#snippet-curl").text_content()
    assert "/api/predict?top_k=2&function_to_apply=softmax'" in curl  # the panel's order


def test_example_chip_fills_and_runs(browser, servers, emulator):
    server = servers["google-bert/bert-base-uncased"]
    page = browser.new_page()
    page.goto(server.url)
    chips = page.locator(".chip")
    assert chips.count() == 2
    emulator.fail_next(422, {"error": ["Error in `inputs`: no mask token"]})
    chips.first.click()
    banner = page.locator("#error")
    banner.wait_for(state="visible", timeout=30_000)
    assert "no mask token" in banner.text_content()
    assert page.locator("#in-text").input_value() == "Paris is the [MASK] of France."


def test_page_says_loading_model_until_the_local_model_is_ready(
    browser, tiny_models, monkeypatch, tmp_path
):
    import threading

    import httpx

    from hubdemo.local.registry import LOCAL, LocalTask
    from support.local import serve_local
    from support.servers import ThreadServer

    release = threading.Event()
    real = LOCAL["text-classification"].make

    def slow_to_load(folder):
        release.wait(30)
        return real(folder)

    monkeypatch.setitem(LOCAL, "text-classification", LocalTask("model", slow_to_load))
    app, _ = serve_local(tiny_models["text-classification"])
    with ThreadServer(app) as server:
        page = browser.new_page()
        page.goto(server.url)
        banner = page.locator("#model-state")
        banner.wait_for(state="visible", timeout=30_000)
        assert "Loading model" in banner.text_content()
        assert httpx.get(f"{server.url}/healthz").json()["model"] == "loading"
        page.get_by_label("Text", exact=True).fill("i love this movie")
        page.get_by_role("button", name="Classify").click()  # waits for the model, no error
        page.screenshot(path=str(tmp_path / "loading.png"), full_page=True)
        release.set()
        page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=30_000)
        banner.wait_for(state="hidden", timeout=30_000)
        assert page.locator("#error").is_hidden()
        assert httpx.get(f"{server.url}/healthz").json()["model"] == "ready"


def test_page_waits_out_a_loading_model_and_says_so(browser, emulator, tmp_path):
    from support.servers import Server

    server = Server(
        emulator, "distilbert-base-uncased-finetuned-sst-2-english", "--retry-budget", "0"
    )
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.get_by_label("Text", exact=True).fill("I like you")
        # Loading from the click on, long enough to be seen on a busy machine.
        emulator.configure(loading_for=3, estimated_time=1)
        page.get_by_role("button", name="Classify").click()
        status = page.locator("#status")
        status.filter(has_text="The model is loading: trying again in 1 s").wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "loading-model.png"), full_page=True)
        page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=30_000)
        assert page.locator("#error").is_hidden()
    finally:
        emulator.configure()
        server.stop()


def test_model_output_is_shown_as_text_never_as_html(browser, servers, emulator, tmp_path):
    server = servers["distilbert-base-uncased-finetuned-sst-2-english"]
    attack = "<img src=x onerror=\"document.title='pwned'\">"
    emulator.fail_next(
        200, [[{"label": attack, "score": 0.9}, {"label": "<b>bold</b>", "score": 0.1}]]
    )
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.url)
    page.get_by_label("Text", exact=True).fill("I like you")
    page.get_by_role("button", name="Classify").click()
    label = page.locator("#out-labels .bar .label").first
    label.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(tmp_path / "xss.png"), full_page=True)
    assert label.text_content() == attack
    assert page.locator("#out-labels img, #out-labels b").count() == 0
    assert page.title() != "pwned" and dialogs == []


def test_ask_a_question_about_an_image(browser, servers, emulator, media, tmp_path):
    server = servers["dandelin/vilt-b32-finetuned-vqa"]
    page = page_with_image(browser, server.url, media["image"], tmp_path)
    page.get_by_label("Question", exact=True).fill("How many cats are lying down?")
    page.get_by_role("button", name="Answer").click()
    answer = page.locator(".answer-text")
    answer.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(tmp_path / "vqa.png"), full_page=True)
    best = max(emulator.replayed().json(), key=lambda a: a["score"])
    assert answer.text_content() == best["answer"]
    assert page.locator("#out-answer .score").text_content() == f"{best['score'] * 100:.1f}%"
    recorded = sorted(emulator.replayed().json(), key=lambda a: -a["score"])
    bars = page.locator("#out-answer .alternatives .bar")
    assert [b.locator(".label").text_content() for b in bars.all()] == [
        a["answer"] for a in recorded
    ]  # every answer, as bars, likeliest first


def test_parameter_controls_come_from_the_spec_and_reach_the_upstream(browser, servers, emulator):
    server = servers["distilbert-base-uncased-finetuned-sst-2-english"]
    page = browser.new_page()
    page.goto(server.url)
    page.locator("#parameters summary").click()
    top_k = page.get_by_label("top_k")
    assert top_k.get_attribute("type") == "number" and top_k.get_attribute("step") == "1"
    choices = page.get_by_label("function_to_apply").locator("option").all_text_contents()
    assert choices == ["default", "sigmoid", "softmax", "none"]
    top_k.fill("1")
    page.get_by_label("function_to_apply").select_option("softmax")
    page.get_by_label("Text", exact=True).fill("I like you")
    before = len(emulator.log)
    page.get_by_role("button", name="Classify").click()
    page.locator("#error, #out-labels .bar").first.wait_for(state="visible", timeout=30_000)
    sent = [e for e in emulator.log[before:] if e.method == "POST"][-1]
    assert json.loads(sent.body)["parameters"] == {"top_k": 1, "function_to_apply": "softmax"}
    snippet = page.locator("#snippet-python").text_content()
    # The "Use via API" Python runs as shown, and posts exactly the request the page made.
    call = next(
        node
        for node in ast.walk(ast.parse(snippet))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "post"
    )
    posted = ast.literal_eval(next(k.value for k in call.keywords if k.arg == "json"))
    assert posted == {
        "data": ["I like you"],
        "parameters": {"top_k": 1, "function_to_apply": "softmax"},
    }
    # The hubdemo snippet makes the same call through the Python API.
    shown = page.locator("#snippet-hubdemo").text_content()
    predict = next(
        node
        for node in ast.walk(ast.parse(shown))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "predict"
    )
    assert [ast.literal_eval(a) for a in predict.args] == ["I like you"]
    given = {k.arg: ast.literal_eval(k.value) for k in predict.keywords}
    assert given == {"top_k": 1, "function_to_apply": "softmax"}


def test_settings_inside_an_object_parameter_and_json_ones_reach_the_upstream(
    browser, servers, emulator, media, tmp_path
):
    page = page_with_image(
        browser, servers["hubdemo-emulated/image-to-video"].url, media["image"], tmp_path
    )
    page.locator("#parameters summary").click()
    page.get_by_label("target_size.width").fill("320")
    page.get_by_label("target_size.height").fill("240")
    page.get_by_label("num_frames").fill("8")
    page.get_by_role("button", name="Animate the image").click()
    page.locator("#out-video video").wait_for(state="visible", timeout=30_000)
    sent = json.loads(emulator.log[-1].body)
    assert sent["parameters"] == {"target_size": {"width": 320, "height": 240}, "num_frames": 8}
    assert base64.b64decode(sent["inputs"]) == media["image"]


def test_a_json_parameter_is_typed_as_json_and_checked_by_the_server(browser, servers, emulator):
    page = browser.new_page()
    page.goto(servers["hubdemo-emulated/image-to-video"].url)
    page.locator("#parameters summary").click()
    assert page.get_by_label("target_size.width").get_attribute("type") == "number"
    page = browser.new_page()
    page.goto(servers["mistralai/Mistral-7B-Instruct-v0.2"].url)
    page.locator("#parameters summary").click()
    response_format = page.get_by_label("response_format")
    assert response_format.evaluate("e => e.tagName") == "TEXTAREA"
    response_format.fill("not json")
    page.get_by_label("Message", exact=True).fill("hello")
    posts = len(emulator.log)
    page.get_by_role("button", name="Send").click()
    failed = page.locator(".conversation li.failed .content")  # a chat says it in the turn
    failed.wait_for(state="visible", timeout=30_000)
    assert "response_format" in (failed.text_content() or "")
    assert len(emulator.log) == posts  # refused here, never sent


def test_generated_image_and_sound_are_shown_and_downloadable(browser, servers, tmp_path):
    prompt = (
        "award winning high resolution photo of a giant tortoise/((ladybird)) hybrid, "
        "[trending on artstation]"
    )
    page = browser.new_page()
    page.goto(servers["stabilityai/stable-diffusion-2"].url)
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.get_by_role("button", name="Generate the image").click()
    picture = page.locator("#out-image .generated-image")
    picture.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("document.querySelector('#out-image img').naturalWidth > 0")
    assert picture.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [64, 48]
    assert page.locator("#out-image .download").get_attribute("download") == "text-to-image.jpg"
    page.screenshot(path=str(tmp_path / "text-to-image.png"), full_page=True)

    page.goto(servers["espnet/kan-bayashi_ljspeech_vits"].url)
    page.get_by_label("Text to say", exact=True).fill("hello there!")
    page.get_by_role("button", name="Speak").click()
    sound = page.locator("#out-audio audio")
    sound.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("document.querySelector('#out-audio audio').duration > 0")
    assert abs(sound.evaluate("a => a.duration") - 0.5) < 0.05  # the recorded file's length
    assert page.locator("#out-audio .download").get_attribute("download") == "text-to-speech.flac"


def test_segmentation_masks_are_painted_over_the_image(browser, servers, emulator, media, tmp_path):
    page = page_with_image(
        browser, servers["facebook/detr-resnet-50-panoptic"].url, media["image"], tmp_path
    )
    page.locator("img.preview").wait_for(state="visible")
    page.get_by_role("button", name="Segment").click()
    rows = page.locator("#out-segments .segment-list li")
    rows.first.wait_for(state="visible", timeout=30_000)
    recorded = emulator.replayed().json()
    assert rows.count() == len(recorded) == page.locator(".overlay canvas.mask").count()
    page.wait_for_function(
        "[...document.querySelectorAll('.overlay canvas.mask')].every(c => c.width > 0)"
    )
    painted = page.locator(".overlay canvas.mask").first.evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height)"
        ".data.some((v, i) => i % 4 == 3 && v > 0)"
    )
    # On a copy of the picture in the result pane; the input is left as it was given.
    overlay = page.locator("#out-segments .overlay").bounding_box()
    picture = page.locator("#out-segments img.annotated-image").bounding_box()
    assert overlay and picture and abs(overlay["width"] - picture["width"]) < 1
    assert page.locator("#out-segments img.annotated-image").get_attribute("src") == (
        page.locator("img.preview").get_attribute("src")
    )
    assert page.locator("[data-drop] canvas, [data-drop] .box").count() == 0
    assert painted, "the first mask tints some pixels"
    page.screenshot(path=str(tmp_path / "segmentation.png"), full_page=True)


def test_an_editable_table_answers_with_its_cells_highlighted(browser, servers, emulator, tmp_path):
    page = browser.new_page()
    page.goto(servers["google/tapas-base-finetuned-wtq"].url)
    grid = page.locator("table[data-kind=table]")
    page.get_by_role("button", name="+ row").click()
    assert grid.locator("tbody tr").count() == 2  # the empty grid grew a row
    page.locator(".chip").first.click()  # the Hub's example: fills the grid and runs
    answer = page.locator("#out-table .answer-text")
    answer.wait_for(state="visible", timeout=30_000)
    recorded = emulator.replayed().json()
    assert answer.text_content() == recorded["answer"]
    hits = page.locator("#out-table td.hit").all_text_contents()
    assert hits == recorded["cells"]
    assert grid.locator("thead th").all_text_contents()[:2] == ["Repository", "Stars"]
    page.screenshot(path=str(tmp_path / "table-qa.png"), full_page=True)
    hint = page.locator("#out-table .scroll-hint")
    assert hint.is_hidden()  # the table fits a desktop
    page.set_viewport_size({"width": 320, "height": 700})
    hint.wait_for(state="visible")  # on a phone it scrolls sideways, and says so
    assert hint.text_content() == "Scroll sideways to see every column."


def chat_page(browser, servers):
    """The chat model's page with the recorded request's settings and message typed in."""
    page = browser.new_page()
    page.goto(servers["mistralai/Mistral-7B-Instruct-v0.2"].url)
    page.locator("#parameters summary").click()
    page.get_by_label("max_tokens").fill("500")
    page.get_by_label("temperature").fill("0.1")
    page.get_by_label("seed").fill("0")
    page.get_by_label("Message", exact=True).fill("Complete the equation 1+1= ,just the answer")
    return page


def test_chat_streams_the_answer_and_keeps_the_conversation(browser, servers, emulator, tmp_path):
    page = chat_page(browser, servers)
    page.get_by_role("button", name="Send").click()
    page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
    turns = page.locator(".conversation li")
    assert turns.count() == 2
    assert turns.nth(0).locator(".role").text_content() == "user"
    recorded = streamed_text(emulator.replayed().body)
    # Drawn as Markdown: a paragraph, its edges trimmed; the model's end token left out.
    assert recorded.strip().endswith("</s>")
    shown = turns.nth(1).locator(".content").text_content().strip()
    assert shown == recorded.strip().removesuffix("</s>")
    assert page.get_by_label("Message", exact=True).input_value() == ""
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    for_docs(page, "chat")
    page.locator("#new-chat").click()
    assert page.locator(".conversation li").count() == 0


def test_chat_shows_the_first_tokens_before_the_last_arrive(browser, servers, emulator, tmp_path):
    # The emulator drips the recorded stream 8 bytes every 5 ms (about 2.4 s in all).
    page = chat_page(browser, servers)
    emulator.configure(drip_seconds=0.005)
    try:
        page.get_by_role("button", name="Send").click()
        answer = page.locator(".conversation li.assistant .content")
        answer.filter(has_text="1").wait_for(timeout=30_000)
        early = answer.text_content() or ""
        still_running = page.locator("#status").text_content() or ""
        page.screenshot(path=str(tmp_path / "chat-streaming.png"), full_page=True)
        page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
    finally:
        emulator.configure()
    final = (answer.text_content() or "").strip()
    recorded = streamed_text(emulator.replayed().body)
    # Drawn as Markdown: a paragraph, its edges trimmed; the model's end token left out.
    assert final == recorded.strip().removesuffix("</s>")
    early = early.strip()
    assert early and final.startswith(early) and len(early) < len(final)
    assert "Answered in" not in still_running  # seen while the stream was still arriving


def test_an_image_goes_with_a_chat_message(browser, servers, emulator, media, tmp_path):
    image = tmp_path / "photo.png"
    image.write_bytes(media["image"])
    page = browser.new_page()
    page.goto(servers["hubdemo-emulated/image-text-to-text"].url)
    page.get_by_label("Attach an image to the message").set_input_files(str(image))
    page.locator(".chat-image-preview").wait_for(state="visible")
    page.get_by_label("Message", exact=True).fill("What is in this picture?")
    page.get_by_role("button", name="Send").click()
    page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
    page.screenshot(path=str(tmp_path / "image-chat.png"), full_page=True)
    sent = json.loads(emulator.log[-1].body)["messages"][-1]
    assert sent["content"][0] == {"type": "text", "text": "What is in this picture?"}
    url = sent["content"][1]["image_url"]["url"]
    assert base64.b64decode(url.split(",", 1)[1]) == media["image"]
    user, answer = page.locator(".conversation li").all()
    assert user.locator(".content").text_content() == "What is in this picture?"
    assert user.locator("img.turn-image").evaluate("i => i.naturalWidth") > 0
    said = streamed_text(emulator.replayed().body)
    assert answer.locator(".content").text_content().strip() == said.strip()
    assert page.locator(".chat-image-preview").is_hidden()  # the next message starts bare


def test_a_media_example_fills_the_image_and_runs(browser, servers, tmp_path):
    page = browser.new_page()
    page.goto(servers["openai/clip-vit-base-patch32"].url)
    page.locator(".chip").first.click()
    page.locator("img.preview").wait_for(state="visible", timeout=30_000)
    assert page.get_by_label("Candidate labels, comma-separated").input_value() == (
        "playing music, playing sports"
    )
    page.locator("#out-labels .bar, #error").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(tmp_path / "media-example.png"), full_page=True)
    assert page.locator("img.preview").evaluate("i => i.naturalWidth") > 0
    # The file input names the example taken, not the browser's "No file chosen".
    chosen = page.locator("input[type=file]").evaluate("i => [i.files[0].name, i.files[0].size]")
    sent = page.locator("img.preview").evaluate("i => atob(i.src.split(',')[1]).length")
    assert chosen[0].startswith("example.") and chosen[1] == sent


def test_a_sound_shows_its_waveform_loud_where_it_is_loud(browser, servers, tmp_path):
    """Half a second of silence, then half a second of a tone: the bars on the right are tall,
    those on the left flat; a click on it moves the player there, the part before it in full
    colour."""
    import math
    import struct
    import wave

    sound = tmp_path / "quiet-then-loud.wav"
    with wave.open(str(sound), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        tone = (int(20_000 * math.sin(2 * math.pi * 440 * i / 16_000)) for i in range(8_000))
        out.writeframes(b"\0\0" * 8_000 + b"".join(struct.pack("<h", v) for v in tone))
    page = browser.new_page()
    page.goto(servers["alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech"].url)
    page.locator("#in-audio").set_input_files(str(sound))
    waveform = page.get_by_role("img", name="The sound's waveform")
    waveform.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("() => document.querySelector('canvas.waveform').width > 0")
    left, right = waveform.evaluate(
        """c => {
          const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
          const inked = (from, to) => {
            let n = 0;
            for (let y = 0; y < c.height; y++)
              for (let x = from; x < to; x++) n += data[(y * c.width + x) * 4 + 3] > 0;
            return n / ((to - from) * c.height);
          };
          return [inked(0, Math.floor(c.width * 0.4)), inked(Math.ceil(c.width * 0.6), c.width)];
        }"""
    )
    assert right > 0.5 and left < 0.1, (left, right)
    # A click at three quarters moves the player there; the bars before it turn full colour.
    box = waveform.bounding_box()
    waveform.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})
    page.wait_for_function("() => document.querySelector('audio.preview').currentTime > 0.7")
    assert page.locator("audio.preview").evaluate("a => a.currentTime") < 0.8
    shades = """c => {
          const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
          const alpha = (from, to) => {
            let most = 0;
            for (let y = 0; y < c.height; y++)
              for (let x = from; x < to; x++)
                most = Math.max(most, data[(y * c.width + x) * 4 + 3]);
            return most;
          };
          return [alpha(Math.ceil(c.width * 0.55), Math.floor(c.width * 0.7)),
                  alpha(Math.ceil(c.width * 0.8), c.width)];
        }"""
    for _ in range(100):  # repainted once the player has moved (its "seeked" event)
        played, waiting = waveform.evaluate(shades)
        if played == 255:
            break
        page.wait_for_timeout(50)
    assert played == 255 and waiting < 160, (played, waiting)
    page.get_by_role("button", name="Remove").click()
    assert waveform.is_hidden()


def test_record_from_the_microphone_and_classify(browser, servers, tmp_path):
    """Chromium's fake microphone (a beep; see CHROMIUM_ARGS) stands in for a person."""
    page = browser.new_page()
    page.goto(servers["alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech"].url)
    page.get_by_role("button", name="● Record").click()
    stop = page.get_by_role("button", name="■ Stop")
    stop.wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    stop.click()
    preview = page.locator("audio.preview")
    preview.wait_for(state="visible", timeout=30_000)
    assert preview.get_attribute("src").startswith("data:audio/webm")
    page.get_by_role("img", name="The sound's waveform").wait_for(state="visible", timeout=30_000)
    assert page.locator("#in-audio").evaluate("i => i.files[0].name") == "recording.webm"
    page.get_by_role("button", name="Classify").click()
    page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(tmp_path / "microphone.png"), full_page=True)
