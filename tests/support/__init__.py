"""What the tests share: the stand-in Hub and router, servers on real ports, the recorded cases,
tiny models, stand-in Spaces and load harnesses. Nothing here is a test; no test imports another
test file or conftest.py (tests/test_layout.py checks it)."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The Hub's task specs and recorded traffic, copied into the repository with their licences
# (tests/data/hf-tasks/SOURCE.txt says from where), so that a clone tests itself.
HF_TASKS = REPO / "tests" / "data" / "hf-tasks"


def emulator_command(*args: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run the emulator as a program of its own."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
    return [sys.executable, "-m", "support.emulator", *args], env
