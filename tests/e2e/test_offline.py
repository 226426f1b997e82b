"""Offline resolution (the Hugging Face cache, saved directories), the automatic fallback to the
cached model when the router is unreachable, and the CLI of the local backend."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hubdemo.hub import HubClient
from hubdemo.predictor import make_upstream
from hubdemo.resolve import resolve
from hubdemo.upstream.fallback import FallbackUpstream
from hubdemo.web.app import create_app
from support.inprocess import NO_HUB
from support.local import (
    RECORDED_SENTENCES,
    RECORDED_SOURCE,
    recorded_similarity,
)
from support.servers import Server, ThreadServer, run_cli

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def test_hub_unreachable_resolves_from_the_cache_with_the_cards_examples(
    tiny_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "models--org--tiny" / "snapshots" / "abc"
    snapshot.parent.mkdir(parents=True)
    snapshot.symlink_to(tiny_models["text-classification"], target_is_directory=True)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    spec = resolve("org/tiny", HubClient(endpoint=NO_HUB))  # the Hub does not answer
    assert (spec.source, spec.task, spec.license) == ("cache", "text-classification", "mit")
    assert spec.widget_data == ({"text": "I love this movie", "example_title": "Love"},)


def test_router_unreachable_falls_back_to_the_cached_model(
    emulator: Any, hf_cache: Path, tapes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(hf_cache))
    hub = HubClient(endpoint=emulator.url)
    spec = resolve(MINILM, hub)  # the card from the Hub
    hub.close()
    assert spec.source == "hub" and spec.local_dir
    upstream = make_upstream(spec, router=NO_HUB)
    assert isinstance(upstream, FallbackUpstream) and upstream.kind == "router"
    with ThreadServer(create_app(spec, upstream)) as server:
        body = {"inputs": {"source_sentence": RECORDED_SOURCE, "sentences": RECORDED_SENTENCES}}
        response = httpx.post(f"{server.url}/api/predict", json=body, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["output"] == pytest.approx(recorded_similarity(tapes), abs=1e-4)
    assert upstream.kind == "local"


# -- the CLI, as a user runs it --------------------------------------------------------------


def test_predict_offline_from_the_cache(emulator: Any, hf_cache: Path) -> None:
    before = len(emulator.log)
    result = run_cli(
        emulator,
        "predict",
        MINILM,
        "A man is eating food.",
        "A man is eating a piece of bread.\nA man is riding a horse.",
        "--json",
        HF_HUB_CACHE=str(hf_cache),
        HF_HUB_OFFLINE="1",
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    bread, horse = printed["output"]
    assert printed["task"] == "sentence-similarity" and bread > horse
    assert len(emulator.log) == before, "offline: not one request to the Hub or the router"


def test_serve_shows_loading_then_ready(emulator: Any, hf_cache: Path) -> None:
    server = Server(emulator, MINILM, HF_HUB_CACHE=str(hf_cache), HF_HUB_OFFLINE="1")
    try:
        states = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states.append(httpx.get(f"{server.url}/healthz").json()["model"])
            if states[-1] != "loading":
                break
            time.sleep(0.05)
        body = {"data": ["A cat.", "A kitten.\nStock markets."]}
        kitten, stocks = server.predict(body).json()["output"]
        info = httpx.get(f"{server.url}/api/info").json()
        page = httpx.get(server.url).text
    finally:
        printed = server.stop()
    assert states[0] == "loading" and states[-1] == "ready"
    assert kitten > stocks
    assert info["upstream"]["kind"] == "local" and info["source"] == "cache"
    # Visitors see the model's name and revision, never where it lies on this machine.
    snapshot = next(hf_cache.glob("models--*/snapshots/*"))
    assert str(hf_cache) not in page and str(hf_cache) not in json.dumps(info)
    assert info["revision"] == snapshot.name
    assert f'title="{MINILM} @ {snapshot.name[:12]}"' in page
    assert "Loading sentence-transformers/all-MiniLM-L6-v2 on the CPU" in printed
    assert "model ready in" in printed


def test_requests_that_fail_together_share_one_local_model(hf_cache: Path) -> None:
    """32 requests meet a closed router at once: one local model is made, not 32."""
    import asyncio

    from hubdemo.upstream.http import HttpUpstream
    from hubdemo.upstream.local import LocalUpstream
    from hubdemo.wire import WireRequest

    snapshot = next(hf_cache.glob("models--*/snapshots/*"))
    made: list[LocalUpstream] = []

    def make_local() -> LocalUpstream:
        made.append(LocalUpstream(snapshot, "feature-extraction"))
        return made[-1]

    async def run() -> list[Any]:
        upstream = FallbackUpstream(HttpUpstream(NO_HUB, retry_budget=0), make_local)
        request = WireRequest(json={"inputs": "a cat"})
        try:
            return await asyncio.gather(*(upstream.send(request) for _ in range(32)))
        finally:
            await upstream.aclose()

    answers = asyncio.run(run())
    assert len(made) == 1
    assert all(len(a.payload) == 384 for a in answers)  # one sentence vector each


def test_a_connection_that_breaks_midway_is_not_a_reason_to_switch(emulator: Any) -> None:
    import asyncio

    from hubdemo.errors import UpstreamUnreachable
    from hubdemo.upstream.router import RouterUpstream
    from hubdemo.wire import WireRequest

    made: list[object] = []
    remote = RouterUpstream(
        emulator.url,
        task="text-classification",
        model_id="distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        retry_budget=0,
    )
    upstream = FallbackUpstream(remote, lambda: made.append(1))  # type: ignore[arg-type, return-value]

    async def run() -> None:
        try:
            await upstream.send(WireRequest(json={"inputs": "I like you. I love you."}))
        finally:
            await upstream.aclose()

    emulator.configure(every={"reset": 1})
    try:
        with pytest.raises(UpstreamUnreachable) as raised:
            asyncio.run(run())
    finally:
        emulator.configure()
    assert "broke" in raised.value.message
    assert made == [] and upstream.kind == "router"
