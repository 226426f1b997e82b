"""The page in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


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
    first_bar.wait_for(state="visible", timeout=10_000)
    page.screenshot(path=str(tmp_path / "image-classification.png"), full_page=True)

    recorded = max(emulator.replayed().json(), key=lambda r: r["score"])
    assert first_bar.locator(".label").text_content() == recorded["label"]
    assert first_bar.locator(".value").text_content() == f"{recorded['score'] * 100:.2f}%"
    width = first_bar.locator(".fill").evaluate("e => e.style.width")
    assert abs(float(width.rstrip("%")) - recorded["score"] * 100) < 0.01
    assert page.locator("#out-labels .bar").count() == 5  # top 5, the rest behind "Show all"
    assert problems == []  # no CSP violation, no script error


def test_example_chip_fills_and_runs(browser, servers, emulator):
    server = servers["google-bert/bert-base-uncased"]
    page = browser.new_page()
    page.goto(server.url)
    chips = page.locator(".chip")
    assert chips.count() == 2
    emulator.fail_next(422, {"error": ["Error in `inputs`: no mask token"]})
    chips.first.click()
    banner = page.locator("#error")
    banner.wait_for(state="visible", timeout=10_000)
    assert "no mask token" in banner.text_content()
    assert page.locator("#in-text").input_value() == "Paris is the [MASK] of France."
