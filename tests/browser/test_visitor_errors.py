"""Errors said to the visitor in their words, in Chromium: an empty input is asked for before
anything is sent; a refusal the visitor cannot fix (a gated model without a token) says so and
who can, with the server's words (for that person) under Details."""

from __future__ import annotations

from typing import Any

VIT = "google/vit-base-patch16-224"
SST2 = "distilbert-base-uncased-finetuned-sst-2-english"
GATED = "meta-llama/Llama-3.1-8B-Instruct"


def posts(emulator: Any) -> int:
    return sum(1 for entry in emulator.log if entry.method == "POST")


def test_an_empty_input_is_asked_for_before_anything_is_sent(browser, servers, emulator) -> None:
    for model, button, words in (
        (
            VIT,
            "Classify",
            "Add a picture first: choose a file, drop one on its box, or paste one.",
        ),
        (SST2, "Classify", "Type the text first."),
    ):
        page = browser.new_page()
        page.goto(servers[model].url)
        before = posts(emulator)
        page.get_by_role("button", name=button).click()
        error = page.locator("#error")
        error.wait_for(state="visible")
        assert error.text_content() == words
        assert posts(emulator) == before  # nothing was sent
        page.close()


def test_a_gated_model_tells_the_visitor_who_can_fix_it(browser, servers) -> None:
    page = browser.new_page()
    page.goto(servers[GATED].url)
    page.get_by_label("Message", exact=True).fill("Hello")
    page.get_by_role("button", name="Send").click()
    failed = page.locator(".conversation li.failed")
    failed.wait_for(timeout=30_000)
    said = failed.locator(".content").text_content()
    assert "not allowed to use the model" in said and "whoever runs this demo" in said
    assert "--token" not in said  # the operator's words are not the visitor's
    failed.locator("summary", has_text="Details").click()
    details = failed.locator(".failure-details p").text_content()
    assert "token" in details  # the server's words, for the person who runs it
    assert failed.get_by_role("button", name="Retry").is_visible()
