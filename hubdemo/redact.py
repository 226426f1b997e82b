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

_B64_RUN = "[A-Za-z0-9+/_-]*"


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
    """Replaces every form of the given secrets with ``replacement``."""

    def __init__(self, secrets: Iterable[str | None], replacement: str = "***") -> None:
        # Short secrets would redact ordinary words: a real token is dozens of characters.
        found = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)
        self.replacement = replacement
        patterns = [_escaped(s) for s in found]
        patterns += [_B64_RUN + re.escape(core) + _B64_RUN + "=*" for s in found for core in
                     _base64_cores(s)]  # fmt: skip
        self._pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(self.replacement, text)

    def bytes(self, data: bytes) -> bytes:
        if self._pattern is None:
            return data
        # latin-1 maps bytes to characters one to one, so nothing else changes.
        return self.text(data.decode("latin-1")).encode("latin-1")
