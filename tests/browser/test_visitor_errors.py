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


def test_a_wrong_file_is_refused_at_once_and_a_file_can_be_removed(
    browser, servers, emulator, media, tmp_path
) -> None:
    """A PDF on the image page: refused in the visitor's words before anything is sent (the
    server's check stays); a picture taken back with Remove."""
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%hubdemo\n")
    picture = tmp_path / "photo.png"
    picture.write_bytes(media["image"])
    page = browser.new_page()
    page.goto(servers[VIT].url)
    field = page.get_by_label("Image", exact=True)
    field.set_input_files(str(pdf))
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert error.text_content() == (
        '"invoice.pdf" is a PDF document, not a picture: choose a PNG, JPEG, GIF or WEBP file.'
    )
    assert page.locator(".stage").is_hidden()
    field.set_input_files(str(picture))
    page.locator("img.preview").wait_for(state="visible")
    assert error.is_hidden()
    page.get_by_role("button", name="Remove").click()
    assert page.locator(".stage").is_hidden() and field.input_value() == ""
    before = posts(emulator)
    page.get_by_role("button", name="Classify").click()
    assert error.text_content().startswith("Add a picture first")  # removed: nothing to send
    assert posts(emulator) == before


def test_a_parameter_outside_the_specs_bounds_is_refused_before_sending(
    browser, servers, emulator
) -> None:
    """Chat's spec: seed has a minimum of 0, max_tokens is an integer."""
    page = browser.new_page()
    page.goto(servers["mistralai/Mistral-7B-Instruct-v0.2"].url)
    page.locator("#parameters summary").click()
    before = posts(emulator)
    for name, typed, said in (
        ("seed", "-1", "seed is at least 0 (got -1)."),
        ("max_tokens", "1.5", "max_tokens takes a whole number (got 1.5)."),
    ):
        page.get_by_label(name, exact=True).fill(typed)
        page.get_by_label("Message", exact=True).fill("hello")
        page.get_by_role("button", name="Send").click()
        error = page.locator("#error")
        error.wait_for(state="visible")
        assert error.text_content() == said
        assert page.evaluate("document.activeElement.id") == f"param-{name}"  # where to fix it
        page.get_by_label(name, exact=True).fill("")
    assert posts(emulator) == before and page.locator(".conversation li").count() == 0


def test_a_photo_from_the_camera_is_the_input(browser, servers, emulator) -> None:
    """Chromium's fake camera (CHROMIUM_ARGS): Take a photo, Take it, and the frame is the
    picture sent; the camera is let go."""
    page = browser.new_page()
    page.goto(servers[VIT].url)
    page.get_by_role("button", name="Take a photo").click()
    feed = page.locator(".camera-feed")
    feed.wait_for(state="visible")
    for _ in range(100):  # the fake camera's first frame (the page's CSP forbids eval)
        if feed.evaluate("v => v.videoWidth") > 0:
            break
        page.wait_for_timeout(50)
    page.get_by_role("button", name="Take it").click()
    page.locator("img.preview").wait_for(state="visible")
    assert page.locator("img.preview").get_attribute("src").startswith("data:image/png;base64,")
    assert feed.is_hidden()
    assert page.evaluate("document.querySelector('.camera-feed').srcObject") is None  # let go
    before = posts(emulator)
    page.get_by_role("button", name="Classify").click()
    page.locator("#submit[aria-busy=false]").wait_for(timeout=30_000)
    sent = [e for e in emulator.log if e.method == "POST"][before:]
    assert sent and sent[-1].body.startswith(b"\x89PNG")  # the frame, sent as the body


def test_paste_takes_the_picture_copied_and_says_so_when_there_is_none(
    browser, servers, emulator
) -> None:
    """A 7 x 5 PNG put on the clipboard: Paste makes it the input, the picture sent; with
    only text on the clipboard, Paste says so in the visitor's words."""
    import base64
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (7, 5), (200, 30, 30)).save(picture, "PNG")
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(servers[VIT].url)
    page.evaluate(
        """async (b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const blob = new Blob([bytes], { type: "image/png" });
          await navigator.clipboard.write([new ClipboardItem({ "image/png": blob })]);
        }""",
        base64.b64encode(picture.getvalue()).decode(),
    )
    page.get_by_role("button", name="Paste").click()
    preview = page.locator("img.preview")
    preview.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('img.preview').naturalWidth > 0")
    assert preview.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [7, 5]
    assert page.locator("#in-image").evaluate("i => i.files[0].name") == "pasted.png"
    before = posts(emulator)
    page.get_by_role("button", name="Classify").click()
    page.locator("#submit[aria-busy=false]").wait_for(timeout=30_000)
    sent = [e for e in emulator.log if e.method == "POST"][before:]
    # The picture copied (Chromium's clipboard re-encodes a PNG: compared by its pixels).
    received = Image.open(io.BytesIO(sent[-1].body)).convert("RGB")
    assert received.size == (7, 5) and received.getcolors() == [(35, (200, 30, 30))]
    page.evaluate("navigator.clipboard.writeText('only words')")
    page.get_by_role("button", name="Paste").click()
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert "The clipboard holds no picture" in error.text_content()
    context.close()
