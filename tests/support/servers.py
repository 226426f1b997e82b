"""Servers on real loopback ports: `hubdemo serve` in a subprocess, any ASGI app in a thread,
`hubdemo endpoint` for a folder, and the CLI run as a user runs it.

Every wait for a server is for its readiness (its /healthz, or uvicorn's own "started"), with
one generous limit shared by all: a loaded machine starts slowly, and that is not a failure."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from support import REPO
from support.emulator import Emulator

READY_WITHIN = 180.0  # seconds, for any server or app a test starts
CLI_WITHIN = 180.0  # seconds, for one `python -m hubdemo` command to finish
MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    ready: Callable[[], bool], what: str, alive: Callable[[], bool] = lambda: True
) -> None:
    """Poll ``ready`` until it holds, ``alive`` stops holding, or READY_WITHIN passes."""
    deadline = time.monotonic() + READY_WITHIN
    while not ready():
        if not alive():
            raise RuntimeError(f"{what} stopped before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} was not ready within {READY_WITHIN:.0f} s")
        time.sleep(0.05)


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 now."""
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def hubdemo_env(emulator: Emulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
    env.update(
        HF_ENDPOINT=emulator.url,
        HUBDEMO_ROUTER=emulator.url,
        HF_HOME=str(REPO / ".pytest_cache" / "hf-home"),  # no saved token of the developer's
        NO_COLOR="1",
        COLUMNS="200",
    )
    env.update(extra)
    return env


def run_cli(
    emulator: Emulator, *args: str, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubdemo", *args],
        env=hubdemo_env(emulator, **env),
        capture_output=True,
        text=True,
        timeout=CLI_WITHIN,
        cwd=cwd,
    )


class Server:
    """`hubdemo serve` in a subprocess on a free port."""

    def __init__(
        self, emulator: Emulator, model: str, *args: str, cwd: Path | None = None, **env: str
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # A file, not a pipe: a full pipe would block the server.
        self.output = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hubdemo", "serve", model, "--port", str(self.port), *args],
            env=hubdemo_env(emulator, **env),
            stdout=self.output,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
        )
        try:
            wait_until(
                lambda: answers(f"{self.url}/healthz"),
                "hubdemo serve",
                lambda: self.process.poll() is None,
            )
        except RuntimeError as error:
            raise RuntimeError(f"{error}: {self.stop()[-3000:]}") from None

    def predict(self, body: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/api/predict", json=body, timeout=60)

    def stop(self) -> str:
        """Stop the server (Ctrl-C, as a user would) and return what it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output.seek(0)
        printed = self.output.read()
        self.output.close()
        return printed


class ThreadServer:
    """An ASGI app under uvicorn on a real port, in a thread of the test process: local-model
    tests share one process, so transformers is imported once (it takes seconds)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        wait_until(lambda: self.server.started, "the test server", self.thread.is_alive)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def endpoint_for(model: str) -> ThreadServer:
    """`hubdemo endpoint` for a folder or a cached Hub id, on a free loopback port."""
    from hubdemo.endpoint.app import create_endpoint_app
    from hubdemo.hub import HubClient
    from hubdemo.predictor import make_upstream
    from hubdemo.resolve import resolve
    from hubdemo.upstream.local import LocalUpstream

    spec = resolve(model, HubClient(endpoint="http://127.0.0.1:9"))
    backend = make_upstream(spec, local=True)
    assert isinstance(backend, LocalUpstream)
    return ThreadServer(create_endpoint_app(spec, backend))
