"""A Space's outputs drawn from files and lists (Gallery, AnnotatedImage, File, Chatbot), a File
input, and a full queue, against the real Gradio 6 apps tests/spaces/media_tools.py and busy.py.

Expected values are worked out here from what each app does (tests/spaces), never taken from
hubdemo's own answers."""

from __future__ import annotations

import base64
import io
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from conftest import Server, free_port, run_cli
from gradio_spaces import data_url, png, written
from jsonschema import validate
from PIL import Image

RED = (200, 10, 10)


def picture_of(url: str) -> Image.Image:
    assert url.startswith("data:image/"), url[:40]
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA")


def close(seen: tuple[int, ...], wanted: tuple[int, ...], within: int = 6) -> bool:
    """A pixel of a lossy picture (Gradio's gallery is WEBP) near the one drawn."""
    return all(abs(a - b) <= within for a, b in zip(seen, wanted, strict=True))


def answer_schema(server: Server) -> dict[str, Any]:
    document = httpx.get(f"{server.url}/openapi.json").json()
    content = document["paths"]["/api/predict"]["post"]["responses"]["200"]["content"]
    return content["application/json"]["schema"]


@pytest.fixture
def media_space(emulator, spaces):
    """hubdemo serving one endpoint of the media_tools Space."""
    started: list[Server] = []

    def serve(api_name: str) -> Server:
        server = Server(emulator, f"spaces/{spaces['media_tools']}", "--api-name", api_name)
        started.append(server)
        return server

    yield serve
    for server in started:
        server.stop()


def test_a_gallery_is_pictures_with_their_captions(media_space, browser) -> None:
    server = media_space("/gallery")
    info = httpx.get(f"{server.url}/api/info").json()
    assert [o["kind"] for o in info["outputs"]] == ["gallery"]
    assert [p["name"] for p in info["parameters"]] == ["count"]
    answer = server.predict({"data": [data_url(png(RED))], "parameters": {"count": 2}})
    assert answer.status_code == 200, answer.text
    validate(answer.json(), answer_schema(server))
    output = answer.json()["output"]
    assert [item["caption"] for item in output] == ["original", "grey"]  # tints()'s first two
    original, grey = (picture_of(item["image"]) for item in output)
    assert original.size == grey.size == (24, 16)
    assert close(original.getpixel((5, 5))[:3], RED)
    level = round(RED[0] * 0.299 + RED[1] * 0.587 + RED[2] * 0.114)  # ITU-R 601, as PIL's "L"
    assert close(grey.getpixel((5, 5))[:3], (level, level, level))

    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Picture", exact=True).set_input_files(
        files=[{"name": "red.png", "mimeType": "image/png", "buffer": png(RED)}]
    )
    page.locator("img.preview").wait_for(state="visible")
    page.get_by_role("button", name="Run").click()
    figures = page.locator("#out-gallery figure")
    figures.nth(2).wait_for(state="visible", timeout=15_000)  # the default: 3 copies
    assert page.locator("#out-gallery figcaption").all_text_contents() == [
        "original", "grey", "mirrored",
    ]  # fmt: skip
    drawn = page.locator("#out-gallery img").evaluate_all(
        "imgs => imgs.map(i => i.complete && i.naturalWidth)"
    )
    assert drawn == [24, 24, 24]
    page.close()


def test_an_annotated_image_has_labelled_regions(media_space, browser) -> None:
    server = media_space("/regions")
    answer = server.predict({"data": [data_url(png(RED, (6, 4)))]})
    assert answer.status_code == 200, answer.text
    validate(answer.json(), answer_schema(server))
    output = answer.json()["output"]
    assert picture_of(output["image"]).size == (6, 4)
    assert [s["label"] for s in output["segments"]] == ["left", "right"]
    left, right = (picture_of(s["mask"]) for s in output["segments"])
    # regions(): a box over columns 0-2, a mask over columns 3-5: opaque inside, clear outside.
    assert [left.getpixel((x, 1))[3] for x in range(6)] == [255, 255, 255, 0, 0, 0]
    assert [right.getpixel((x, 1))[3] for x in range(6)] == [0, 0, 0, 255, 255, 255]

    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Picture", exact=True).set_input_files(
        files=[{"name": "red.png", "mimeType": "image/png", "buffer": png(RED, (60, 40))}]
    )
    page.locator("img.preview").wait_for(state="visible")
    page.get_by_role("button", name="Run").click()
    page.locator("#out-annotated .segment-list li").nth(1).wait_for(timeout=15_000)
    assert page.locator("#out-annotated .segment-list li").all_text_contents() == ["left", "right"]
    # Each region's canvas is painted (alpha 120) where its mask is, and clear elsewhere.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#out-annotated canvas')].every(c => c.width > 0)"
    )
    painted = page.locator("#out-annotated canvas").evaluate_all(
        """canvases => canvases.map(c => {
             const at = (x) => c.getContext('2d').getImageData(x, 20, 1, 1).data[3];
             return [at(5), at(55)];
           })"""
    )
    assert painted == [[120, 0], [0, 120]]
    page.close()


def test_a_file_goes_and_comes_back_under_its_name(
    media_space, emulator, spaces, browser, tmp_path
) -> None:
    given = tmp_path / "notes.txt"
    given.write_text("small words, said twice\n", encoding="utf-8")
    said = run_cli(
        emulator, "predict", f"spaces/{spaces['media_tools']}", str(given),
        "--api-name", "/capitals", "--json",
    )  # fmt: skip
    assert said.returncode == 0, said.stderr
    output = json.loads(said.stdout)["output"]
    header, payload = output.split(",", 1)
    assert (
        header == "data:text/plain;name=notes.txt.upper.txt;base64"
    )  # upper_file(): path+".upper.txt"
    assert base64.b64decode(payload).decode() == "SMALL WORDS, SAID TWICE\n"

    server = media_space("/capitals")
    info = httpx.get(f"{server.url}/api/info").json()
    assert info["inputs"][0]["kind"] == "file"
    assert info["examples"] == []  # a File example names its file only: not offered
    empty = server.predict({"data": ["data:text/plain;name=x.txt;base64,"]})
    assert empty.status_code == 400 and "the file is empty" in empty.json()["error"]
    not_a_file = server.predict({"data": [42]})
    assert not_a_file.status_code == 400 and "expected a file" in not_a_file.json()["error"]

    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Text file", exact=True).set_input_files(str(given))
    page.locator(".chosen-file").wait_for(state="visible")
    assert page.locator(".chosen-file").text_content().startswith("notes.txt · ")
    page.get_by_role("button", name="Run").click()
    link = page.locator("#out-file .files a.download")
    link.wait_for(state="visible", timeout=15_000)
    assert link.text_content() == link.get_attribute("download") == "notes.txt.upper.txt"
    assert page.locator("#out-file .file-preview").text_content() == "SMALL WORDS, SAID TWICE\n"
    page.close()


def test_a_chatbot_output_is_drawn_as_a_conversation(media_space, emulator, spaces, browser):
    said = run_cli(
        emulator, "predict", f"spaces/{spaces['media_tools']}", "one two three",
        "--api-name", "/reply",
    )  # fmt: skip
    assert said.returncode == 0, said.stderr
    assert "You said 3 word(s)." in said.stdout  # the last turn, as a terminal shows it
    server = media_space("/reply")
    answer = server.predict({"data": ["hi there"]})
    assert answer.status_code == 200, answer.text
    validate(answer.json(), answer_schema(server))
    assert answer.json()["output"] == [  # reply(): the message, then its word count
        {"role": "user", "content": "hi there"},
        {"role": "assistant", "content": "You said 2 word(s)."},
    ]
    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Message", exact=True).fill("a b c d")
    page.get_by_role("button", name="Run").click()
    turns = page.locator("#out-chat .turn .content")
    turns.nth(1).wait_for(timeout=15_000)
    assert turns.all_text_contents() == ["a b c d", "You said 4 word(s)."]
    page.close()


def test_a_full_queue_is_429_with_the_spaces_words(emulator, spaces) -> None:
    """busy.py runs one job and holds one more: of three at once, the third finds it full."""
    server = Server(emulator, f"spaces/{spaces['busy']}")
    try:
        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(lambda t: server.predict({"data": [t]}), ["ab", "cd", "ef"]))
    finally:
        server.stop()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 200, 429], [a.text for a in answers]
    full = next(a for a in answers if a.status_code == 429)
    assert "Queue is full" in full.json()["error"]
    assert full.headers["Retry-After"].isdigit()
    done = [a.json()["output"] for a in answers if a.status_code == 200]
    assert len(set(done)) == 2 and set(done) <= {"ba", "dc", "fe"}  # slow(): the text reversed


def test_a_file_input_from_python_and_the_cli_refuses_a_missing_path(emulator, spaces) -> None:
    missing = run_cli(
        emulator, "predict", f"spaces/{spaces['media_tools']}", "no/such/file.txt",
        "--api-name", "/capitals",
    )  # fmt: skip
    assert missing.returncode == 2
    assert "no such file 'no/such/file.txt'; give the path of a file" in missing.stderr
    raw = written(b"\x00\x01binary\xff")
    said = run_cli(
        emulator, "predict", f"spaces/{spaces['media_tools']}", str(raw),
        "--api-name", "/capitals", "--json",
    )  # fmt: skip
    # upper_file() reads text: the Space's own error, in hubdemo's status for a refused input.
    assert said.returncode != 0
    assert "the Space" in said.stderr


def test_describe_lists_the_media_endpoints_with_their_kinds(emulator, spaces) -> None:
    shown = run_cli(
        emulator, "describe", f"spaces/{spaces['media_tools']}", "--api-name", "/regions"
    )
    assert shown.returncode == 0, shown.stderr
    for signature in (
        "/gallery(image: Image, count: Slider) -> Gallery",
        "/regions(image: Image) -> Annotatedimage",  # as view_api names it
        "/capitals(path: File) -> File",
        "/reply(message: Textbox) -> Chatbot",
    ):
        assert signature in shown.stdout, shown.stdout
    assert "annotated" in shown.stdout  # the chosen endpoint's output kind


def test_no_axe_violations_on_the_new_output_kinds(media_space, browser, tmp_path) -> None:
    """axe-core on each endpoint's page, light and dark, before and after its result is drawn."""
    from test_accessibility import violations

    given = tmp_path / "notes.txt"
    given.write_text("some words\n", encoding="utf-8")
    picture = tmp_path / "red.png"
    picture.write_bytes(png(RED, (60, 40)))
    cases = {  # endpoint: (its input's label, what to give, what the result draws)
        "/gallery": ("Picture", picture, "#out-gallery figure"),
        "/regions": ("Picture", picture, "#out-annotated canvas"),
        "/capitals": ("Text file", given, "#out-file .file-preview"),
        "/reply": ("Message", "hello there", "#out-chat .turn"),
    }
    found = {}
    for api_name, (label, value, drawn) in cases.items():
        server = media_space(api_name)
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme, bypass_csp=True)
            page = context.new_page()
            page.goto(server.url)
            before = violations(page)
            field = page.get_by_label(label, exact=True)
            if isinstance(value, str):
                field.fill(value)
            else:
                field.set_input_files(str(value))
                page.locator("img.preview, .chosen-file").first.wait_for(state="visible")
            page.get_by_role("button", name="Run").click()
            page.locator(drawn).first.wait_for(timeout=15_000)
            page.wait_for_timeout(300)  # transitions end
            found[f"{api_name} {scheme}"] = before + violations(page)
            context.close()
    assert found == {name: [] for name in found} and len(found) == 8


def test_a_chatbots_older_forms_read_as_the_same_conversation() -> None:
    """Gradio 5's Chatbot values (its "tuples" form, and messages whose content is a text or
    one file), as its documentation gives them, once the upstream made the file a data URL."""
    from hubdemo.spaces.values import normalize_value

    picture = data_url(png(RED))
    tuples = [["hi", "hello"], ["and this?", None]]
    assert normalize_value("chatbot", tuples) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "and this?"},
    ]
    messages = [
        {"role": "user", "content": "draw"},
        {"role": "assistant", "content": picture, "metadata": None},
        {"role": "assistant", "content": "data:text/plain;name=a.txt;base64,aGk="},
        {"role": "assistant", "content": {"component": "plot", "value": {}}},
    ]
    assert normalize_value("chatbot", messages) == [
        {"role": "user", "content": "draw"},
        {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": picture}}]},
        {"role": "assistant", "content": "[a file: a.txt]"},
        {"role": "assistant", "content": "[a part that hubdemo does not show]"},
    ]


def test_smoke_runs_each_media_endpoint_and_replays_its_files(emulator, spaces, tmp_path):
    """Built-in samples (a picture, a text file, a text) through each endpoint; a recording
    of the file-bearing answers replays with the Space and the Hub gone."""
    space = f"spaces/{spaces['media_tools']}"
    reports = {}
    for api_name in ("/gallery", "/regions", "/capitals", "/reply"):
        report = tmp_path / f"{api_name[1:]}.json"
        tape = ["--record", str(tmp_path / "tape")] if api_name == "/capitals" else []
        said = run_cli(
            emulator, "smoke", space, "--api-name", api_name, "--report", str(report), *tape
        )
        assert said.returncode == 0, said.stdout + said.stderr
        [model] = json.loads(report.read_text())["models"]
        reports[api_name] = model["examples"][0]
    assert len(reports["/gallery"]["output"]) == 3  # tints(): count defaults to 3
    assert [s["label"] for s in reports["/regions"]["output"]["segments"]] == ["left", "right"]
    made = reports["/capitals"]["output"]
    assert base64.b64decode(made.split(",", 1)[1]).decode() == (
        "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG.\n"  # smoke's sample text, in capitals
    )
    assert reports["/reply"]["output"][-1]["content"].startswith("You said 9 word(s)")

    nowhere = f"http://127.0.0.1:{free_port()}"
    replayed = tmp_path / "replayed.json"
    again = run_cli(
        emulator, "smoke", space, "--api-name", "/capitals", "--replay", str(tmp_path / "tape"),
        "--report", str(replayed), HF_ENDPOINT=nowhere, HUBDEMO_ROUTER=nowhere,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(replayed.read_text())["models"][0]["examples"][0]["output"] == made


def test_an_output_the_space_leaves_empty_is_said_in_words(media_space, browser, tmp_path):
    """upper_file() answers None for a file of blanks: null in `output`, a line on the page."""
    server = media_space("/capitals")
    blanks = "data:text/plain;name=blank.txt;base64," + base64.b64encode(b"  \n").decode()
    answer = server.predict({"data": [blanks]})
    assert answer.status_code == 200, answer.text
    validate(answer.json(), answer_schema(server))
    assert answer.json()["output"] is None
    given = tmp_path / "blank.txt"
    given.write_text("   \n", encoding="utf-8")
    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Text file", exact=True).set_input_files(str(given))
    page.locator(".chosen-file").wait_for(state="visible")
    page.get_by_role("button", name="Run").click()
    note = page.locator("#out-file .nothing")
    note.wait_for(state="visible", timeout=15_000)
    assert note.text_content() == "The Space answered nothing for Capitals."
    assert not page.locator("#out-file .files").is_visible()
    page.close()


def test_a_file_on_another_host_is_not_fetched(emulator, spaces) -> None:
    """A value shaped like a file whose URL is not the Space's: refused, not fetched (a
    Space's files are fetched with the token when one is given). The URL would answer 200."""
    elsewhere = (
        f"{emulator.url}/api/models/distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    )
    assert httpx.get(elsewhere).status_code == 200
    said = run_cli(
        emulator, "predict", f"spaces/{spaces['media_tools']}", elsewhere,
        "--api-name", "/elsewhere", "--json",
    )  # fmt: skip
    assert said.returncode != 0
    assert "hubdemo fetches a Space's files from the Space's own host only" in said.stderr


def test_gradio_client_uploads_a_file_to_a_space_served_by_hubdemo(media_space, tmp_path):
    """hubdemo's own Gradio API in front of a Space: the File input takes gradio_client's
    upload (under its name), and the Space's file comes back."""
    from gradio_client import Client, handle_file

    server = media_space("/capitals")
    given = tmp_path / "notes.txt"
    given.write_text("via gradio_client\n", encoding="utf-8")
    client = Client(server.url, verbose=False, analytics_enabled=False, download_files=False)
    answer = client.predict(handle_file(str(given)), api_name="/predict")
    client.close()
    header, payload = answer.split(",", 1)  # a JSON value: the data URL of hubdemo's output
    assert header == "data:text/plain;name=notes.txt.upper.txt;base64"
    assert base64.b64decode(payload).decode() == "VIA GRADIO_CLIENT\n"
