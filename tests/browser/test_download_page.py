"""The page of `hubdemo serve <id> --local` on an empty cache, in Chromium: up at once,
saying how much of the model is downloaded (a bar), then ready and answering."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.hub_repos import publish
from support.js import violations
from support.local import config_labels
from support.servers import Server


def test_the_page_shows_the_download_then_answers(
    emulator: Any, browser: Any, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    folder = tiny_models["text-classification"]
    repo = publish(emulator, "tiny/page-download", folder)
    emulator.hub_files.drip = 6_000.0  # bytes per second: ~5 s for the 32 KB chosen
    server = Server(emulator, repo.repo_id, "--local", HF_HUB_CACHE=str(tmp_path))
    try:
        page = browser.new_context(bypass_csp=True).new_page()  # axe is injected
        page.goto(server.url)
        state = page.locator("#model-state")
        state.get_by_text(f"Downloading {repo.repo_id}:").wait_for(timeout=10_000)
        line = state.locator(".download-line").text_content()
        assert " of 32 KB (file " in line and "You can submit already" in line
        bar = page.get_by_role("progressbar", name=f"Download of {repo.repo_id}")
        assert bar.get_attribute("max") == str(32066)
        assert violations(page) == []
        page.get_by_label("Text", exact=True).fill("I love it")
        page.get_by_role("button", name="Classify").click()  # sent while it downloads
        state.wait_for(state="hidden", timeout=60_000)
        bars = page.locator("#out-labels .bar .label")
        bars.first.wait_for(state="visible", timeout=60_000)
        assert set(bars.all_text_contents()) == config_labels(folder)
    finally:
        emulator.hub_files.drip = 0.0
        printed = server.stop()
    assert f"Downloading {repo.repo_id}" in printed and "✓ model.safetensors" in printed
