"""A model card written by an attacker: every free-text field the page shows is hostile."""

from __future__ import annotations

import json

from support.hostile import HOSTILE, MODEL
from support.servers import Server, run_cli


def test_the_page_escapes_markup_in_the_info_json(emulator, hostile_card) -> None:
    import httpx

    server = Server(emulator, MODEL)
    try:
        response = httpx.get(server.url)
    finally:
        server.stop()
    script = response.text.split('id="hubdemo-info">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "&" not in script
    assert json.loads(script)["license"] == "mit" + HOSTILE
    policy = response.headers["content-security-policy"]
    assert "form-action 'self'" in policy and "base-uri 'none'" in policy


def test_a_hub_answer_with_an_invalid_id_is_refused_at_start(emulator) -> None:
    emulator.tapes.infos["evil/model"] = {
        "id": 'evil/"><script>alert(1)</script>',
        "pipeline_tag": "text-classification",
        "tags": [],
    }
    try:
        result = run_cli(emulator, "describe", "evil/model")
    finally:
        del emulator.tapes.infos["evil/model"]
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a valid repo id" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
