"""Reading JSON from outside (request bodies, upstream answers) with the checks a parser lacks.

``json.loads`` recurses once per nesting level: a body nested 10,000 deep raises RecursionError,
and one nested 900 deep parses but leaves too little stack for the code that walks it
afterwards. ``loads`` refuses anything nested deeper than ``MAX_DEPTH`` (JSONTooDeep), text
that is not Unicode (NotUnicode), and NaN/Infinity, which JSON does not have (ValueError):
callers turn those into a 400 (a request) or a 502 (an upstream answer).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# Far above any task's shape (chat messages with image parts are 6 deep), far below the stack.
MAX_DEPTH = 64


class JSONTooDeep(ValueError):
    """The document nests arrays/objects deeper than MAX_DEPTH."""


class NotUnicode(ValueError):
    """A string holds a lone UTF-16 surrogate (``"\\ud800"``): valid JSON, but not text that
    can be encoded, sent or shown."""

    def __init__(self, where: str) -> None:
        super().__init__(f"{where}: the text is not valid Unicode (it has a lone surrogate)")
        self.where = where


# JSON can only spell a surrogate as an escape: bodies without one skip the search.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _find_surrogate(value: Any, where: str) -> str | None:
    """The path of the first string (or object key) that is not valid Unicode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_surrogate(key, f"{where} (a key)") or _find_surrogate(
                item, f"{where}.{key}" if where else str(key)
            )
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_surrogate(item, f"{where}[{index}]")
            if found:
                return found
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit``; walks containers only, never strings."""
    level = [value]
    for _ in range(limit):
        level = [
            child
            for node in level
            if isinstance(node, (dict, list))
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return False
    return True


# -- large bodies: media strings cut out and read in slices ---------------------------------
#
# One C call holds the interpreter for its whole run: json.loads of a 19 MB body takes ~60 ms
# on these machines, and the event loop (/healthz, every other client) waits that long even when
# the parse runs in another thread. Long strings of the base64/data-URL alphabet (uploaded
# media) are therefore cut out of the body before json.loads, checked and copied a slice at a
# time (the interpreter can switch threads between slices), and put back into the result.

LARGE_BODY = 1 << 20
LONG_STRING = 64 * 1024
SLICE = 1 << 18  # about 2 ms of work: the loop waits no longer than that
_MEDIA_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_:;,."
_PLACEHOLDER = "\x00hubdemo-cut-{}"  # a NUL starts no real text a client would send


def _media_text(segment: bytes) -> str | None:
    """``segment`` as text when it holds only the media alphabet, checked a slice at a time."""
    pieces = []
    for start in range(0, len(segment), SLICE):
        piece = segment[start : start + SLICE]
        if piece.translate(None, _MEDIA_ALPHABET):
            return None
        pieces.append(piece.decode("ascii"))
    return "".join(pieces)


def _string_end(data: bytes, start: int) -> int:
    """The index of the quote that closes the string opened at ``start`` (-1 if none)."""
    search = start + 1
    while True:
        end = data.find(b'"', search)
        if end < 0:
            return -1
        backslashes = 0
        while data[end - 1 - backslashes] == 0x5C:  # an escaped quote is not the end
            backslashes += 1
        if backslashes % 2 == 0:
            return end
        search = end + 1


def _cut_long_strings(data: bytes) -> tuple[bytes, list[str]]:
    """``data`` with each long media string replaced by a placeholder, and those strings."""
    parts: list[bytes] = []
    cut: list[str] = []
    position = 0
    while True:
        start = data.find(b'"', position)
        if start < 0:
            break
        end = _string_end(data, start)
        if end < 0:
            break  # not JSON: json.loads will say where
        text = _media_text(data[start + 1 : end]) if end - start > LONG_STRING else None
        if text is None:
            parts.append(data[position : end + 1])
        else:
            parts.append(data[position:start])
            parts.append(json.dumps(_PLACEHOLDER.format(len(cut))).encode())
            cut.append(text)
        position = end + 1
    parts.append(data[position:])
    return b"".join(parts), cut


def _put_back(value: Any, cut: list[str]) -> Any:
    if isinstance(value, str):
        if value.startswith("\x00hubdemo-cut-"):
            index = value.rsplit("-", 1)[1]
            if index.isdigit() and int(index) < len(cut):
                return cut[int(index)]
        return value
    if isinstance(value, list):
        return [_put_back(item, cut) for item in value]
    if isinstance(value, dict):
        return {key: _put_back(item, cut) for key, item in value.items()}
    return value


def _shallow(value: Any, max_depth: int) -> Any:
    """``value``, or JSONTooDeep. The walk visits containers only and stops at the first
    level without any: a media body (one string) costs a microsecond, where counting its
    brackets cost 0.3 ms for 416 KB (bench_codecs.py)."""
    if _depth_exceeds(value, max_depth):
        raise JSONTooDeep(f"the JSON is nested more than {max_depth} levels deep")
    return value


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data``; raises ValueError (JSONTooDeep for nesting), UnicodeDecodeError.

    Bodies up to LARGE_BODY go through orjson (1.2-1.3x the standard library with these
    checks, on a small body and a 416 KB image body: bench_codecs.py), which refuses NaN,
    lone surrogates and nesting past 1,024; whatever it refuses is parsed again by the
    standard library, whose errors say what and where."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) <= LARGE_BODY:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # the path below words the error
        else:
            return _shallow(value, max_depth)
    cut: list[str] = []
    if len(raw) > LARGE_BODY:
        raw, cut = _cut_long_strings(raw)
        data = raw
    try:
        value = _shallow(json.loads(data, parse_constant=_no_constant), max_depth)
    except RecursionError:
        raise JSONTooDeep(f"the JSON is nested more than {max_depth} levels deep") from None
    if _SURROGATE_ESCAPE.search(raw):
        where = _find_surrogate(value, "")
        if where is not None:
            raise NotUnicode(where or "the body")
    return _put_back(value, cut) if cut else value
