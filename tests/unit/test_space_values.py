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
