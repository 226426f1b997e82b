"""A compare demo's page in Chromium: one form, a pane per model side by side on a desktop and
stacked on a phone, each with its own answer (or error) and time; what differs marked; chat on
two providers streaming into two conversations; axe at zero violations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import REPO
from support.emulator import Emulator
from support.js import violations
from support.local import config_labels
from support.servers import Server

TESTS = str(REPO / "tests")
SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
SST2_TEXT = "I like you. I love you."  # the recorded request
NER = "dbmdz/bert-large-cased-finetuned-conll03-english"
NER_TEXT = "My name is Sarah Jessica Parker but you can call me Jessica"
CHAT = "hubdemo-emulated/llama-3.1-8b-instruct"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def open_page(browser: Any, url: str, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    page = browser.new_context(bypass_csp=True, viewport=viewport).new_page()  # axe is injected
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(url)
    return page, problems


def run_text(page: Any, text: str) -> None:
    page.locator("[data-input='0']").fill(text)
    page.locator("#submit").click()
    page.locator("#status").filter(has_text="Answered by").wait_for(timeout=60_000)


def pane(page: Any, index: int) -> Any:
    return page.locator(".contender").nth(index)


@pytest.fixture(scope="module")
def labels_demo(emulator, tiny_models) -> Iterator[tuple[Server, Path]]:
    folder = tiny_models["text-classification"]
    server = Server(emulator, SST2, str(folder), "--task", "text-classification")
    yield server, folder
    server.stop()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_each_models_labels_in_its_pane_with_the_top_answer_that_differs_marked(
    browser, emulator, labels_demo, viewport
) -> None:
    server, folder = labels_demo
    page, problems = open_page(browser, server.url, viewport)
    run_text(page, SST2_TEXT)
    recorded = json.loads(
        next(e for e in reversed(emulator.log) if e.method == "POST").replayed.body
    )[0]
    first, second = pane(page, 0), pane(page, 1)
    assert first.locator(".contender-name").text_content() == SST2
    assert second.locator(".contender-name").text_content() == str(folder)
    assert "router" in first.locator(".contender-backend").text_content()
    assert "local" in second.locator(".contender-backend").text_content()
    shown = first.locator(".bars li .label").all_text_contents()
    assert shown == [row["label"] for row in recorded]
    assert set(second.locator(".bars li .label").all_text_contents()) <= config_labels(folder)
    for each in (first, second):
        assert each.locator(".status").text_content().startswith("Answered in")
    # What differs is marked: a top label not every model's, else each row ranked otherwise.
    orders = [
        p.locator(".bars li").evaluate_all("ls => ls.map(l => l.dataset.label)")
        for p in (first, second)
    ]
    for mine, other, each in ((orders[0], orders[1], first), (orders[1], orders[0], second)):
        marked = each.locator(".bars li").evaluate_all(
            "ls => ls.map(l => l.classList.contains('differs'))"
        )
        if mine[0] != other[0]:
            assert (
                marked[0] and "is not every model's" in each.locator(".differences").text_content()
            )
        else:
            assert marked == [r >= len(other) or other[r] != label for r, label in enumerate(mine)]
    one, two = page.locator(".contender").evaluate_all(  # both in one layout
        "ps => ps.slice(0, 2).map(p => { const r = p.getBoundingClientRect();"
        " return { x: r.x, y: r.y, width: r.width, height: r.height }; })"
    )
    if viewport is DESKTOP:  # side by side
        assert abs(one["y"] - two["y"]) < 1 and two["x"] > one["x"] + one["width"]
    else:  # stacked, each the screen's width
        assert two["y"] >= one["y"] + one["height"] and two["width"] <= PHONE["width"]
    assert violations(page) == []
    assert problems == []


def test_entities_one_model_found_and_another_did_not_are_underlined(
    browser, emulator, tiny_models
) -> None:
    folder = tiny_models["token-classification"]
    server = Server(emulator, NER, str(folder), "--task", "token-classification")
    try:
        page, problems = open_page(browser, server.url, DESKTOP)
        run_text(page, NER_TEXT)
        spans = [
            set(
                pane(page, i)
                .locator("mark.entity")
                .evaluate_all("ms => ms.map(m => m.dataset.span)")
            )
            for i in (0, 1)
        ]
        for i in (0, 1):
            alone = spans[i] - spans[1 - i]
            marked = set(
                pane(page, i)
                .locator("mark.entity.only-here")
                .evaluate_all("ms => ms.map(m => m.dataset.span)")
            )
            assert marked == alone
        words = (
            pane(page, 0)
            .locator("mark.entity")
            .evaluate_all("ms => ms.map(m => m.firstChild.textContent)")
        )
        router = [e for e in emulator.log if e.method == "POST" and e.replayed]
        assert words == [e["word"] for e in json.loads(router[-1].replayed.body)]
        assert violations(page) == []
        assert problems == []
    finally:
        server.stop()


def test_a_picture_goes_to_every_model_and_a_failing_one_says_so_in_its_pane(
    browser, emulator, media, tmp_path
) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(media["image"])
    server = Server(emulator, "google/vit-base-patch16-224", "support.functions:size",
                    "--task", "image-classification", PYTHONPATH=TESTS)  # fmt: skip
    try:
        page, problems = open_page(browser, server.url, DESKTOP)
        page.get_by_label("Image", exact=True).set_input_files(str(picture))
        page.locator("img.preview").wait_for(state="visible")
        page.locator("#submit").click()
        page.locator("#status").filter(has_text="Answered by 2 of 2").wait_for(timeout=60_000)
        recorded = json.loads(emulator.replayed().body)
        assert pane(page, 0).locator(".bars li .label").first.text_content() == recorded[0]["label"]
        assert pane(page, 1).locator(".bars li .label").all_text_contents() == ["wide", "tall"]
        assert problems == []
    finally:
        server.stop()
    server = Server(emulator, SST2, "support.functions:broken", "--task", "text-classification",
                    PYTHONPATH=TESTS)  # fmt: skip
    try:
        page, problems = open_page(browser, server.url, DESKTOP)
        run_text(page, SST2_TEXT)
        assert page.locator("#status").text_content().startswith("Answered by 1 of 2")
        failed = pane(page, 1)
        assert failed.locator(".error").is_visible()
        failed.locator(".error summary").click()
        assert "the GPU caught fire" in failed.locator(".error").text_content()
        assert failed.locator(".status").text_content().startswith("Failed after")
        assert pane(page, 0).locator(".bars li").count() == 2
        assert violations(page) == []
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lenient(tapes) -> Iterator[Emulator]:
    with Emulator(tapes, lenient=True) as emulator:
        yield emulator


def recorded_reply(exchange: Any) -> str:
    chunks = [
        json.loads(line[5:])
        for line in exchange.body.decode().splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    ]
    return "".join(
        (c.get("choices") or [{}])[0].get("delta", {}).get("content") or "" for c in chunks
    )


def test_chat_on_two_providers_streams_into_a_conversation_each(browser, lenient) -> None:
    server = Server(lenient, CHAT, "--provider", "novita,cerebras", HF_TOKEN="hf_test_token_123")
    try:
        page, problems = open_page(browser, server.url, DESKTOP)
        box = page.get_by_label("Message", exact=True)
        box.fill("Say this is a test")
        box.press("Enter")
        for i in (0, 1):
            pane(page, i).locator(".status").filter(has_text="tokens/s").wait_for(timeout=30_000)
        posts = {e.path.split("/")[1]: e for e in lenient.log if e.method == "POST"}
        for i, provider in enumerate(["novita", "cerebras"]):
            said = pane(page, i).locator(".conversation li.assistant .content").text_content()
            assert said == recorded_reply(posts[provider].provider_replayed).strip()
            assert "first words after" in pane(page, i).locator(".status").text_content()
        # The conversations above the one message box; each goes on with its own replies.
        assert pane(page, 0).bounding_box()["y"] < box.bounding_box()["y"]
        box.fill("And again")
        box.press("Enter")
        for i in (0, 1):
            pane(page, i).locator(".conversation li.assistant:not(.pending)").nth(1).wait_for(
                timeout=30_000
            )
        latest = {
            e.path.split("/")[1]: json.loads(e.body) for e in lenient.log if e.method == "POST"
        }
        for provider in ("novita", "cerebras"):
            history = latest[provider]["messages"]
            assert [m["role"] for m in history] == ["user", "assistant", "user"]
            assert history[1]["content"] == recorded_reply(posts[provider].provider_replayed)
        assert violations(page) == []
        assert problems == []
    finally:
        server.stop()


def test_an_arena_hides_the_names_until_the_vote_then_rates_them(
    browser, emulator, tmp_path
) -> None:
    votes = tmp_path / "votes.jsonl"
    server = Server(emulator, SST2, "support.functions:feel", "--task", "text-classification",
                    "--arena", "--votes", str(votes), PYTHONPATH=TESTS)  # fmt: skip
    try:
        page, problems = open_page(browser, server.url, DESKTOP)
        assert page.locator("#leaderboard-empty").text_content() == "No votes yet."
        run_text(page, SST2_TEXT)
        assert [pane(page, i).locator(".contender-name").text_content() for i in (0, 1)] == [
            "Model A", "Model B"
        ]  # fmt: skip
        for i in (0, 1):  # nothing in a pane tells which model it is
            assert (
                SST2 not in pane(page, i).inner_text() and "feel" not in pane(page, i).inner_text()
            )
        assert page.locator("#vote").is_visible()
        assert violations(page) == []
        page.get_by_role("button", name="Model B is better").click()
        page.locator("#vote-said").filter(has_text="is recorded").wait_for(timeout=10_000)
        line = json.loads(votes.read_text())
        assert line["winner"] == "B"
        for i, side in enumerate(("Model A", "Model B")):
            name = line["models"][i]
            assert pane(page, i).locator(".contender-name").text_content() == f"{side}: {name}"
        rows = page.locator("#leaderboard tbody tr")
        rows.first.wait_for(timeout=10_000)
        assert rows.count() == 2
        assert rows.first.locator("td").nth(1).text_content() == line["models"][1]  # the winner
        assert not page.locator("#vote").is_visible()
        assert violations(page) == []
        assert problems == []
    finally:
        server.stop()
