"""An upstream's non-2xx answer as one of hubdemo's errors, with a message that says the fix.

The message quotes the upstream's own words (its ``{"error": ...}``), the token redacted in
every form before anything is cut to length.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ... import jsonio
from ...errors import (
    UpstreamAuthError,
    UpstreamError,
    UpstreamLoading,
    UpstreamNotFound,
    UpstreamPaymentRequired,
    UpstreamRateLimited,
    UpstreamRejectedInput,
    UpstreamTimeout,
)
from ...hub import TOKEN_HELP
from ...net import retry_after, wait_seconds
from ...redact import Redactor


def error_text(body: bytes, redact: Redactor | None = None, limit: int = 300) -> str:
    """The message of an error body: {"error": str | [str] | {"message"}}, else the text;
    secrets redacted (in the body as sent and in its decoded strings) before it is cut."""
    redact = redact or Redactor(())
    body = redact.bytes(body)
    try:
        payload: Any = jsonio.loads(body)
    except (ValueError, UnicodeDecodeError):  # jsonio turns deep nesting into a ValueError
        return redact.text(body[: limit * 4].decode("utf-8", "replace")).strip()[:limit]
    message = json.dumps(payload)
    if isinstance(payload, dict):
        error = payload.get("error", payload.get("message", payload.get("detail")))
        if isinstance(error, dict):
            error = error.get("message", error)
        if isinstance(error, list):
            error = "; ".join(str(e) for e in error)
        if error is not None:
            message = str(error)
    return redact.text(message)[:limit]


@dataclass(frozen=True)
class Asked:
    """What an error message says about the request: whose model, and how to reach it."""

    model_id: str
    redact: Redactor
    gated: bool = False
    model_url: str | None = None


def upstream_error(
    status: int, body: bytes, headers: Mapping[str, str], asked: Asked
) -> UpstreamError:
    """The error for a ``status`` answer (its ``body`` and ``headers``) to ``asked``."""
    message = error_text(body, asked.redact)
    said = f"({status}: {message})" if message else f"({status})"
    if status in (401, 403):
        return _auth_error(status, said, asked)
    if status == 402:
        return UpstreamPaymentRequired(
            f"the provider refused the request {said}: your credits are used up; add "
            "credits on your Hugging Face account, or choose another --provider"
        )
    if status == 404:
        return UpstreamNotFound(
            f"the endpoint does not serve '{asked.model_id}' {said}; check the model id, or "
            "point --endpoint at a deployment of it"
        )
    if status in (400, 413, 422):
        return UpstreamRejectedInput(f"the model rejected the input {said}; change the input")
    if status == 429:
        wait = retry_after(headers)
        when = f"wait {wait:.0f} s" if wait is not None else "wait a little"
        return UpstreamRateLimited(
            f"the endpoint is rate limiting requests {said}; {when} and try again, or "
            f"{TOKEN_HELP} for a higher limit",
            retry_after=wait,
        )
    if status == 503:
        return _unavailable(body, said)
    if status == 504:
        return UpstreamTimeout(f"the endpoint timed out {said}; try again")
    return UpstreamError(f"the endpoint failed {said}; try again later")


def _auth_error(status: int, said: str, asked: Asked) -> UpstreamAuthError:
    if asked.gated:
        hint = (
            f"model '{asked.model_id}' is gated: accept its terms at "
            f"{asked.model_url or 'its Hub page'} while logged in, then {TOKEN_HELP}"
        )
    elif status == 401:
        hint = f"the endpoint needs a valid token: {TOKEN_HELP}"
    else:
        hint = "your token may not call inference: create one with inference permission"
    error = UpstreamAuthError(f"the endpoint refused the request {said}; {hint}")
    error.status = status
    return error


def _unavailable(body: bytes, said: str) -> UpstreamLoading:
    """503: a loading model says how long (``estimated_time``); anything else is "a minute"."""
    estimated = None
    with contextlib.suppress(ValueError, AttributeError, UnicodeDecodeError):
        estimated = wait_seconds(jsonio.loads(body).get("estimated_time"))
    if estimated is not None:
        return UpstreamLoading(
            f"the model is loading, about {estimated:.0f} s; try again then",
            retry_after=estimated,
        )
    return UpstreamLoading(f"the endpoint is unavailable {said}; try again in a minute")
