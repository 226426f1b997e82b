"""A Space's values in hubdemo's output form (spaces/values.py, spaces/display.py) and back
to Gradio's (gradio_api/values.py)."""

from __future__ import annotations

from support.gradio_spaces import data_url, png
from support.pictures import RED


def test_a_chatbots_older_forms_read_as_the_same_conversation() -> None:
    """Gradio 5's Chatbot values (its "tuples" form, and messages whose content is a text or
    one file), as its documentation gives them, once the upstream made the file a data URL."""
    from hubdemo.spaces.values import normalize_value

    picture = data_url(png(RED))
    tuples = [["hi", "hello"], ["and this?", None]]
    assert normalize_value("chatbot", tuples) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "and this?"},
    ]
    messages = [
        {"role": "user", "content": "draw"},
        {"role": "assistant", "content": picture, "metadata": None},
        {"role": "assistant", "content": "data:text/plain;name=a.txt;base64,aGk="},
        {"role": "assistant", "content": {"component": "plot", "value": {}}},
    ]
    assert normalize_value("chatbot", messages) == [
        {"role": "user", "content": "draw"},
        {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": picture}}]},
        {"role": "assistant", "content": "[a file: a.txt]"},
        {"role": "assistant", "content": "[a part that hubdemo does not show]"},
    ]


def test_a_spaces_error_message_is_read_as_one_line_of_text() -> None:
    from hubdemo.spaces.failures import plain_text, retry_after

    said = (
        'You have exceeded your quota. <a style="x" href="https://hf.co/pro">Upgrade to '
        "<b>PRO</b></a> &amp; more.<br>Try again in 1:02:03"
    )
    assert plain_text(said) == (
        "You have exceeded your quota. Upgrade to PRO (https://hf.co/pro) & more.Try again in "
        "1:02:03"
    )
    assert retry_after(said) == 3723.0
    assert retry_after("Try again in 0:30") == 30.0
    assert retry_after("no time given") is None


def test_space_errors_map_to_hubdemos_statuses() -> None:
    from gradio_client.exceptions import AppError
    from gradio_client.utils import QueueError

    from hubdemo.spaces.failures import space_error

    refused = space_error(AppError("no <i>booms</i>", title="Bad word"), "o/s")
    assert (refused.status, refused.message) == (422, "the Space o/s answered: Bad word: no booms")
    hidden = space_error(
        AppError("The upstream Gradio app has raised an exception but has not enabled verbose "
                 "error reporting. To enable, set show_error=True in launch()."), "o/s"
    )  # fmt: skip
    assert (hidden.status, hidden.exit_code) == (502, 1)
    quota = space_error(AppError("GPU quota exceeded. Try again in 0:00:42"), "o/s")
    assert (quota.status, quota.retry_after) == (429, 42.0)
    assert space_error(QueueError("Queue is full!"), "o/s").status == 429


def test_markdown_and_html_answers_are_sanitized_markup() -> None:
    from hubdemo.spaces.markup import markdown_html, safe_html

    assert safe_html('<a href="javascript:x()" onclick="y()">a</a><script>z()</script>') == (
        '<a rel="noopener noreferrer">a</a>'
    )
    assert markdown_html("**b** <i>raw</i>") == "<p><strong>b</strong> &lt;i&gt;raw&lt;/i&gt;</p>\n"


def test_a_conversation_is_given_to_a_chatbot_input_in_the_form_it_takes() -> None:
    import pytest

    from hubdemo.errors import UpstreamBadResponse
    from hubdemo.spaces.values import history_form, history_value, reply_text

    turns = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
    ]
    # The example_input view_api gives for each form (Gradio 6; Gradio 5 messages, tuples).
    six = {"example_input": [{"role": "user", "content": [{"text": "Hello!", "type": "text"}]}]}
    five = {"example_input": [{"role": "user", "content": "Hello!"}]}
    pairs = {"example_input": [["Hello!", None]]}
    assert [history_form(p) for p in (six, five, pairs, {})] == [
        "parts", "messages", "tuples", "messages",
    ]  # fmt: skip
    assert history_value(turns, "tuples") == [["a", "b"], ["c", None]]
    assert history_value(turns, "parts")[2] == {
        "role": "user", "content": [{"type": "text", "text": "c"}],
    }  # fmt: skip
    answered = ("", [*turns, {"role": "assistant", "content": [{"type": "text", "text": "d"}]}])
    assert reply_text(answered, 1, "o/s") == "d"
    with pytest.raises(UpstreamBadResponse, match="answered no reply"):
        reply_text(("", turns), 1, "o/s")


def test_a_jobs_warnings_are_kept_as_its_updates_are_emptied() -> None:
    """gradio_client queues each status (a gr.Warning is one with a log) for an async reader
    hubdemo does not use: drain empties it, keeping the warnings as text."""
    import asyncio
    from types import SimpleNamespace

    from hubdemo.spaces.jobs import chat_text, drain

    updates: asyncio.Queue = asyncio.Queue()
    for entry in (None, ("Slow <b>CPU</b>", "warning"), ("fyi", "info"), ("Again", "WARNING")):
        updates.put_nowait(SimpleNamespace(log=entry))
    job = SimpleNamespace(communicator=SimpleNamespace(updates=updates))
    assert drain(job) == ["Slow CPU", "Again"]
    assert updates.empty() and drain(job) == []
    assert drain(object()) == []  # a gradio_client that keeps them elsewhere
    assert chat_text(("hi", None)) == "hi"
    assert chat_text([{"role": "assistant", "content": "yo"}]) == "yo"
