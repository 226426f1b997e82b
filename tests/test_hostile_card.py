"""A model card written by an attacker: every free-text field the page shows is hostile."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest
from conftest import Server, run_cli

MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
# Closes the JSON's <script>, then tries a form that posts elsewhere, a redirect and a script.
HOSTILE = (
    '</script><form id="pwn-form" action="http://127.0.0.2:9/steal" method="post">'
    '<button id="pwn">go</button></form><meta http-equiv="refresh" content="0;url=/api/info">'
    '<img id="pwn-img" src=x onerror="document.title=\'pwned\'"><!-- \u2028 & \u2029'
)


@pytest.fixture
def hostile_card(emulator) -> Iterator[dict]:
    recorded = emulator.tapes.infos[MODEL]
    info = copy.deepcopy(recorded)
    info["library_name"] = "transformers" + HOSTILE
    info["cardData"]["license"] = "mit" + HOSTILE
    info["tags"] = [*info["tags"], "license:x" + HOSTILE]
    info["widgetData"] = [
        {"text": "I like you. I love you.", "example_title": "nice" + HOSTILE},
        {"text": HOSTILE, "example_title": HOSTILE},
    ]
    emulator.tapes.infos[MODEL] = info
    try:
        yield info
    finally:
        emulator.tapes.infos[MODEL] = recorded


@pytest.mark.browser
def test_a_hostile_card_is_shown_as_text_and_the_page_still_works(
    browser, emulator, hostile_card, tmp_path
) -> None:
    server = Server(emulator, MODEL)
    try:
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
        page.goto(server.url)
        page.wait_for_timeout(500)  # a meta refresh of 0 s would have fired by now
        assert page.url.rstrip("/") == server.url
        assert page.title() != "pwned"
        for selector in ("#pwn", "#pwn-form", "#pwn-img", "meta[http-equiv]"):
            assert page.locator(selector).count() == 0, f"{selector} became part of the page"
        assert page.locator("form").count() == 1  # only the demo's own

        shown = json.loads(page.locator("#hubdemo-info").text_content())
        assert shown["license"] == "mit" + HOSTILE
        assert shown["library"] == "transformers" + HOSTILE
        assert [e["title"] for e in shown["examples"]] == ["nice" + HOSTILE, HOSTILE]
        assert page.locator(".chip").first.text_content() == "nice" + HOSTILE
        assert HOSTILE in page.locator("header").text_content()

        # The page still works: the first example fills the input and is classified.
        page.locator(".chip").first.click()
        bar = page.locator("#out-labels .bar").first
        bar.wait_for(state="visible", timeout=10_000)
        recorded = max(emulator.replayed().json()[0], key=lambda r: r["score"])
        assert bar.locator(".label").text_content() == recorded["label"]
        page.screenshot(path=str(tmp_path / "hostile-card.png"), full_page=True)
        assert problems == []
    finally:
        server.stop()


def test_the_page_escapes_markup_in_the_info_json(emulator, hostile_card) -> None:
    import httpx

    server = Server(emulator, MODEL)
    try:
        response = httpx.get(server.url)
    finally:
        server.stop()
    script = response.text.split('id="hubdemo-info">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "&" not in script
    assert json.loads(script)["license"] == "mit" + HOSTILE
    policy = response.headers["content-security-policy"]
    assert "form-action 'self'" in policy and "base-uri 'none'" in policy


def test_a_hub_answer_with_an_invalid_id_is_refused_at_start(emulator) -> None:
    emulator.tapes.infos["evil/model"] = {
        "id": 'evil/"><script>alert(1)</script>',
        "pipeline_tag": "text-classification",
        "tags": [],
    }
    try:
        result = run_cli(emulator, "describe", "evil/model")
    finally:
        del emulator.tapes.infos["evil/model"]
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a valid repo id" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
