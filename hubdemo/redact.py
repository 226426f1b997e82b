"""Keeping secrets (the Hub token) out of everything hubdemo writes or says.

An upstream may echo the token back in any form: as it is, JSON-escaped (``\\u0068f_…``),
URL-encoded (``%68f_…``), or base64-encoded (inside a ``Basic`` credential or a debug dump, at
any byte offset). ``Redactor`` finds every one of these forms, mixed or not, and it runs on
the whole text before anything is cut to length, so no prefix of the token survives either.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from typing import Any

_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")


def _escaped(secret: str) -> str:
    """A pattern for ``secret`` with any of its characters written as a JSON or URL escape."""
    parts = []
    for char in secret:
        code = f"{ord(char):02x}"
        forms = [re.escape(char), rf"\\u00{code}", f"%{code}"]
        parts.append("(?:" + "|".join(forms) + ")")
    return "".join(parts)


def _base64_cores(secret: str) -> list[str]:
    """The parts of base64(…secret…) that do not depend on what surrounds the secret: one
    for each of the three byte offsets at which it can start (standard and URL-safe)."""
    cores = []
    raw = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode().rstrip("=")
        # Drop the characters mixed with the padding bytes before and the unknown bytes after.
        start = (offset * 8 + 5) // 6
        end = (len(raw) + offset) * 8 // 6
        core = encoded[start:end]
        if len(core) >= 8:
            cores.append(core)
            cores.append(core.replace("+", "-").replace("/", "_"))
    return cores


class Redactor:
    """Replaces every form of the given secrets with ``replacement``, in time linear in the
    text (a base64 run is widened from where its core is found, never matched by a pattern that
    starts with an open-ended run: that backtracked quadratically, 15 s for 10 KB of base64)."""

    def __init__(self, secrets: Iterable[str | None], replacement: str = "***") -> None:
        # Short secrets would redact ordinary words: a real token is dozens of characters.
        found = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)
        self.replacement = replacement
        self._lowered = [s.lower() for s in found]
        escaped = "|".join(_escaped(s) for s in found)
        cores = "|".join(re.escape(core) for s in found for core in _base64_cores(s))
        self._escaped = re.compile(escaped, re.IGNORECASE) if escaped else None
        self._cores = re.compile(cores) if cores else None  # base64 is case-sensitive

    def __bool__(self) -> bool:
        return self._escaped is not None

    def text(self, text: str) -> str:
        if self._escaped is None:
            return text
        if self._cores is not None:
            text = self._without_base64(text, self._cores)
        if not self._may_hold_escaped(text):
            return text  # a quick look first: the pattern costs 30 ns a character (a 400 KB image)
        return self._escaped.sub(self.replacement, text)

    def _may_hold_escaped(self, text: str) -> bool:
        """Whether the secret can be in ``text`` as it is or escaped: with no escape in it,
        only as it is (any case)."""
        if "%" in text or "\\u" in text or "\\U" in text:
            return True
        lowered = text.lower()
        return any(secret in lowered for secret in self._lowered)

    def _without_base64(self, text: str, cores: re.Pattern[str]) -> str:
        """``text`` with each base64 run that holds a core replaced, the whole run."""
        pieces, done = [], 0
        for match in cores.finditer(text):
            if match.start() < done:
                continue  # inside a run replaced already
            start, end = match.start(), match.end()
            while start > done and text[start - 1] in _B64_ALPHABET:
                start -= 1
            while end < len(text) and text[end] in _B64_ALPHABET:
                end += 1
            while end < len(text) and text[end] == "=":
                end += 1
            pieces += [text[done:start], self.replacement]
            done = end
        return "".join([*pieces, text[done:]]) if pieces else text

    def bytes(self, data: bytes) -> bytes:
        if self._escaped is None:
            return data
        # latin-1 maps bytes to characters one to one, so nothing else changes.
        return self.text(data.decode("latin-1")).encode("latin-1")


def scrubbed(value: Any, redact: Redactor) -> Any:
    """A JSON value with every form of the secrets taken out of its strings and keys."""
    if isinstance(value, str):
        return redact.text(value)
    if isinstance(value, list):
        return [scrubbed(item, redact) for item in value]
    if isinstance(value, dict):
        return {redact.text(str(k)): scrubbed(v, redact) for k, v in value.items()}
    return value


class HeldBack:
    """A stream of text pieces with the secrets taken out, though a secret may come split over
    pieces: the last characters, as many as the longest form of a secret, wait for the next
    piece (or ``flush``) before they are given out."""

    def __init__(self, redact: Redactor, secrets: Iterable[str | None]) -> None:
        self.redact = redact
        self.hold = max((6 * len(s) + 8 for s in secrets if s), default=0)
        self.pending = ""

    def feed(self, piece: str) -> str:
        """What may be given out now of everything fed so far."""
        cleaned = self.redact.text(self.pending + piece)
        cut = max(0, len(cleaned) - self.hold)
        self.pending = cleaned[cut:]
        return cleaned[:cut]

    def flush(self) -> str:
        rest, self.pending = self.redact.text(self.pending), ""
        return rest
