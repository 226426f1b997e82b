"""Stand-in Spaces: the Gradio apps of tests/spaces, each run on a loopback port by a Gradio
from PyPI in its own venv, and the emulated Hub's answer that names one as a Space's host."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REPO, free_port
from PIL import Image

GRADIO_PYTHON = REPO / ".venv-gradio" / "bin" / "python"
APPS = REPO / "tests" / "spaces"
OWNER = "hubdemo-test"


def space_info(space_id: str, host: str, stage: str = "RUNNING", sdk: str = "gradio") -> dict:
    """The Hub's /api/spaces/{id} answer, with the fields huggingface_hub's SpaceInfo reads."""
    owner, name = space_id.split("/")
    return {
        "id": space_id,
        "author": owner,
        "sha": "0" * 40,
        "private": False,
        "gated": False,
        "disabled": False,
        "sdk": sdk,
        "host": host,
        "subdomain": f"{owner}-{name}",
        "runtime": {"stage": stage, "hardware": {"current": "cpu-basic", "requested": "cpu-basic"}},
        "cardData": {"license": "mit", "sdk": sdk},
        "tags": ["gradio"],
        "likes": 0,
    }


@contextlib.contextmanager
def started_apps(python: Path, names: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Each app of tests/spaces run as `python run.py <app> <port>`: name -> URL."""
    if not python.is_file():
        pytest.fail(f"{python.parent.parent.name} is missing: `make test` installs it")
    started: dict[str, tuple[subprocess.Popen[str], str, Any]] = {}
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    for name in names:
        port = free_port()
        log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below; a pipe could fill
        process = subprocess.Popen(
            [str(python), "run.py", name, str(port)],
            cwd=APPS, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        started[name] = (process, f"http://127.0.0.1:{port}", log)
    try:
        for name, (process, url, log) in started.items():
            deadline = time.monotonic() + 90
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/config", timeout=2).status_code == 200:
                        break
                if process.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"the Gradio app {name} exited: {log.read()[-2000:]}")
                assert time.monotonic() < deadline, f"{name} did not start"
                time.sleep(0.2)
        yield {name: url for name, (_, url, _) in started.items()}
    finally:
        for process, _, _ in started.values():
            process.terminate()
        for process, _, log in started.values():
            process.wait(timeout=20)
            log.close()


def png(colour: tuple[int, int, int], size: tuple[int, int] = (24, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes, mime: str = "image/png") -> str:
    import base64

    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def written(data: bytes) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".wav", delete=False)  # noqa: SIM115
    handle.write(data)
    handle.close()
    return Path(handle.name)
