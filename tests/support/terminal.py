"""A command run in a pseudo-terminal, as a person runs it: rich draws its bars and status
lines only when it sees a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def read_terminal(master: int, seen: bytearray, until: float, stop: Callable[[], bool]) -> None:
    """Add what the terminal shows to ``seen`` until ``stop()`` holds or ``until`` passes."""
    while time.monotonic() < until and not stop():
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen.extend(os.read(master, 65536))
            except OSError:  # the command ended and closed its side
                return


def start_in_terminal(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[Any], int]:
    """``hubdemo *args`` on a new pseudo-terminal of 120 columns; (the process, its master)."""
    master, slave = pty.openpty()
    env = {**env, "TERM": "xterm-256color", "COLUMNS": "120"}
    process = subprocess.Popen(
        [sys.executable, "-m", "hubdemo", *args],
        env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    return process, master


def run_in_terminal(args: list[str], env: dict[str, str], within: float = 120) -> tuple[int, str]:
    """Run ``hubdemo *args`` in a terminal to its end: (exit code, everything it showed)."""
    process, master = start_in_terminal(args, env)
    seen = bytearray()
    try:
        read_terminal(master, seen, time.monotonic() + within, lambda: process.poll() is not None)
        read_terminal(master, seen, time.monotonic() + 1, lambda: False)
        code = process.wait(timeout=10)
    finally:
        os.close(master)
    return code, seen.decode("utf-8", "replace")
