"""The Parameters panel a person can read and set, in Chromium: the parameters people change
first at the top, an object's settings together under its name, a slider where the spec gives a
range, the default shown, help with its links as links, nothing the spec calls unused."""

from __future__ import annotations

from typing import Any

from support.js import violations

CHAT = "mistralai/Mistral-7B-Instruct-v0.2"
ASR = "facebook/wav2vec2-large-960h-lv60-self"


def names(page: Any) -> list[str]:
    return [c.get_attribute("data-param") for c in page.locator("[data-param]").all()]


def test_chat_opens_with_temperature_and_max_tokens_not_unused_ones(browser, servers) -> None:
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(servers[CHAT].url)
    page.locator("#parameters summary").click()
    shown = names(page)
    assert shown[:4] == ["temperature", "max_tokens", "top_p", "seed"]
    info = page.evaluate("JSON.parse(document.getElementById('hubdemo-info').textContent)")
    unused = {p["name"] for p in info["parameters"] if p["description"].startswith("UNUSED")}
    assert unused and not unused & set(shown)  # the spec says they do nothing
    assert page.get_by_label("max_tokens", exact=True).get_attribute("placeholder") == (
        "default: 1024"
    )
    assert violations(page) == []


def test_a_range_has_a_slider_and_settings_sit_under_their_object(
    browser, servers, emulator
) -> None:
    page = browser.new_page()
    page.goto(servers[ASR].url)
    page.locator("#parameters summary").click()
    group = page.locator("fieldset.parameter-group", has_text="generation_parameters")
    assert group.locator("legend").text_content() == "generation_parameters"
    assert group.locator("[data-param]").count() >= 10
    # The visible name is the setting's; the accessible one keeps the object's.
    box = page.get_by_label("generation_parameters.max_new_tokens", exact=True)
    assert box.get_attribute("data-param") == "generation_parameters.max_new_tokens"
    label = group.locator("label[for='param-generation_parameters.max_new_tokens'] code")
    assert label.text_content() == "max_new_tokens"
    links = page.locator(".parameter .help a")
    assert links.count() >= 1 and links.first.get_attribute("href").startswith("https://")
    assert "](" not in page.locator("#parameters").text_content()  # no raw Markdown links


def test_the_slider_and_its_number_move_together(browser, emulator, spaces) -> None:
    """The chatbot template Space: temperature 0.1 to 4.0."""
    from support.servers import Server

    server = Server(emulator, f"spaces/{spaces['chatbot_template']}")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.locator("#parameters summary").click()
        box = page.locator("#param-temperature")
        slider = page.locator("input.slider[data-slider-for='param-temperature']")
        assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("0.1", "4.0")
        # A drag, as the browser reports one: the value, then an "input" event.
        slider.evaluate("s => { s.value = '2.5'; s.dispatchEvent(new Event('input')); }")
        assert box.input_value() == "2.5"
        box.fill("0.5")
        assert slider.input_value() == "0.5"
        controls = page.locator("[data-param]").evaluate_all("cs => cs.map(c => c.id)")
        assert (
            "param-temperature" in controls and not page.locator("input.slider[data-param]").count()
        )
    finally:
        server.stop()
