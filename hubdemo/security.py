"""What keeps a shared demo safe: security headers on every answer, and credentials.

``--auth user:password`` asks for HTTP Basic credentials (the browser shows its login box);
``--auth TOKEN`` (no colon) asks for ``Authorization: Bearer TOKEN``. Every route but
``/healthz`` needs them. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Everything the page loads comes from this server: no CDN, no inline script.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"media-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequireAuth:
    def __init__(self, app: ASGIApp, credential: str) -> None:
        self.app = app
        if ":" in credential:
            encoded = base64.b64encode(credential.encode()).decode()
            self.expected = [f"Basic {encoded}"]
        else:
            # A token works as a Bearer token, and as the password of any Basic user.
            self.expected = [f"Bearer {credential}"]
            self.password = credential
        self.credential = credential

    def _allowed(self, header: str) -> bool:
        if any(hmac.compare_digest(header.encode(), e.encode()) for e in self.expected):
            return True
        if ":" not in self.credential and header.startswith("Basic "):
            try:
                _, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            return hmac.compare_digest(password.encode(), self.credential.encode())
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if self._allowed(headers.get(b"authorization", b"").decode("latin-1")):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "error": "this demo needs credentials: log in, or send an Authorization header "
                "(Basic user:password, or Bearer <token>)",
                "type": "AuthRequired",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Basic realm="hubdemo", charset="UTF-8"'),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
