"""The test token and the forms a careless upstream could echo it in."""

from __future__ import annotations

import base64

TOKEN = "hf_test_token_123"  # the emulator accepts it (tests/conftest.py)


def forms_of(token: str) -> list[str]:
    """What a careless upstream could echo."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in token)
    return [
        token,
        token[:8],  # what survives a cut in the middle
        escaped,
        "".join(f"%{ord(c):02X}" for c in token),
        base64.b64encode(f"user:{token}".encode()).decode(),
        base64.b64encode(token.encode()).decode()[:12],
    ]


def assert_clean(text: str, token: str = TOKEN) -> None:
    for form in forms_of(token):
        assert form not in text, f"{form!r} leaked: {text[:300]}"
