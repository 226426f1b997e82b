"""Stand-in Spaces: the Gradio apps of tests/spaces, each run on a loopback port by a Gradio
from PyPI in its own venv, and the emulated Hub's answer that names one as a Space's host."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from support import REPO
from support.servers import answers, free_port, wait_until

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


class GradioApps(dict[str, str]):
    """App name -> URL of the apps of tests/spaces, each run as `python run.py <app> <port>` and
    started on first use: a Gradio app takes seconds to start, and a test needs one or two."""

    def __init__(self, python: Path) -> None:
        super().__init__()
        if not python.is_file():
            pytest.fail(f"{python.parent.parent.name} is missing: `make test` installs it")
        self.python = python
        self.processes: dict[str, tuple[subprocess.Popen[str], Any]] = {}
        self.caches: list[str] = []  # each app's example cache

    def __missing__(self, name: str) -> str:
        return self.start(name)[name]

    def __getitem__(self, name: str) -> str:
        """The app's URL; an app that has stopped since it started fails the test with what
        it printed (else the test would say only that the Space cannot be reached)."""
        url = super().__getitem__(name)
        process, log = self.processes[name]
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"the Gradio app {name} stopped (exit {process.returncode}): "
                        f"{log.read()[-3000:]}")  # fmt: skip
        return url

    def start(self, *names: str) -> GradioApps:
        """Start these apps side by side, then wait until each answers."""
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
        urls = {}
        for name in names:
            port = free_port()
            # Each app caches its examples (cache_examples=True) apart, and outside the tree.
            cache = tempfile.mkdtemp(prefix=f"hubdemo-gradio-{name}-")
            self.caches.append(cache)
            env = {**env, "GRADIO_EXAMPLES_CACHE": cache}
            log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by close(); a pipe could fill
            self.processes[name] = (
                subprocess.Popen(
                    [str(self.python), "run.py", name, str(port)],
                    cwd=APPS, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
                ),
                log,
            )  # fmt: skip
            urls[name] = f"http://127.0.0.1:{port}"
        for name, url in urls.items():
            process, log = self.processes[name]
            try:
                wait_until(lambda url=url: answers(f"{url}/config"), f"the Gradio app {name}",
                           lambda process=process: process.poll() is None)  # fmt: skip
            except RuntimeError as error:
                log.seek(0)
                pytest.fail(f"{error}: {log.read()[-2000:]}")
            self[name] = url
        return self

    def close(self) -> None:
        for process, _ in self.processes.values():
            process.terminate()
        for process, log in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        for cache in self.caches:
            shutil.rmtree(cache, ignore_errors=True)


@contextlib.contextmanager
def started_apps(python: Path, names: tuple[str, ...]) -> Iterator[GradioApps]:
    """These apps started now (others on first use), stopped at the end."""
    apps = GradioApps(python)
    try:
        yield apps.start(*names)
    finally:
        apps.close()


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
