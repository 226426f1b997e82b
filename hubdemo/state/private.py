"""A redis-server of hubdemo's own for ``serve --workers N`` given no ``--state``: on a unix
socket in a private temporary folder (no port, no one else's), nothing written to disk,
stopped with hubdemo."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

STARTS_WITHIN = 10.0  # seconds redis-server has to open its socket


@contextlib.contextmanager
def private_redis() -> Iterator[str | None]:
    """The URL of a redis-server started now (stopped at the end); None when there is no
    redis-server on PATH or it would not start."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="hubdemo-redis-"))
    socket = folder / "redis.sock"
    command = [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700",
               "--save", "", "--appendonly", "no", "--dir", str(folder)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTS_WITHIN
        while not socket.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        yield f"unix://{socket}" if socket.exists() else None
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)
