"""A Space's failure as hubdemo's error, as the Space meant it: its gr.Error's title and words
(a 422: the app refused this input), a quota it says is used up (429, with when to retry, its
links written out as text), a crash it keeps to itself (502: the Space failed, not the input),
a full queue (429), refused credentials, a lost connection."""

from __future__ import annotations

import html
import logging
import re

import httpx

from ..errors import (
    HubdemoError,
    UpstreamAuthError,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamRejectedInput,
    UpstreamUnreachable,
)

log = logging.getLogger("hubdemo")
# gradio_client's words for an error the app does not show (launched without show_error).
HIDDEN = "has not enabled verbose error reporting"
_QUOTA = re.compile(r"\bquota\b", re.IGNORECASE)
_RETRY_IN = re.compile(r"try again in (?:(\d+):)?(\d+):(\d+)", re.IGNORECASE)
_LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a\s*>""", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def plain_text(message: str) -> str:
    """A Gradio error message (HTML, as Gradio's modal shows it) as one line of text: a link
    as its words and its URL, other tags dropped, entities read."""
    text = _LINK.sub(lambda m: f"{_TAG.sub('', m.group(2)).strip()} ({m.group(1)})", message)
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def retry_after(message: str) -> float | None:
    """Seconds until a quota frees up, when the message says ("Try again in 0:01:30")."""
    found = _RETRY_IN.search(message)
    if found is None:
        return None
    hours, minutes, seconds = (int(part or 0) for part in found.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def space_error(exc: Exception, name: str) -> HubdemoError:
    from gradio_client.exceptions import AppError, AuthenticationError
    from gradio_client.utils import QueueError, TooManyRequestsError

    said = str(getattr(exc, "message", None) or exc).strip() or type(exc).__name__
    if isinstance(exc, AppError):
        if HIDDEN in said:
            return UpstreamBadResponse(
                f"the Space {name} failed on this input and keeps the error to itself (it "
                "runs without show_error); try other input, or tell the Space's owner"
            )
        title = str(getattr(exc, "title", "") or "").strip()
        words = plain_text(said)[:500]
        if title and title.lower() != "error":
            words = f"{plain_text(title)[:100]}: {words}"
        if _QUOTA.search(said) or _QUOTA.search(title):
            wait = retry_after(words)
            return UpstreamRateLimited(f"the Space {name} answered: {words}", retry_after=wait)
        return UpstreamRejectedInput(f"the Space {name} answered: {words}")
    if isinstance(exc, (QueueError, TooManyRequestsError)):
        return UpstreamRateLimited(
            f"the Space {name} is busy ({said[:200]}); try again shortly", retry_after=5
        )
    if isinstance(exc, AuthenticationError):
        return UpstreamAuthError(f"the Space {name} refused the credentials: {said[:200]}")
    if isinstance(exc, httpx.HTTPError):
        return UpstreamUnreachable(
            f"the connection to the Space {name} failed ({type(exc).__name__}); try again"
        )
    log.warning("the Space %s failed", name, exc_info=exc)
    return UpstreamUnreachable(f"the Space {name} failed: {said[:300]}")
