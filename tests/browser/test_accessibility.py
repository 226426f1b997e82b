"""axe-core (the accessibility engine of Lighthouse and Chrome's DevTools) on the page, in
Chromium: zero violations, at desktop and phone sizes, in light and dark, before and after a
result is drawn. axe-core comes from tests/js (`make test` installs it)."""

from __future__ import annotations

from typing import Any

import pytest

from support import REPO
from support.js import violations

AXE = REPO / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Per page kind: the model, how to fill the form (label: value; "Image": the recorded image
# uploaded), the button, and what the result draws.
PAGES: dict[str, tuple[str, dict[str, Any], str, str]] = {
    "labels": ("distilbert-base-uncased-finetuned-sst-2-english",
               {"Text": "I like you. I love you."}, "Classify", "#out-labels .bar"),
    "entities": ("dbmdz/bert-large-cased-finetuned-conll03-english",
                 {"Text": "My name is Sarah Jessica Parker but you can call me Jessica"},
                 "Find entities", "#out-entities .spans mark"),
    "similarity": ("sentence-transformers/paraphrase-xlm-r-multilingual-v1",
                   {"Source sentence": "That is a happy person",
                    "Sentences to compare (one per line)":
                        "That is a happy dog\nThat is a very happy person\nToday is a sunny day"},
                   "Compare", "#out-similarity .bar"),
    "embedding": ("sentence-transformers/distilbert-base-nli-mean-tokens",
                  {"Text": "That is a happy person"}, "Embed", "#out-embedding .strip .cell"),
    "boxes": ("facebook/detr-resnet-50", {"Image": "image"}, "Detect objects",
              ".overlay .box"),
    # The recorded request's settings (None: click it open), then the message.
    "chat": ("mistralai/Mistral-7B-Instruct-v0.2",
             {"#parameters summary": None, "max_tokens": "500", "temperature": "0.1",
              "seed": "0", "Message": "Complete the equation 1+1= ,just the answer"},
             "Send", ".conversation li .content"),
}  # fmt: skip


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_no_axe_violations(browser, servers, media, tmp_path, kind, size, scheme) -> None:
    model, fields, button, drawn = PAGES[kind]
    context = browser.new_context(
        viewport=SIZES[size], color_scheme=scheme, bypass_csp=True, is_mobile=size == "phone"
    )
    page = context.new_page()
    page.goto(servers[model].url)
    before = violations(page)
    for label, value in fields.items():
        if value is None:
            page.locator(label).click()
        elif label == "Image":
            upload = tmp_path / "photo.png"
            upload.write_bytes(media[value])
            page.get_by_label(label, exact=True).set_input_files(str(upload))
            page.locator("img.preview").wait_for(state="visible")
        else:
            page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name=button).click()
    page.locator(drawn).first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(300)  # transitions end
    after = violations(page)
    context.close()
    assert before == [], before
    assert after == [], after
