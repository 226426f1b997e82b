"""``--auth``: credentials for every route but /healthz, compared in constant time.

``--auth user:password`` asks for HTTP Basic credentials (the browser shows its login box);
``--auth TOKEN`` (no colon) for ``Authorization: Bearer TOKEN`` (or any Basic user with that
password). Gradio's clients log in instead (``gradio_client.Client(url, auth=(user, pw))``):
``POST /login`` with the form fields ``username`` and ``password`` answers a cookie that stands
for the credential (an HMAC of it: the same on every worker, and worth nothing elsewhere).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from .security import send_json

LOGIN = "/login"
COOKIE = "hubdemo-auth"
MAX_LOGIN_BYTES = 4096
CHALLENGE = (b"www-authenticate", b'Basic realm="hubdemo", charset="UTF-8"')


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
        digest = hmac.new(credential.encode(), b"hubdemo login", hashlib.sha256).hexdigest()
        self.cookie = f"{COOKIE}={digest}"

    def _allowed(self, header: str) -> bool:
        scheme, _, value = header.strip().partition(" ")
        # The scheme is case-insensitive (RFC 9110 11.1); the credential is not.
        given = f"{scheme.capitalize()} {value.strip()}"
        if any(hmac.compare_digest(given.encode(), e.encode()) for e in self.expected):
            return True
        if ":" not in self.credential and scheme.lower() == "basic":
            try:
                _, _, password = base64.b64decode(value.strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            return hmac.compare_digest(password.encode(), self.credential.encode())
        return False

    def _logged_in(self, cookies: str) -> bool:
        return any(
            hmac.compare_digest(piece.strip().encode(), self.cookie.encode())
            for piece in cookies.split(";")
        )

    def _login_allowed(self, username: str, password: str) -> bool:
        if ":" in self.credential:
            given = f"{username}:{password}".encode()
            return hmac.compare_digest(given, self.credential.encode())
        return hmac.compare_digest(password.encode(), self.credential.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        if scope["path"] == LOGIN and scope["method"] == "POST":
            await self._login(receive, send)
            return
        headers = dict(scope["headers"])
        allowed = self._allowed(headers.get(b"authorization", b"").decode("latin-1"))
        if allowed or self._logged_in(headers.get(b"cookie", b"").decode("latin-1")):
            await self.app(scope, receive, send)
            return
        await send_json(
            send,
            401,
            {
                "error": "this demo needs credentials: log in, or send an Authorization header "
                "(Basic user:password, or Bearer <token>)",
                "type": "AuthRequired",
            },
            (b"www-authenticate", b'Basic realm="hubdemo", charset="UTF-8"'),
        )

    async def _login(self, receive: Receive, send: Send) -> None:
        """Gradio's login: the form's username and password, answered with the cookie."""
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_LOGIN_BYTES:
                await send_json(
                    send, 413, {"error": "the login form is too large", "type": "PayloadTooLarge"}
                )
                return
            if not message.get("more_body"):
                break
        fields = parse_qs(body.decode("latin-1"))
        username = (fields.get("username") or [""])[0]
        password = (fields.get("password") or [""])[0]
        if not self._login_allowed(username, password):
            await send_json(
                send,
                401,
                {"error": "wrong username or password; check --auth", "type": "AuthRequired"},
            )
            return
        cookie = f"{self.cookie}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")
        await send_json(send, 200, {"success": True}, (b"set-cookie", cookie))
