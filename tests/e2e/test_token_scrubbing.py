"""The token never comes back, in any form an upstream may echo it: whole, cut, JSON-escaped,
URL-encoded or base64 (in messages, 502 bodies, smoke cassettes and reports)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from support.emulator import Emulator
from support.secrets import TOKEN, assert_clean, forms_of
from support.servers import Server, run_cli

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"
BODY = {"data": ["I like you. I love you."]}


def test_an_echo_past_the_cut_leaves_no_prefix_in_the_502(emulator) -> None:
    server = Server(emulator, MODEL, "--retry-budget", "0", HF_TOKEN=TOKEN)
    answers = []
    try:
        for echoed in forms_of(TOKEN)[:1] + forms_of(TOKEN)[2:5]:
            # The token starts 290 characters in: a message cut at 300 would keep 10 of them.
            message = "x" * 290 + echoed + " was refused"
            emulator.fail_next(500, json.dumps({"error": message}).encode())
            answers.append(server.predict(BODY))
        emulator.fail_next(
            401,
            {"error": f"Authorization header is invalid: Basic {forms_of(TOKEN)[4]}"},
            {"WWW-Authenticate": f'Bearer realm="{TOKEN}"'},
        )
        answers.append(server.predict(BODY))
    finally:
        printed = server.stop()
    assert [a.status_code for a in answers] == [502, 502, 502, 502, 401]
    for answer in answers:
        assert_clean(answer.text + str(dict(answer.headers)))
        assert "***" in answer.json()["error"]
    assert_clean(printed)


def test_smoke_cassettes_and_reports_hold_no_form_of_the_token(tapes, tmp_path: Path) -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in TOKEN)
    basic = base64.b64encode(f"user:{TOKEN}".encode()).decode()
    with Emulator(tapes, tokens={TOKEN}, lenient=True) as emulator:
        emulator.fail_next(
            422,
            ('{"error": "Bearer ' + escaped + " rejected; Basic " + basic + '"}').encode(),
            {"WWW-Authenticate": f'Basic realm="{TOKEN}"'},
        )
        result = run_cli(
            emulator,
            "smoke",
            MODEL,
            "--examples",
            "1",
            "--record",
            str(tmp_path / "cassette"),
            "--report",
            str(tmp_path / "report.json"),
            "--report",
            str(tmp_path / "report.xml"),
            HF_TOKEN=TOKEN,
        )
    assert result.returncode == 1, result.stderr  # the example failed: the 422
    written = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) >= 3
    for text in [*written, result.stdout, result.stderr]:
        assert_clean(text)
    recorded = (tmp_path / "cassette").rglob("*.json")
    assert any("REDACTED" in p.read_text() for p in recorded)
