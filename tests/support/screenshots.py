"""Screenshots for the docs, taken by the browser tests as they check the page, so that the
pictures in README.md and docs/ show the page as it is. What changes from run to run (the
timings) is hidden, so an unchanged page gives the same picture and git sees no change."""

from __future__ import annotations

from typing import Any

from support import REPO

DOCS_IMAGES = REPO / "docs" / "images"
VIEWPORT = {"width": 1100, "height": 760}
CHANGING = "#elapsed, #status, .duration, .timing"
# Through the CSSOM: the page's Content-Security-Policy refuses an injected <style>.
SET_VISIBILITY = """([selector, hidden]) => document.querySelectorAll(selector).forEach(
  e => { e.style.visibility = hidden ? "hidden" : ""; })"""


def for_docs(page: Any, name: str) -> None:
    """docs/images/<name>.png of ``page`` as it is now, at a desktop size."""
    DOCS_IMAGES.mkdir(exist_ok=True)
    page.set_viewport_size(VIEWPORT)
    page.wait_for_timeout(150)  # the layout settles at the new size
    path = DOCS_IMAGES / f"{name}.png"
    page.evaluate(SET_VISIBILITY, [CHANGING, True])
    try:
        page.screenshot(path=str(path), animations="disabled")  # what a visitor sees first
    finally:
        page.evaluate(SET_VISIBILITY, [CHANGING, False])
    assert path.stat().st_size > 0
