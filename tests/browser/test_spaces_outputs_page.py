"""A Space's outputs drawn on the page (Gallery, AnnotatedImage, File, Chatbot, an output
left empty) and axe on them, against the real Gradio 6 app tests/spaces/media_tools.py.

Expected values are worked out here from what the app does, never taken from hubdemo's
answers."""

from __future__ import annotations

import base64
import json

import httpx
from jsonschema import validate

from support.checks import answer_schema
from support.gradio_spaces import data_url, png
from support.pictures import RED, near, picture_of
from support.screenshots import for_docs
from support.servers import run_cli


def test_a_gallery_is_pictures_with_their_captions(media_space, browser) -> None:
    server = media_space("/gallery")
    info = httpx.get(f"{server.url}/api/info").json()
    assert [o["kind"] for o in info["outputs"]] == ["gallery"]
    assert [p["name"] for p in info["parameters"]] == ["count"]
    answer = server.predict({"data": [data_url(png(RED))], "parameters": {"count": 2}})
    assert answer.status_code == 200, answer.text
    validate(answer.json(), answer_schema(server.url))
    output = answer.json()["output"]
    assert [item["caption"] for item in output] == ["original", "grey"]  # tints()'s first two
    original, grey = (picture_of(item["image"]) for item in output)
    assert original.size == grey.size == (24, 16)
    assert near(original.getpixel((5, 5))[:3], RED)
    level = round(RED[0] * 0.299 + RED[1] * 0.587 + RED[2] * 0.114)  # ITU-R 601, as PIL's "L"
    assert near(grey.getpixel((5, 5))[:3], (level, level, level))

    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Picture", exact=True).set_input_files(
        files=[{"name": "red.png", "mimeType": "image/png", "buffer": png(RED)}]
    )
    page.locator("img.preview").wait_for(state="visible")
    page.get_by_role("button", name="Run").click()
    figures = page.locator("#out-gallery figure")
    figures.nth(2).wait_for(state="visible", timeout=30_000)  # the default: 3 copies
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
    validate(answer.json(), answer_schema(server.url))
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
    page.locator("#out-annotated .segment-list li").nth(1).wait_for(timeout=30_000)
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
    validate(answer.json(), answer_schema(server.url))
    assert answer.json()["output"] == [  # reply(): the message, then its word count
        {"role": "user", "content": "hi there"},
        {"role": "assistant", "content": "You said 2 word(s)."},
    ]
    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Message", exact=True).fill("a b c d")
    page.get_by_role("button", name="Run").click()
    turns = page.locator("#out-chat .turn .content")
    turns.nth(1).wait_for(timeout=30_000)
    assert turns.all_text_contents() == ["a b c d", "You said 4 word(s)."]
    page.close()


def test_no_axe_violations_on_the_new_output_kinds(media_space, browser, tmp_path) -> None:
    """axe-core on each endpoint's page, light and dark, before and after its result is drawn."""
    from support.js import violations

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
            page.locator(drawn).first.wait_for(timeout=30_000)
            page.wait_for_timeout(300)  # transitions end
            found[f"{api_name} {scheme}"] = before + violations(page)
            context.close()
    assert found == {name: [] for name in found} and len(found) == 8


def test_an_output_the_space_leaves_empty_is_said_in_words(media_space, browser, tmp_path):
    """upper_file() answers None for a file of blanks: null in `output`, a line on the page."""
    server = media_space("/capitals")
    blanks = "data:text/plain;name=blank.txt;base64," + base64.b64encode(b"  \n").decode()
    answer = server.predict({"data": [blanks]})
    assert answer.status_code == 200, answer.text
    validate(answer.json(), answer_schema(server.url))
    assert answer.json()["output"] is None
    given = tmp_path / "blank.txt"
    given.write_text("   \n", encoding="utf-8")
    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Text file", exact=True).set_input_files(str(given))
    page.locator(".chosen-file").wait_for(state="visible")
    page.get_by_role("button", name="Run").click()
    note = page.locator("#out-file .nothing")
    note.wait_for(state="visible", timeout=30_000)
    assert note.text_content() == "The Space answered nothing for Capitals."
    assert not page.locator("#out-file .files").is_visible()
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
    link.wait_for(state="visible", timeout=30_000)
    assert link.text_content() == link.get_attribute("download") == "notes.txt.upper.txt"
    assert page.locator("#out-file .file-preview").text_content() == "SMALL WORDS, SAID TWICE\n"
    page.close()


def test_several_outputs_of_one_kind_each_under_its_label(browser, emulator, spaces) -> None:
    """HTML + Textbox + Markdown: three text outputs, in order, each labelled, the markup drawn
    as markup; axe finds nothing on it, light and dark."""
    from support.js import violations
    from support.servers import Server

    server = Server(emulator, f"spaces/{spaces['reports']}", "--api-name", "/report")
    try:
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme, bypass_csp=True)
            page = context.new_page()
            page.goto(server.url)
            page.get_by_label("Text", exact=True).fill("fox")
            page.get_by_role("button", name="Run").click()
            notes = page.locator("#out-text-3")
            notes.locator("li strong").wait_for(timeout=30_000)
            labels = page.locator(".outputs .output:not([hidden]) > h3.output-label")
            assert labels.all_text_contents() == ["Card", "Upper", "Notes"]
            assert page.locator("#out-text em").text_content() == "HTML"  # the card, as markup
            assert page.locator("#out-text-2 .generated").text_content() == "FOX"
            assert notes.locator("h2").text_content() == "Notes"
            assert notes.locator("code").text_content() == "3"
            page.wait_for_timeout(300)
            assert violations(page) == [], scheme
            if scheme == "light":
                for_docs(page, "space-several-outputs")
            context.close()
    finally:
        server.stop()


def test_hostile_markup_from_a_space_runs_nothing_in_the_browser(browser, emulator, spaces):
    from support.servers import Server

    server = Server(emulator, f"spaces/{spaces['reports']}", "--api-name", "/hostile")
    try:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(server.url)
        title = page.title()
        page.get_by_label("Text", exact=True).fill("x")
        page.get_by_role("button", name="Run").click()
        page.locator("#out-text p", has_text="Hello").wait_for(timeout=30_000)
        assert page.locator("#out-text #card").count() == 0  # ids dropped: no DOM clobbering
        page.locator("#out-text-2 h1").wait_for()
        page.wait_for_timeout(500)  # an onerror would have fired by now
        for link in page.locator(".generated a").all():
            href = link.get_attribute("href")
            assert href is None or href.startswith("https://"), href
            assert link.get_attribute("rel") == "noopener noreferrer"
        page.locator("#out-text b", has_text="click me").click()
        page.locator("#out-text a", has_text="js link").click()
        page.wait_for_timeout(300)
        assert page.title() == title and "pwned" not in page.title()
        assert dialogs == []
        assert page.locator(".generated script, .generated iframe").count() == 0
    finally:
        server.stop()
