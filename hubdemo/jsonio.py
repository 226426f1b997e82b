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


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data``; raises ValueError (JSONTooDeep for nesting), UnicodeDecodeError."""
    # Fewer brackets than the limit cannot nest deeper than it: most bodies skip the walk.
    raw = data.encode() if isinstance(data, str) else data
    brackets = raw.count(b"[") + raw.count(b"{")
    try:
        value = json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise JSONTooDeep(f"the JSON is nested more than {max_depth} levels deep") from None
    if brackets > max_depth and _depth_exceeds(value, max_depth):
        raise JSONTooDeep(f"the JSON is nested more than {max_depth} levels deep")
    if _SURROGATE_ESCAPE.search(raw):
        where = _find_surrogate(value, "")
        if where is not None:
            raise NotUnicode(where or "the body")
    return value
