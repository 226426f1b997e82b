"""The chat page behaves like a chat, in Chromium: the conversation above the message box
(desktop and phone), Enter sends and Shift+Enter adds a line, a system prompt, Stop, Regenerate,
Copy, replies drawn as Markdown with raw HTML shown as text, a failed turn said in the
conversation with a Retry; axe at zero violations."""

from __future__ import annotations

import json
from typing import Any

from support.emulator import streamed_text
from support.js import violations
from support.servers import Server

CHAT = "mistralai/Mistral-7B-Instruct-v0.2"
RECORDED = "Complete the equation 1+1= ,just the answer"  # the recorded request's message


def chat_page(browser: Any, servers: Any, **context: Any) -> Any:
    """The chat page with the recorded request's settings, nothing typed yet."""
    page = browser.new_context(bypass_csp=True, **context).new_page()  # axe is injected
    page.goto(servers[CHAT].url)
    page.locator("#parameters summary").click()
    recorded_parameters(page)
    return page


def recorded_parameters(page: Any) -> None:
    page.get_by_label("max_tokens").fill("500")
    page.get_by_label("temperature").fill("0.1")
    page.get_by_label("seed").fill("0")


def sent(emulator: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(emulator.log[-1].body)
    return body


def test_enter_sends_shift_enter_adds_a_line_and_the_reply_can_be_copied(
    browser, servers, emulator
) -> None:
    page = chat_page(browser, servers, permissions=["clipboard-read", "clipboard-write"])
    box = page.get_by_label("Message", exact=True)
    box.fill("first line")
    box.press("Shift+Enter")
    assert box.input_value() == "first line\n"  # a new line, nothing sent
    assert page.locator(".conversation li").count() == 0
    box.fill(RECORDED)
    box.press("Enter")
    page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
    assert box.input_value() == ""
    recorded = streamed_text(emulator.replayed().body)
    assert recorded.endswith("</s>")  # the model's end token: a marker, not shown or copied
    reply = recorded.removesuffix("</s>")
    assistant = page.locator(".conversation li.assistant")
    assert assistant.locator(".content").text_content() == reply.strip()
    assistant.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == reply
    assert violations(page) == []


def test_the_conversation_is_above_the_message_box_on_a_phone_and_a_desktop(
    browser, servers
) -> None:
    for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 800}):
        page = chat_page(browser, servers, viewport=viewport)
        page.get_by_label("Message", exact=True).fill(RECORDED)
        page.get_by_role("button", name="Send").click()
        page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
        conversation = page.locator(".conversation").bounding_box()
        composer = page.get_by_label("Message", exact=True).bounding_box()
        assert conversation["y"] + conversation["height"] <= composer["y"], viewport
        page.context.close()


def test_a_long_conversation_scrolls_in_its_box_with_the_message_box_in_sight(
    browser, emulator, spaces
) -> None:
    """The echoing chat Space says back a 40-paragraph message: the conversation scrolls in
    its own box, kept at its end, and the message box stays on the same screen under it."""
    server = Server(emulator, f"spaces/{spaces['chat']}")
    try:
        for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
            page = browser.new_context(bypass_csp=True, viewport=viewport).new_page()
            page.goto(server.url)
            box = page.get_by_label("Message", exact=True)
            box.fill("\n\n".join(f"Paragraph {i}." for i in range(40)))
            box.press("Enter")
            reply = page.locator(".conversation li.assistant .content")
            reply.filter(has_text="(turn 1)").wait_for(timeout=30_000)
            conversation = page.locator(".conversation")
            whole, shown, scrolled = conversation.evaluate(
                "c => [c.scrollHeight, c.clientHeight, c.scrollTop]"
            )
            assert whole > 2 * shown, viewport  # it scrolls in its box, not the page
            assert scrolled + shown >= whole - 2, viewport  # at the reply's end
            conversation.scroll_into_view_if_needed()
            top = conversation.bounding_box()["y"]
            composer = box.bounding_box()
            assert composer["y"] + composer["height"] - top <= viewport["height"], viewport
            assert violations(page) == []
            page.context.close()
    finally:
        server.stop()


def test_a_failed_turn_is_said_in_the_conversation_and_retried(browser, servers, emulator) -> None:
    """A system prompt goes first in the request; the emulator has no recording of that
    request, so the turn fails; without it, Retry asks the same again and is answered."""
    page = chat_page(browser, servers)
    page.locator(".system-prompt summary").click()
    page.get_by_label("System prompt").fill("Answer in French.")
    page.get_by_label("Message", exact=True).fill(RECORDED)
    page.get_by_role("button", name="Send").click()
    failed = page.locator(".conversation li.assistant.failed")
    failed.wait_for(timeout=30_000)
    assert sent(emulator)["messages"][0] == {"role": "system", "content": "Answer in French."}
    assert "no recording" in failed.locator(".content").text_content()
    assert page.locator("#error").is_hidden()  # said in the conversation, not above it
    page.get_by_role("button", name="Clear").click()  # the message box and the parameters
    assert page.get_by_label("System prompt").input_value() == "Answer in French."  # kept
    assert page.locator(".conversation li").count() == 2  # the conversation too
    page.get_by_label("System prompt").fill("")
    recorded_parameters(page)
    failed.get_by_role("button", name="Retry").click()
    page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
    assert [m["role"] for m in sent(emulator)["messages"]] == ["user"]
    assert page.locator(".conversation li").count() == 2
    assert page.locator(".conversation li.failed").count() == 0


def test_stop_keeps_what_was_written_and_regenerate_asks_again(browser, servers, emulator) -> None:
    page = chat_page(browser, servers)
    page.get_by_label("Message", exact=True).fill(RECORDED)
    emulator.configure(drip_seconds=0.02)  # 8 bytes every 20 ms: about 10 s in all
    try:
        page.get_by_role("button", name="Send").click()
        answer = page.locator(".conversation li.assistant .content")
        answer.filter(has_text="answer").wait_for(timeout=30_000)
        page.get_by_role("button", name="Stop").click()
        page.locator("#status").filter(has_text="Stopped.").wait_for(timeout=10_000)
    finally:
        emulator.configure()
    kept = answer.text_content() or ""
    reply = streamed_text(emulator.replayed().body).strip().removesuffix("</s>")
    assert kept and reply.startswith(kept) and len(kept) < len(reply)
    assert page.locator(".conversation .turn-note").text_content() == "stopped"
    page.get_by_role("button", name="Regenerate").click()
    page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
    assert [m["role"] for m in sent(emulator)["messages"]] == ["user"]  # asked again, alone
    turns = page.locator(".conversation li")
    assert turns.count() == 2 and answer.text_content() == reply


def test_replies_are_markdown_and_raw_html_in_them_is_text(browser, emulator, spaces) -> None:
    """The echoing chat Space says back what it is sent: Markdown and a hostile tag."""
    server = Server(emulator, f"spaces/{spaces['chat']}")
    try:
        page = browser.new_page()
        page.goto(server.url)
        said = "**bold**, `code` and <img src=x onerror=alert(1)>"
        page.get_by_label("Message", exact=True).fill(said)
        page.get_by_role("button", name="Send").click()
        reply = page.locator(".conversation li.assistant .content")
        reply.filter(has_text="(turn 1)").wait_for(timeout=30_000)
        assert reply.locator("strong").text_content() == "bold"
        assert reply.locator("code").text_content() == "code"
        assert reply.locator("img").count() == 0
        assert "<img src=x onerror=alert(1)>" in reply.text_content()
        assert page.locator(".system-prompt").count() == 0  # a Space keeps its own
    finally:
        server.stop()
