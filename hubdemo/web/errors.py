"""The app's one error handler: hubdemo's errors as their JSON and status, HTTP errors as JSON
(or the error page, for a browser). Anything else reaches SecurityHeaders (security.py), the
outermost layer, which answers the one 500."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from ..errors import HubdemoError
from ..net import clamp_wait
from ..server.requestlog import note

log = logging.getLogger("hubdemo")
Handler = Callable[[Request, Exception], Awaitable[Response]]


def error_handler(templates: Jinja2Templates) -> Handler:
    """The handler of HubdemoError and HTTPException, drawing browser errors with
    ``templates``' error.html."""

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HubdemoError):
            return hubdemo_error(request, exc)
        assert isinstance(exc, HTTPException)
        if "text/html" in request.headers.get("accept", ""):
            return templates.TemplateResponse(
                request,
                "error.html",
                {"status": exc.status_code, "message": exc.detail},
                status_code=exc.status_code,
            )
        return JSONResponse(
            {"error": f"{exc.detail}: see GET /api/info for the API", "type": "HTTPError"},
            status_code=exc.status_code,
        )

    return on_error


def hubdemo_error(request: Request, exc: HubdemoError) -> Response:
    """``{"error", "type"}`` with the error's status; 429 and 503 always say when to come back."""
    status, payload = exc.status, exc.to_json()
    headers = {}
    wait = exc.retry_after
    if wait is None and status in (429, 503):
        wait = 5.0
    if wait is not None:
        headers["Retry-After"] = str(round(clamp_wait(wait)))
    log.info("%s %s -> %s %s", request.method, request.url.path, status, exc.type)
    note(request.scope, error=f"{exc.type}: {exc.message}")
    return JSONResponse(payload, status_code=status, headers=headers)
