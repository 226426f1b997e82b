"""The page's rough edges, in Chromium: one heading, Clear clears everything, and on a phone
the result comes into view and no keyboard shortcut is advertised."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
MODEL = "distilbert-base-uncased-finetuned-sst-2-english"


def test_the_model_id_is_the_pages_one_heading(browser, servers) -> None:
    page = browser.new_page()
    page.goto(servers[MODEL].url)
    headings = page.locator("h1")
    assert headings.count() == 1
    assert headings.text_content().strip() == (
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    )


def test_clear_also_clears_the_result(browser, servers) -> None:
    page = browser.new_page()
    page.goto(servers[MODEL].url)
    page.get_by_label("Text", exact=True).fill("I like you. I love you.")  # recorded
    page.get_by_role("button", name="Classify").click()
    bars = page.locator("#out-labels .bar")
    bars.first.wait_for(state="visible", timeout=10_000)
    assert page.locator("#placeholder").is_hidden()
    page.get_by_role("button", name="Clear").click()
    assert page.locator("#out-labels").is_hidden()
    assert page.locator("#json-panel").is_hidden()
    assert page.locator("#placeholder").is_visible()
    assert page.locator("#status").text_content() == ""
    assert page.get_by_label("Text", exact=True).input_value() == ""


def test_on_a_phone_the_result_scrolls_into_view_and_no_shortcut_is_shown(
    browser, servers, tmp_path
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(servers[MODEL].url)
    assert page.locator(".actions .hint").is_hidden()
    outputs = page.locator(".pane.outputs")
    start = outputs.evaluate("e => e.getBoundingClientRect().top")
    assert start > 300  # the result pane begins low on the screen, below the inputs
    page.get_by_label("Text", exact=True).fill("I like you. I love you.")  # recorded
    page.get_by_role("button", name="Classify").tap()
    page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=10_000)
    page.wait_for_timeout(800)  # the smooth scroll
    top, bottom, height = outputs.evaluate(
        "e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom, innerHeight]"
    )
    page.screenshot(path=str(tmp_path / "phone.png"))
    context.close()
    assert top < start  # the page scrolled by itself
    assert top >= 0 and bottom <= height, (top, bottom, height)  # the whole result is in view
