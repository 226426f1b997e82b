"""Scaling out: `serve --workers N`, and the ASGI factory any ASGI server can run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from support.servers import Server, free_port, hubdemo_env

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"
BODY = {"data": ["I like you"]}


def _children(pid: int) -> list[int]:
    command = ["ps", "-ww", "--ppid", str(pid), "-o", "pid=,args="]
    found = subprocess.run(command, capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in found.splitlines() if "spawn_main" in line]


def test_serve_with_two_workers(emulator) -> None:
    server = Server(emulator, MODEL, "--workers", "2")
    try:
        answers = [server.predict(BODY) for _ in range(6)]
        workers = _children(server.process.pid)
    finally:
        printed = server.stop()
    assert all(a.status_code == 200 for a in answers)
    assert len(workers) == 2
    assert "2 worker processes" in printed


def _connections_held(pid: int, port: int) -> int:
    """Established TCP connections to ``port`` that process ``pid`` holds (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                held += 1
    return held


def test_kept_alive_connections_spread_over_the_workers(emulator) -> None:
    server = Server(emulator, MODEL, "--workers", "2")
    clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(16)]
    try:
        for client in clients:  # one kept-alive connection each
            assert client.post("/api/predict", json=BODY).status_code == 200
        workers = _children(server.process.pid)
        held = [_connections_held(pid, server.port) for pid in workers]
    finally:
        for client in clients:
            client.close()
        server.stop()
    # Each worker listens on its own socket (SO_REUSEPORT): the kernel spreads connections.
    assert sum(held) == 16 and min(held) >= 3, held


def test_a_port_in_use_is_one_line_before_anything_else(emulator) -> None:
    """One worker or two: one line with the fix, exit 2 (was the banner, then uvicorn's raw
    "[Errno 98]" and exit 3 with one worker; the line twice with two)."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        results = [
            subprocess.run(
                [sys.executable, "-m", "hubdemo", "serve", MODEL, *workers, "--port", str(port)],
                env=hubdemo_env(emulator),
                capture_output=True,
                text=True,
                timeout=120,
            )
            for workers in ([], ["--workers", "2"])
        ]
    for result in results:
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""  # no banner for a demo that will not be
        said = [line for line in result.stderr.splitlines() if line.strip()]
        assert said == [f"error: cannot listen on 127.0.0.1:{port} (Address already in use): "
                        "choose another --port, or stop what holds this one"]  # fmt: skip


def test_the_asgi_factory_runs_under_plain_uvicorn(emulator) -> None:
    port = free_port()
    env = hubdemo_env(emulator, HUBDEMO_MODEL=MODEL, HUBDEMO_MAX_QUEUE="5")
    command = [sys.executable, "-m", "uvicorn", "--factory", "hubdemo.web.asgi:app_from_env",
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        answer = httpx.post(f"{url}/api/predict", json=BODY, timeout=30)
        info = httpx.get(f"{url}/api/info").json()
    finally:
        process.terminate()
        process.communicate(timeout=15)
    assert answer.status_code == 200, answer.text
    assert answer.json()["output"][0]["label"] == "POSITIVE"
    assert info["model"] == "distilbert/distilbert-base-uncased-finetuned-sst-2-english"


def test_the_factory_says_what_is_missing(emulator) -> None:
    env = hubdemo_env(emulator)
    result = subprocess.run(
        [sys.executable, "-c", "from hubdemo.web.asgi import app_from_env; app_from_env()"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0 and "set HUBDEMO_MODEL" in result.stderr
