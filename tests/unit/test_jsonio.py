"""Large bodies are read in slices (jsonio.loads, media.decode_base64): the result must be
exactly what json.loads and base64 give, for any JSON and any position of the long strings."""

from __future__ import annotations

import base64
import binascii
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubdemo import jsonio
from hubdemo.errors import InputError
from hubdemo.media import decode_base64

LONG = base64.b64encode(os.urandom(jsonio.LONG_STRING)).decode()  # long enough to be cut out
MEDIA = st.sampled_from(
    [
        LONG,
        "data:image/png;base64," + LONG,
        LONG[:-4] + "ab==",
        LONG + "é",
        LONG + '\\"',
        LONG + "\n",
    ]
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), MEDIA)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(document=DOCUMENTS, padding=st.sampled_from([0, jsonio.LARGE_BODY + 1]))
def test_a_large_body_parses_to_what_json_loads_gives(document, padding) -> None:
    body = json.dumps({"pad": "x" * padding, "doc": document}).encode()
    assert jsonio.loads(body) == json.loads(body)


def test_a_cut_string_is_still_checked_for_nesting_and_surrogates() -> None:
    deep = b'{"a": "' + LONG.encode() * 20 + b'", "b": ' + b"[" * 100 + b"]" * 100 + b"}"
    with pytest.raises(jsonio.JSONTooDeep):
        jsonio.loads(deep)
    lone = b'{"a": "' + LONG.encode() * 20 + b'", "b": "\\ud800"}'
    with pytest.raises(jsonio.NotUnicode):
        jsonio.loads(lone)


def test_a_placeholder_sent_by_a_client_is_only_text() -> None:
    body = json.dumps({"a": "\x00hubdemo-cut-7", "b": LONG * 20}).encode()
    assert jsonio.loads(body) == json.loads(body)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 196_607, 196_608, 196_609, 1_000_001])
def test_base64_decoded_in_slices_equals_decoded_whole(size) -> None:
    raw = os.urandom(size)
    assert decode_base64(base64.b64encode(raw).decode(), "image") == raw


@pytest.mark.parametrize("damage", ["cut", "pad-in-the-middle", "newline", "space", "not-ascii"])
def test_bad_base64_is_refused_wherever_it_is(damage) -> None:
    text = base64.b64encode(os.urandom(600_000)).decode()
    middle = 300_001
    broken = {
        "cut": text[:-1],
        "pad-in-the-middle": text[:middle] + "=" + text[middle + 1 :],
        "newline": text[:middle] + "\n" + text[middle:],
        "space": text + " ",
        "not-ascii": text[:middle] + "é" + text[middle + 1 :],
    }[damage]
    with pytest.raises((binascii.Error, ValueError)):
        base64.b64decode(broken, validate=True)  # what the strict check must agree with
    with pytest.raises(InputError):
        decode_base64(broken, "image")
