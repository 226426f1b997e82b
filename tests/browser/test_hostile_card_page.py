"""A model card written by an attacker, seen in a real browser: shown as text, and the page
still works."""

from __future__ import annotations

import json

from support.hostile import HOSTILE, MODEL
from support.servers import Server


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
        bar.wait_for(state="visible", timeout=30_000)
        recorded = max(emulator.replayed().json()[0], key=lambda r: r["score"])
        assert bar.locator(".label").text_content() == recorded["label"]
        page.screenshot(path=str(tmp_path / "hostile-card.png"), full_page=True)
        assert problems == []
    finally:
        server.stop()
