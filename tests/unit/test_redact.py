"""The redactor (redact.py): a token in any form it may take, at any offset, is scrubbed;
ordinary text is left alone."""

from __future__ import annotations

import base64

import pytest

from hubdemo.redact import Redactor
from support.secrets import TOKEN, assert_clean


@pytest.mark.parametrize("offset", range(4))
@pytest.mark.parametrize("form", ["plain", "escaped", "url", "base64", "basic"])
def test_the_redactor_finds_every_form_at_every_offset(form, offset) -> None:
    prefix = "x" * offset
    shown = {
        "plain": TOKEN,
        "escaped": "".join(f"\\u{ord(c):04X}" for c in TOKEN),
        "url": "".join(f"%{ord(c):02x}" for c in TOKEN),
        "base64": base64.b64encode((prefix + TOKEN).encode()).decode(),
        "basic": "Basic " + base64.urlsafe_b64encode(f"{prefix}:{TOKEN}".encode()).decode(),
    }[form]
    text = Redactor([TOKEN]).text(f"the upstream said: {shown} (sorry)")
    assert_clean(text)
    assert text.startswith("the upstream said: ") and text.endswith(" (sorry)")


def test_ordinary_text_is_left_alone() -> None:
    text = "bad input: the token_classification model wants text, not hf_ files"
    assert Redactor([TOKEN]).text(text) == text
