"""The deployment of docs/deployment.md as processes: two `hubdemo serve` replicas sharing one
redis-server, behind nginx balancing round-robin with no sticky sessions (compose.yaml's
topology, without containers). Gradio's clients, Python and JavaScript, through nginx."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from support.cases import CHAT_MODEL
from support.gradio_spaces import png
from support.js import run_js
from support.servers import Server
from support.topology import Nginx, Redis

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
TEXT = "distilbert-base-uncased-finetuned-sst-2-english"
IMAGE = "google/vit-base-patch16-224"


@pytest.fixture
def deployed(emulator) -> Iterator[Any]:
    """model -> nginx over two replicas of it, sharing one Redis."""
    parts: list[Any] = []

    def deploy(model: str, *args: str) -> Nginx:
        if not parts:
            parts.append(Redis())
        redis = parts[0]
        replicas = [Server(emulator, model, "--state", redis.url, *args) for _ in range(2)]
        parts.extend(replicas)
        nginx = Nginx([f"127.0.0.1:{r.port}" for r in replicas])
        nginx.redis = redis  # type: ignore[attr-defined]  # what the replicas keep, to look at
        parts.append(nginx)
        return nginx

    yield deploy
    for part in reversed(parts):
        part.stop() if isinstance(part, Server) else part.close()


def client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


def test_fifty_text_and_fifty_image_calls_through_nginx(deployed, tmp_path) -> None:
    from gradio_client import handle_file

    text, image = deployed(TEXT), deployed(IMAGE)
    picture = tmp_path / "red.png"
    picture.write_bytes(png((200, 30, 10)))

    def call(n: int) -> Any:
        url, value = (text.url, "I like you") if n % 2 else (image.url, handle_file(str(picture)))
        c = client(url)
        try:
            return c.predict(value, api_name="/predict")
        finally:
            c.close()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, range(100)))
    assert sum(1 for a in answers if a["label"] == "POSITIVE") == 50
    assert sum(1 for a in answers if a["label"] != "POSITIVE" and a["confidences"]) == 50
    said = run_js(text.url, [{"endpoint": "/predict", "data": ["I like you"]}] * 50,
                  script="gradio_client.mjs")  # fmt: skip
    assert [a[0]["label"] for a in said] == ["POSITIVE"] * 50, said
    seen = run_js(image.url, [{"endpoint": "/predict", "data": [str(picture)], "files": [0]}]
                  * 50, script="gradio_client.mjs")  # fmt: skip
    assert all("error" not in a and a[0]["confidences"] for a in seen), seen


def test_a_chat_through_nginx_keeps_its_conversation(deployed, emulator) -> None:
    from support.cases import CHAT_SETTINGS

    chat = deployed(CHAT_MODEL)
    c = client(chat.url)
    emulator.lenient = True  # any turn gets a recorded reply
    try:
        replies = [c.predict(f"turn {n}", **CHAT_SETTINGS, api_name="/chat") for n in range(4)]
        asked = json.loads(emulator.log[-1].body)["messages"]
    finally:
        emulator.lenient = False
        c.close()
    # Four turns, each join and read landing on either replica: the fourth carries all.
    assert [m["content"] for m in asked if m["role"] == "user"] == [f"turn {n}" for n in range(4)]
    assert [m["content"] for m in asked if m["role"] == "assistant"] == replies[:3]
    keys = [k for k in chat.redis.cli("--scan", "--pattern", "hubdemo:*").split() if k]
    assert any(":conv:" in k for k in keys), keys
    for key in keys:
        assert int(chat.redis.cli("TTL", key)) > 0, key


def test_space_visitors_keep_their_own_state_across_replicas(deployed, spaces) -> None:
    """A Space with gr.State behind nginx: each visitor's calls land on either replica and
    find their own notes there, never the other visitor's."""
    import uuid

    import httpx

    notes = deployed(f"spaces/{spaces['notes']}")
    alice, bob = uuid.uuid4().hex, uuid.uuid4().hex

    def add(note: str, visitor: str) -> str:
        headers = {"X-Hubdemo-Session": visitor}
        answer = httpx.post(f"{notes.url}/api/predict", json={"data": [note]}, headers=headers,
                            timeout=60)  # fmt: skip
        assert answer.status_code == 200, answer.text
        return str(answer.json()["output"])

    assert add("a1", alice) == "a1 (call 1)"
    assert add("b1", bob) == "b1 (call 1)"
    for n in range(2, 6):  # round-robin: every other call on the other replica
        assert add(f"a{n}", alice) == " | ".join(f"a{i}" for i in range(1, n + 1)) + f" (call {n})"
    assert add("b2", bob) == "b1 | b2 (call 2)"
    keys = [k for k in notes.redis.cli("--scan", "--pattern", "hubdemo:*").split() if k]
    assert any(":visitor:" in k for k in keys), keys
    assert not any(alice in k or bob in k for k in keys)  # the visitors' ids are not keys
    for key in keys:  # nothing outlives its session
        assert int(notes.redis.cli("TTL", key)) > 0, key


def test_the_container_files_hold_together() -> None:
    """No container runtime here: Dockerfile and compose.yaml checked as files (hadolint, and
    what they must say); the topology itself runs as processes above, with compose's nginx."""
    import shlex
    import subprocess
    import sys
    from pathlib import Path

    import yaml

    from support import REPO

    hadolint = Path(sys.executable).parent / "hadolint"
    command = [str(hadolint), "--failure-threshold", "info", str(REPO / "Dockerfile")]
    linted = subprocess.run(command, capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    lines = (REPO / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    said = [line.split(None, 1) for line in lines if line.strip() and not line.startswith("#")]
    given = {word.upper(): rest for word, rest in said}  # the last of each instruction
    assert given["FROM"].startswith("python:") and given["FROM"].endswith("-slim")
    assert given["USER"].split(":")[0] not in ("0", "root")
    assert "/healthz" in given["HEALTHCHECK"] and "HUBDEMO_PORT" in given["HEALTHCHECK"]
    assert json.loads(given["ENTRYPOINT"]) == ["hubdemo", "serve"]
    assert "HUBDEMO_PORT=7860" in given["ENV"] and given["EXPOSE"] == "7860"
    assert "HUBDEMO_HOST=0.0.0.0" in given["ENV"]
    for word, rest in said:  # what it copies exists
        if word.upper() == "COPY":
            for source in shlex.split(rest)[:-1]:
                assert (REPO / source).exists(), source

    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "hubdemo", "nginx"}
    assert services["hubdemo"]["deploy"]["replicas"] == 2
    assert services["hubdemo"]["environment"]["HUBDEMO_STATE_URL"].startswith("redis://redis:")
    assert services["hubdemo"]["build"] == "."
    site = compose["configs"]["hubdemo_nginx"]["content"]
    assert "proxy_buffering off;" in site and "ip_hash" not in site  # no sticky sessions
