"""Node.js in the tests: the official JavaScript clients and axe-core (tests/js, installed by
`make test`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from support import REPO

JS = REPO / "tests" / "js"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"


def run_js(url: str, calls: list[dict[str, Any]], script: str = "hf_client.mjs") -> list[Any]:
    """Runs ``script`` (in tests/js) on ``calls`` against ``url``; its printed results."""
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / ".installed").is_file():
        pytest.fail("Node.js and tests/js/node_modules are missing: `make test` installs them")
    done = subprocess.run(
        [node, str(JS / script), url, json.dumps(calls)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=JS,
    )
    assert done.returncode == 0, (done.returncode, done.stderr, done.stdout[-2000:])
    results: list[Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def violations(page: Any) -> list[str]:
    if not AXE.is_file():
        pytest.fail("axe-core is missing from tests/js/node_modules: `make test` installs it")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => `${v.id} (${v.impact}): ${v.help} at ` +
                      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))"""
    )
    return list(found)
