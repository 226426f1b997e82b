"""Records the stand-in Spaces (tests/spaces, real Gradio 6 apps) with `hubdemo smoke --record`
into tests/data/space-tapes/, one cassette per endpoint: the unit layer replays them, so a Space
is served in process with no Gradio, no network and no subprocess.

    PYTHONPATH=tests .venv/bin/python -m support.record_spaces

Run it again when a stand-in app or the tape format changes (tests/e2e/test_spaces.py checks
that the recordings still match what the apps answer)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from support import REPO
from support.emulator import Emulator, Tapes
from support.gradio_spaces import GRADIO_PYTHON, OWNER, space_info, started_apps
from support.servers import run_cli

TAPES = REPO / "tests" / "data" / "space-tapes"
# (app, endpoint): the endpoints the unit layer serves.
RECORDED = [
    ("image_classifier", "/classify"),
    ("text_tools", "/predict"),
    ("text_tools", "/names"),
    ("text_tools", "/table"),
    ("media_tools", "/gallery"),
    ("media_tools", "/regions"),
]


def tape_of(app: str, api_name: str) -> str:
    return f"{app}{api_name.replace('/', '-')}"


def space_of(app: str) -> str:
    return f"{OWNER}/{app.replace('_', '-')}"


def record(
    emulator: Emulator, apps: dict[str, str], pairs: list[tuple[str, str]], into: Path
) -> str:
    """Records each (app, endpoint) into ``into``/<tape>; "" when all went well, else what
    hubdemo smoke printed."""
    for app, api_name in pairs:
        space_id = space_of(app)
        emulator.spaces[space_id] = [space_info(space_id, apps[app])]
        folder = into / tape_of(app, api_name)
        shutil.rmtree(folder, ignore_errors=True)
        done = run_cli(
            emulator, "smoke", f"spaces/{space_id}", "--api-name", api_name,
            "--record", str(folder),
        )  # fmt: skip
        if done.returncode != 0:
            return f"{space_id} {api_name}: " + done.stdout + done.stderr
    return ""


def calls(folder: Path) -> list[tuple[Any, Any]]:
    """The Space calls a recording kept: (what was sent, what came back)."""
    kept = json.loads((folder / "cassette.json").read_text())["exchanges"]
    return [
        (e["request"]["body"], e["response"]["body"])
        for e in kept
        if e["request"]["path"].endswith("/call")
    ]


def main() -> int:
    with (
        Emulator(Tapes()) as emulator,
        started_apps(GRADIO_PYTHON, tuple({app for app, _ in RECORDED})) as apps,
    ):
        failed = record(emulator, apps, RECORDED, TAPES)
    print(failed or f"recorded {len(RECORDED)} endpoints into {TAPES}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
