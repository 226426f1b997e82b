"""Spaces served by hubdemo, in a real browser: an image classifier, example chips that set
parameters, a chat, a table."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from playwright.sync_api import expect

from support.gradio_spaces import OWNER, png
from support.pictures import expected_colours
from support.screenshots import for_docs
from support.servers import Server, run_cli


def sent_in_chat(page: Any, text: str, turn: int) -> Any:
    """``text`` sent from a chat page as its ``turn``-th message; the locator of the reply."""
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()
    return page.locator(".conversation li").nth(2 * turn - 1).locator(".content")


def test_the_image_classifier_space_in_the_browser(browser, classifier, tmp_path) -> None:
    picture = tmp_path / "green.png"
    picture.write_bytes(png((20, 180, 40)))
    page = browser.new_page()
    page.goto(classifier.url)
    assert page.locator("h1").text_content().strip() == f"{OWNER}/image-classifier"
    page.get_by_label("Picture", exact=True).set_input_files(str(picture))
    page.locator("img.preview").wait_for(state="visible")
    page.get_by_role("button", name="Run").click()
    bars = page.locator("#out-labels .bar")
    bars.first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(tmp_path / "space-classifier.png"), full_page=True)
    for_docs(page, "space-image-classifier")
    chip = page.get_by_role("button", name="red.png")  # the example, by its file's name
    assert chip.locator("img.thumb").get_attribute("src").startswith("data:image/")
    assert chip.get_attribute("title") is None  # never a data URL as a tooltip
    wanted = expected_colours((20, 180, 40))
    assert bars.first.locator(".label").text_content() == "green"
    assert bars.first.locator(".value").text_content() == f"{wanted['green'] * 100:.1f}%"


def test_an_example_chip_sets_the_parameters_of_its_row(browser, emulator, spaces) -> None:
    server = Server(emulator, f"spaces/{spaces['text_tools']}")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.get_by_role("button", name="hello world").click()
        result = page.locator("#out-text")
        result.get_by_text("HELLO WORLD HELLO WORLD HELLO WORLD!").wait_for(timeout=30_000)
        page.locator("#parameters summary").click()
        assert page.get_by_label("times").input_value() == "3"
        assert page.get_by_label("exclaim").input_value() == "true"
    finally:
        server.stop()


def test_the_chat_space_in_the_browser(browser, emulator, spaces, tmp_path) -> None:
    server = Server(emulator, f"spaces/{spaces['chat']}")
    try:
        page = browser.new_page()
        page.goto(server.url)
        for turn, text in enumerate(("hello there", "again"), start=1):
            reply = sent_in_chat(page, text, turn)
            reply.filter(has_text=f"(turn {turn})").wait_for(timeout=30_000)
            assert reply.text_content() == f"You said: {text} (turn {turn})"
        page.screenshot(path=str(tmp_path / "space-chat.png"), full_page=True)
    finally:
        server.stop()


def test_a_dataframe_is_answered_as_headers_and_rows_and_drawn_as_a_table(
    browser, emulator, spaces
) -> None:
    text = "tiny words everywhere"
    said = run_cli(
        emulator, "predict", f"spaces/{spaces['text_tools']}", text,
        "--api-name", "/table", "--json",
    )  # fmt: skip
    assert said.returncode == 0, said.stderr
    output = json.loads(said.stdout)["output"]
    assert output["headers"] == ["word", "letters"]
    assert output["data"] == [[w, len(w)] for w in text.split()]
    server = Server(emulator, f"spaces/{spaces['text_tools']}", "--api-name", "/table")
    try:
        answer = server.predict({"data": [text]}).json()
        document = httpx.get(f"{server.url}/openapi.json").json()
        page = browser.new_page()
        page.goto(server.url)
        page.get_by_label("Text", exact=True).fill(text)
        page.get_by_role("button", name="Run").click()
        grid = page.locator("#out-rows .rows-grid")
        grid.locator("tbody tr").first.wait_for(state="visible", timeout=30_000)
        heads = grid.locator("thead th").all_text_contents()
        cells = [row.locator("td").all_text_contents() for row in grid.locator("tbody tr").all()]
    finally:
        server.stop()
    assert heads == ["word", "letters"]  # no prediction column: the Space's table as it is
    assert cells == [[w, str(len(w))] for w in text.split()]
    assert answer["data"][0]["table"] == {
        "word": text.split(),
        "letters": [str(len(w)) for w in text.split()],
    }
    from jsonschema import validate

    returned = document["paths"]["/api/predict"]["post"]["responses"]["200"]["content"]
    validate(answer, returned["application/json"]["schema"])


def test_two_visitors_of_a_stateful_space_each_see_only_their_own_notes(
    browser, emulator, spaces
) -> None:
    """Two browser contexts (two people) on one page: each page load is its own session on
    the Space, as on the Space's own page; a reload starts afresh."""
    server = Server(emulator, f"spaces/{spaces['notes']}")
    first, second = browser.new_context(), browser.new_context()
    try:
        alice, bob = first.new_page(), second.new_page()
        for page in (alice, bob):
            page.goto(server.url)

        def add(page, note: str, wanted: str) -> None:
            page.get_by_label("Note", exact=True).fill(note)
            page.get_by_role("button", name="Run").click()
            page.locator("#out-text").get_by_text(wanted, exact=True).wait_for(timeout=30_000)

        add(alice, "alpha", "alpha (call 1)")
        add(bob, "beta", "beta (call 1)")
        add(alice, "gamma", "alpha | gamma (call 2)")
        add(bob, "delta", "beta | delta (call 2)")
        bob.reload()
        add(bob, "epsilon", "epsilon (call 1)")
    finally:
        first.close()
        second.close()
        server.stop()


def test_the_page_starts_with_the_spaces_defaults_and_sends_them(browser, emulator, spaces):
    """As the Space's own page: a text box with its default, each control at its value (not
    "default"), the range beside it; Run untouched sends what the Space's page would."""
    server = Server(emulator, f"spaces/{spaces['text_tools']}")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.locator("#parameters summary").click()
        assert page.get_by_label("times").input_value() == "2"
        assert page.get_by_label("style").input_value() == "upper"
        assert page.get_by_label("exclaim").input_value() == "false"
        assert page.locator("label[for=param-times] .range").text_content() == "1 to 5"
        page.get_by_label("Text", exact=True).fill("Hi")
        page.get_by_role("button", name="Run").click()
        page.locator("#out-text").get_by_text("HI HI", exact=True).wait_for(timeout=30_000)
        sent = json.loads(page.locator("#snippet-curl").text_content().split("-d '")[1][:-1])
        assert sent["parameters"] == {"times": 2, "style": "upper", "exclaim": False}
    finally:
        server.stop()
    reports = Server(emulator, f"spaces/{spaces['reports']}", "--api-name", "/report")
    try:
        page = browser.new_page()
        page.goto(reports.url)
        box = page.get_by_label("Text", exact=True)
        assert box.input_value() == "fox" and box.get_attribute("placeholder") == "A word"
        page.get_by_role("button", name="Run").click()
        page.locator("#out-text-2").get_by_text("FOX", exact=True).wait_for(timeout=30_000)
        left_out = httpx.post(f"{reports.url}/api/predict", json={"data": [None]}, timeout=60)
        assert left_out.json()["output"][1] == "FOX"  # an input left out: the Space's default
    finally:
        reports.stop()


def test_a_spaces_progress_bar_and_partial_answers_on_the_page(browser, emulator, spaces):
    denoise = Server(emulator, f"spaces/{spaces['progress']}", "--api-name", "/denoise")
    try:
        page = browser.new_page()
        page.goto(denoise.url)
        page.get_by_label("Prompt", exact=True).fill("a fox")
        page.get_by_role("button", name="Run").click()
        bar = page.locator("#progress")
        bar.get_by_text(re.compile(r"^denoising \d/8 steps$")).wait_for(timeout=30_000)
        assert bar.locator("progress").count() == 1
        page.locator("#out-text").get_by_text("a fox, denoised in 8 steps").wait_for(timeout=30_000)
        assert bar.is_hidden()  # gone once the answer is in
    finally:
        denoise.stop()
    typewriter = Server(emulator, f"spaces/{spaces['progress']}", "--api-name", "/typewriter")
    try:
        page = browser.new_page()
        page.goto(typewriter.url)
        words = "one two three four five six seven eight"
        page.get_by_label("Prompt", exact=True).fill(words)
        page.get_by_role("button", name="Run").click()
        shown = page.locator("#out-text .generated")
        shown.filter(has_text="one").wait_for(timeout=30_000)
        early = (shown.text_content() or "").strip()  # a partial answer: some words, not all
        expect(shown).to_have_text(words, timeout=30_000)
        assert early and words.startswith(early) and early != words
        page.get_by_text(re.compile(r"^Answered in")).wait_for()
    finally:
        typewriter.stop()


def test_several_files_chosen_at_once_reach_the_space(browser, emulator, spaces) -> None:
    server = Server(emulator, f"spaces/{spaces['reports']}", "--api-name", "/sizes")
    try:
        page = browser.new_page()
        page.goto(server.url)
        chooser = page.get_by_label("Files", exact=True)
        assert chooser.get_attribute("multiple") is not None
        chooser.set_input_files(
            files=[
                {"name": "a.txt", "mimeType": "text/plain", "buffer": b"hello"},
                {"name": "b.txt", "mimeType": "text/plain", "buffer": b"hi there"},
            ]
        )
        expect(page.locator(".chosen-file")).to_have_text("a.txt · 0.0 KB, b.txt · 0.0 KB")
        page.get_by_role("button", name="Run").click()
        expect(page.locator("#out-text .generated")).to_have_text(
            "a.txt: 5 bytes\nb.txt: 8 bytes", timeout=30_000
        )
    finally:
        server.stop()


def test_a_multimodal_chat_space_takes_a_picture_from_the_page(browser, emulator, spaces):
    server = Server(emulator, f"spaces/{spaces['multimodal_chat']}")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.get_by_label("Attach an image to the message").set_input_files(
            files=[{"name": "p.png", "mimeType": "image/png", "buffer": png((1, 2, 3), (40, 30))}]
        )
        page.locator("img.chat-image-preview").wait_for(state="visible")
        answer = sent_in_chat(page, "what is this?", 1)
        expect(answer).to_have_text(
            "You said: what is this? with 1 picture(s) [(40, 30)] (turn 1)", timeout=30_000
        )
    finally:
        server.stop()


def test_the_chatbot_templates_parameters_panel_reaches_the_space(browser, emulator, spaces):
    """The Hub's chatbot template: its additional inputs are the chat page's parameters, at the
    Space's values and ranges (temperature 0.1 to 4, so 0.5 is taken), and reach the Space."""
    server = Server(emulator, f"spaces/{spaces['chatbot_template']}")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.locator("#parameters summary").click()
        temperature = page.locator("#param-temperature")
        assert temperature.input_value() == "0.7"
        assert page.locator("label[for=param-temperature] .range").text_content() == "0.1 to 4.0"
        temperature.fill("0.5")
        page.locator("#param-system_message").fill("Be brief.")
        answer = sent_in_chat(page, "hello", 1)
        expect(answer).to_have_text(
            "[Be brief.] max_tokens=512 temperature=0.5 top_p=0.95 turn=1: hello", timeout=30_000
        )
    finally:
        server.stop()


def test_a_chatbot_built_with_blocks_is_a_chat_page(browser, emulator, spaces, tmp_path):
    server = Server(emulator, f"spaces/{spaces['blocks_chat']}", "--api-name", "/respond")
    try:
        page = browser.new_page()
        page.goto(server.url)
        for turn, text in enumerate(("hello", "and again"), start=1):
            answer = sent_in_chat(page, text, turn)
            expect(answer).to_have_text(
                f"Blocks said: {text} (turn {turn}, temperature 0.5)", timeout=30_000
            )
        page.screenshot(path=str(tmp_path / "space-blocks-chat.png"), full_page=True)
    finally:
        server.stop()
