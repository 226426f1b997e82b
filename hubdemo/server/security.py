"""What keeps a shared demo safe: security headers on every answer, other sites and other
host names kept out (credentials are auth.py's).

The layers, outermost first: SecurityHeaders (on every answer, a 500 included), AllowedHosts
(DNS rebinding), CORS (only with ``--cors``; before auth, so a preflight is answered),
RefuseCrossSite, RequireAuth (auth.py).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InputError

log = logging.getLogger("hubdemo")

# Everything the page loads comes from this server: no CDN, no inline script.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"media-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
        b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


# Inside <script type="application/json"> the HTML parser ends the element at "</script" and
# treats "<!--" specially, whatever JSON says; U+2028/9 end lines in older JavaScript parsers.
_HTML_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def json_for_html(value: object) -> str:
    """``value`` as JSON that is inert inside an HTML element: the characters HTML gives a
    meaning to are written as JSON escapes (which JSON.parse reads back unchanged)."""
    return json.dumps(value).translate(_HTML_UNSAFE)


async def send_json(send: Send, status: int, payload: dict[str, Any], *extra: Any) -> None:
    """A whole JSON answer, for the layers that answer before the app does."""
    body = json.dumps(payload).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every answer. It is the outermost layer, so it also turns an
    unexpected exception into the one 500 answer (Starlette's own would bypass it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unexpected error on %s", scope.get("path"))
            if started:
                raise  # the answer is half sent: the server closes the connection
            await send_json(
                send_with_headers,
                500,
                {
                    "error": "hubdemo hit an internal error; the server log has the details",
                    "type": "InternalError",
                },
            )


class AllowedHosts:
    """403 for a request whose Host names a site this server is not (DNS rebinding: a page of
    attacker.example whose name is made to resolve to 127.0.0.1 reaches this server as its own
    origin, and reads its answers).

    Allowed: any IP address (a rebinding needs a name), ``localhost`` and its subdomains, the
    name the server is bound to, and each ``--allowed-host`` (``*``: any). /healthz answers
    any Host (load balancers' probes)."""

    def __init__(self, app: ASGIApp, hosts: list[str]) -> None:
        self.app = app
        self.names = {h.strip().lower().rstrip(".") for h in hosts if h.strip()}
        self.anything = "*" in self.names

    def allowed(self, host: str) -> bool:
        name = _hostname(host)
        if self.anything or not name or name in self.names:
            return True
        if name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if self.allowed(host):
            await self.app(scope, receive, send)
            return
        shown = _hostname(host)[:100]
        await send_json(
            send,
            403,
            {
                "error": f"this server does not answer to the name {shown!r}: open it by its "
                f"address or as localhost, or start it with --allowed-host {shown} to answer to "
                "that name",
                "type": "UnknownHost",
            },
        )


def _hostname(host: str) -> str:
    """The name in a Host header, without its port: "[::1]:7860" -> "::1"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RefuseCrossSite:
    """403 for a state-changing request that another site's page made the browser send.

    Any page a user visits can make their browser POST to http://localhost:7860 (a form posts
    multipart or text/plain without asking). Browsers say where such a request came from:
    ``Sec-Fetch-Site`` (``cross-site``, or ``same-site`` for another port of localhost) and
    ``Origin``. Clients that are not browsers send neither and pass; so do the origins named
    with ``--cors``.
    """

    def __init__(self, app: ASGIApp, allowed_origins: list[str] | None = None) -> None:
        self.app = app
        self.allowed = {o.rstrip("/") for o in allowed_origins or []}

    def _foreign_origin(self, headers: dict[bytes, bytes]) -> str | None:
        """The other site a request came from, or None when it is this one's (or unknown)."""
        origin = headers.get(b"origin", b"").decode("latin-1").rstrip("/")
        if origin and (origin in self.allowed or "*" in self.allowed):
            return None
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1")
        if site in ("same-origin", "none"):
            return None  # the browser's own word: this page (even behind a proxy), or typed
        if site:
            return origin or f"a {site} page"
        if origin:  # a browser without Sec-Fetch-*: compare Origin with the host it called
            hosts = {headers.get(b"host", b""), headers.get(b"x-forwarded-host", b"")}
            if origin == "null" or urlsplit(origin).netloc.encode("latin-1") not in hosts:
                return origin
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        foreign = self._foreign_origin(dict(scope["headers"]))
        if foreign is None:
            await self.app(scope, receive, send)
            return
        await send_json(
            send,
            403,
            {
                "error": f"requests from another site ({foreign}) are refused: call the API "
                "from a program, or start the server with --cors <origin> to let that site's "
                "pages call it",
                "type": "CrossSiteRequest",
            },
        )


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


SESSION_HEADER = "x-hubdemo-session"
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{16,128}")


def visitor_of(request: Request) -> str | None:
    """The visitor a request speaks for (its X-Hubdemo-Session: the page sends a random one per
    load; an API client may), or None. A stateful Space keeps a session per visitor. Short
    ids are refused: a guessable id would let another client into that session."""
    given = request.headers.get(SESSION_HEADER)
    if given is None:
        return None
    if not _SESSION_ID.fullmatch(given):
        raise InputError(
            "X-Hubdemo-Session must be 16 to 128 letters, digits, '-' or '_': a random id "
            "such as a UUID (it names your session with a stateful Space); or leave it out"
        )
    return f"visitor:{given}"
