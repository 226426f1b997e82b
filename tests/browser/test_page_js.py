"""The page's pure JavaScript helpers (templates/static/format.js), tested by Node's own runner
(tests/js/format.test.mjs), and the page's scripts as ES modules that a browser can load."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from support import REPO

STATIC = REPO / "templates" / "static"


def test_the_pure_helpers_pass_their_node_tests() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is missing: `make test` installs it (make js)")
    done = subprocess.run(
        [node, "--test", str(REPO / "tests" / "js")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert re.search(r"^# pass [1-9]", done.stdout, re.MULTILINE), done.stdout[-500:]
    assert "# fail 0" in done.stdout


def test_every_module_import_names_a_module_beside_it() -> None:
    """No build step: each import is a relative path to a file served from static/."""
    for script in STATIC.glob("*.js"):
        for target in re.findall(r'^import .* from "([^"]+)";$', script.read_text(), re.M):
            assert target.startswith("./"), f"{script.name} imports {target}"
            assert (STATIC / target).is_file(), f"{script.name} imports missing {target}"
