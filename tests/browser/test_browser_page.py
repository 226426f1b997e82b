"""The page's rough edges, in Chromium: one heading, Clear clears everything, and on a phone
the result comes into view and no keyboard shortcut is advertised."""

from __future__ import annotations

import re

import pytest

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"

# Resolves once the page has not scrolled for ten frames.
SCROLL_SETTLED = """() => new Promise(done => {
  let last = scrollY, still = 0;
  const tick = () => {
    still = scrollY === last ? still + 1 : 0; last = scrollY;
    still >= 10 ? done(true) : requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


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
    bars.first.wait_for(state="visible", timeout=30_000)
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
    page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("() => scrollY > 0")  # the smooth scroll began...
    page.wait_for_function(SCROLL_SETTLED)  # ...and ended
    top, bottom, height = outputs.evaluate(
        "e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom, innerHeight]"
    )
    page.screenshot(path=str(tmp_path / "phone.png"))
    context.close()
    assert top < start  # the page scrolled by itself
    assert top >= 0 and bottom <= height, (top, bottom, height)  # the whole result is in view


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_score_text_never_sits_on_a_bar(browser, servers, width, scheme) -> None:
    """The recorded scores fill their bars almost wholly (99.99%) and hardly at all (0.01%):
    every label and number stays whole, beside or above its bar, never on its edge."""
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    page.goto(servers[MODEL].url)
    page.get_by_label("Text", exact=True).fill("I like you. I love you.")  # recorded
    page.get_by_role("button", name="Classify").click()
    bars = page.locator("#out-labels .bar")
    bars.first.wait_for(state="visible", timeout=30_000)
    widths = []
    for bar in bars.all():
        box = bar.evaluate(
            """b => {
                const r = (s) => b.querySelector(s).getBoundingClientRect();
                const v = b.querySelector(".value");
                return {label: r(".label"), value: r(".value"), fill: r(".fill"),
                        meter: r(".meter"), bar: b.getBoundingClientRect(),
                        clipped: v.scrollWidth > v.clientWidth,
                        width: b.querySelector(".fill").style.width};
            }"""
        )
        widths.append(float(box["width"].rstrip("%")))
        drawn = box["fill"]["width"] / box["meter"]["width"] * 100
        assert abs(drawn - widths[-1]) < 0.5, (drawn, widths[-1])  # the bar shows the score
        for text in ("label", "value"):
            assert box[text]["bottom"] <= box["fill"]["top"], f"{text} runs onto the bar"
            assert (
                box["bar"]["left"] <= box[text]["left"] <= box[text]["right"] <= box["bar"]["right"]
            )
        assert not box["clipped"]
    context.close()
    assert max(widths) > 99 and min(widths) < 1  # both ends of the range were drawn


def test_the_submit_button_keeps_its_place_and_width_while_busy(browser, servers, emulator):
    """A slow answer (the router takes 1.5 s): the button keeps its label and size, Cancel
    stands where Clear stood, and the seconds are counted beside them."""
    page = browser.new_page()
    page.goto(servers[MODEL].url)
    page.get_by_label("Text", exact=True).fill("I like you. I love you.")  # recorded
    submit = page.get_by_role("button", name="Classify")
    clear = page.get_by_role("button", name="Clear")
    idle, clear_at = submit.bounding_box(), clear.bounding_box()
    emulator.configure(latency=5)  # long enough to look at it while it runs, even on a slow day
    try:
        submit.click()
        cancel = page.get_by_role("button", name="Cancel")
        cancel.wait_for(state="visible")
        page.wait_for_timeout(400)
        during, cancel_at = submit.bounding_box(), cancel.bounding_box()
        counted = page.locator("#elapsed").text_content()
        assert submit.is_disabled() and submit.text_content() == "Classify"
        page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=30_000)
    finally:
        emulator.configure()
    after = submit.bounding_box()
    assert during == idle and after == idle  # no layout shift, before, during or after
    assert cancel_at["x"] == clear_at["x"] and clear.is_visible()
    assert counted.endswith(" s") and float(counted[:-2]) > 0
    assert page.locator("#elapsed").is_hidden()


def test_the_hubdemo_snippet_runs_and_prints_what_the_page_shows(browser, servers, emulator):
    import ast
    import json
    import subprocess
    import sys

    from support.servers import hubdemo_env

    page = browser.new_page()
    page.goto(servers[MODEL].url)
    page.get_by_label("Text", exact=True).fill("I like you. I love you.")  # recorded
    page.get_by_role("button", name="Classify").click()
    page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=30_000)
    snippet = page.locator("#snippet-hubdemo").text_content()
    shown = json.loads(page.locator("#json").text_content())
    ran = subprocess.run(
        [sys.executable, "-c", snippet],
        env=hubdemo_env(emulator),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert ast.literal_eval(ran.stdout.strip()) == shown
    # And through gradio_client: the same labels and scores, in the Label's value shape.
    gradio = page.locator("#snippet-gradio").text_content()
    called = subprocess.run(
        [sys.executable, "-c", gradio],
        env={**hubdemo_env(emulator), "GRADIO_ANALYTICS_ENABLED": "False"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert called.returncode == 0, called.stderr
    label = ast.literal_eval(called.stdout.strip().splitlines()[-1])  # after "Loaded as API"
    pairs = [(c["label"], c["confidence"]) for c in label["confidences"]]
    assert sorted(pairs) == sorted((o["label"], o["score"]) for o in shown)


def test_a_loading_model_is_counted_down_in_the_result_pane(browser, emulator) -> None:
    """The server passes the 503 on at once (--retry-budget 0): the page says how long until
    it asks again and which attempt that is, the time so far where the answer will be, then
    the answer."""
    from support.servers import Server

    server = Server(emulator, MODEL, "--retry-budget", "0")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.get_by_label("Text", exact=True).fill("I like you. I love you.")  # recorded
        emulator.configure(loading_for=2.5, estimated_time=2)
        try:
            page.get_by_role("button", name="Classify").click()
            status = page.locator("#status")
            status.get_by_text(
                re.compile(r"^The model is loading: trying again in [12] s \(attempt 2 of 5\)$")
            ).wait_for(timeout=10_000)
            assert re.fullmatch(
                r"Running… \d+\.\d s", page.locator("#running").text_content().strip()
            )
            page.locator("#out-labels .bar").first.wait_for(state="visible", timeout=30_000)
        finally:
            emulator.configure()
        assert page.locator("#running").is_hidden()
    finally:
        server.stop()


def test_the_api_snippets_run_as_shown_before_any_run_and_can_be_copied(browser, tapes) -> None:
    """Before anything is run, the snippets send the first example (not empty inputs): the
    Python one, run as shown, prints the server's own answer to it. (A lenient emulator: the
    card's first example is not among the recorded requests.)"""
    import ast
    import subprocess
    import sys

    import httpx

    from support.emulator import Emulator
    from support.servers import Server, hubdemo_env

    with Emulator(tapes, lenient=True) as emulator:
        server = Server(emulator, MODEL)
        try:
            context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
            page = context.new_page()
            page.goto(server.url)
            info = httpx.get(f"{server.url}/api/info").json()
            first = info["examples"][0]["data"]
            page.locator("#api-panel summary").click()
            snippet = page.locator("#snippet-python").text_content()
            assert first[0] in snippet
            ran = subprocess.run([sys.executable, "-c", snippet], env=hubdemo_env(emulator),
                                 capture_output=True, text=True, timeout=60)  # fmt: skip
            assert ran.returncode == 0, ran.stderr
            answer = httpx.post(f"{server.url}/api/predict", json={"data": first}).json()
            assert ast.literal_eval(ran.stdout.strip()) == answer["output"]
            page.locator("#api-panel button.copy").first.click()  # curl's
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == page.locator("#snippet-curl").text_content()
            panel = page.locator("#api-panel").text_content()
            assert "It answers JSON: output, the task's answer in the Hub's shape" in " ".join(
                panel.split()
            )
            context.close()
        finally:
            server.stop()
