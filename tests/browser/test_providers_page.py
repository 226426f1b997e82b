"""Inference Providers' answers drawn on the page: an image fal-ai generated, and a reasoning
model's thinking folded apart."""

from __future__ import annotations

import json

from support.emulated_providers import CAKE
from support.secrets import TOKEN
from support.servers import Server


def test_a_provider_generated_image_is_drawn_on_the_page(browser, emulator, tmp_path) -> None:
    """FLUX through fal-ai: the page says who answers, and shows the image fal-ai named."""
    server = Server(emulator, "black-forest-labs/FLUX.1-schnell", HF_TOKEN=TOKEN)
    try:
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(server.url)
        assert "answered by fal-ai (Inference Provider)" in page.locator(".backend").text_content()
        page.locator("#in-text").fill(CAKE)
        page.locator("#submit").click()
        image = page.locator("#out-image img")
        image.wait_for(state="visible", timeout=30_000)
        page.wait_for_function("() => document.querySelector('#out-image img').naturalWidth > 0")
        page.screenshot(path=str(tmp_path / "provider-image.png"), full_page=True)
        src = image.get_attribute("src") or ""
    finally:
        printed = server.stop()
    assert src.startswith("data:image/")
    assert "answered by fal-ai (Inference Provider)" in printed
    assert problems == []


def test_a_reasoning_models_thinking_is_shown_apart(browser, emulator, tmp_path) -> None:
    """DeepSeek-R1 on fireworks-ai streams <think>…</think> before its answer: the page folds
    the thinking away and shows the answer; together they are the recorded text."""
    server = Server(emulator, "deepseek-ai/DeepSeek-R1", HF_TOKEN=TOKEN)
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.get_by_label("Message", exact=True).fill("Say this is a test")
        page.get_by_role("button", name="Send").click()
        page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
        reply = page.locator(".conversation li.assistant").last
        thinking = reply.locator("details.thinking .thought").text_content() or ""
        answer = reply.locator(".content").text_content() or ""
        page.screenshot(path=str(tmp_path / "thinking.png"), full_page=True)
        folded = reply.locator("details.thinking").evaluate("d => !d.open")
    finally:
        server.stop()
    sent = [e for e in emulator.log if e.method == "POST"][-1]
    written = "".join(
        (json.loads(line[5:]).get("choices") or [{}])[0].get("delta", {}).get("content") or ""
        for line in sent.provider_replayed.body.decode().splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    )
    think, _, said = written.partition("</think>")
    assert thinking == think.replace("<think>", "").strip() and thinking
    assert answer == said.lstrip() and answer
    assert folded
