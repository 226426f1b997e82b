"""A Space's Markdown and HTML outputs as markup the page can show: Markdown rendered by
markdown-it-py (CommonMark, tables, raw HTML off) and any HTML through nh3 (ammonia's
allow-list sanitizer): allow-listed tags and attributes only, no script or style, no event
handlers, no javascript: or other non-web URLs, links opened with rel="noopener noreferrer".
The page sets the result as the output's content; its CSP still forbids inline script."""

from __future__ import annotations

from functools import cache
from typing import Any

URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


def safe_html(html: str) -> str:
    """``html`` with everything but the allow-listed markup taken out."""
    import nh3

    return nh3.clean(html, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")


def markdown_html(text: str) -> str:
    """Markdown as sanitized HTML (raw HTML in it shown as text, as markdown-it escapes it)."""
    return safe_html(_markdown().render(text))
