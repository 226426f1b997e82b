"""The local backend: real transformers inference in this process, served on a real port.

Tiny random-weight models exercise every task's loading, pre/post-processing and wire form;
their outputs are checked against the task's output.json and against what the model's own
config allows. The real all-MiniLM-L6-v2 is checked against the router's recorded answer.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from hubdemo.hub import HubClient
from hubdemo.predictor import make_upstream
from hubdemo.resolve import resolve
from hubdemo.upstream.local import LocalUpstream
from hubdemo.web.app import create_app
from support.checks import validate_output
from support.local import (
    RECORDED_SENTENCES,
    RECORDED_SOURCE,
    recorded_similarity,
    serve_local,
)
from support.servers import ThreadServer

# -- the real all-MiniLM-L6-v2 -------------------------------------------------------------


def test_minilm_from_the_cache_answers_like_the_router(
    hf_cache: Path, tapes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(hf_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = resolve("sentence-transformers/all-MiniLM-L6-v2", HubClient())
    assert (spec.source, spec.task, spec.license) == ("cache", "sentence-similarity", "apache-2.0")
    upstream = make_upstream(spec)
    assert isinstance(upstream, LocalUpstream)
    with ThreadServer(create_app(spec, upstream)) as server:
        body = {"inputs": {"source_sentence": RECORDED_SOURCE, "sentences": RECORDED_SENTENCES}}
        output = httpx.post(f"{server.url}/api/predict", json=body, timeout=60).json()["output"]
        validate_output("sentence-similarity", output)
        assert output == pytest.approx(recorded_similarity(tapes), abs=1e-4)
        # The demo's promise: food is closer to bread than to a horse.
        body = {
            "data": [
                "A man is eating food.",
                "A man is eating a piece of bread.\nA man is riding a horse.",
            ]
        }
        bread, horse = httpx.post(f"{server.url}/api/predict", json=body).json()["output"]
        assert bread > horse + 0.3


def test_batched_answers_equal_single_answers(hf_cache: Path) -> None:
    snapshot = next((hf_cache).glob("models--*/snapshots/*"))
    sentences = [f"sentence number {i} about {w}" for i, w in enumerate("abcdefghijklmnop")]

    async def run(batch_size: int) -> tuple[list[Any], list[int]]:
        app, upstream = serve_local(snapshot, "feature-extraction", batch_size=batch_size)
        with ThreadServer(app) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                await client.post("/api/predict", json={"inputs": "warm up"})
                replies = await asyncio.gather(
                    *(client.post("/api/predict", json={"inputs": s}) for s in sentences)
                )
        batcher = upstream._batchers["feature-extraction"]
        return [r.json()["output"][0] for r in replies], batcher.batch_sizes[1:]

    batched, sizes = asyncio.run(run(16))
    single, single_sizes = asyncio.run(run(1))
    assert max(sizes) > 1, f"concurrent requests were grouped: {sizes}"
    assert set(single_sizes) == {1}
    for a, b in zip(batched, single):
        assert a == pytest.approx(b, abs=1e-5)


def test_many_long_texts_are_encoded_in_bounded_batches_and_capped(hf_cache: Path) -> None:
    """70 long sentences go through the model 32 at a time and give what one at a time gives;
    more than 256 texts in one request are refused with a 413 that names the limit."""
    from hubdemo.local import embeddings

    snapshot = next((hf_cache).glob("models--*/snapshots/*"))
    long = [f"sentence {i} " + "about cats and kittens " * 35 for i in range(70)]
    sizes: list[int] = []
    real = embeddings.Encoder._encode

    def counting(self: Any, texts: list[str], normalize: Any) -> Any:
        sizes.append(len(texts))
        return real(self, texts, normalize)

    app, _ = serve_local(snapshot, "sentence-similarity")
    with ThreadServer(app) as server:
        embeddings.Encoder._encode = counting  # type: ignore[method-assign]
        try:
            body = {"inputs": {"source_sentence": "a cat", "sentences": long}}
            whole = httpx.post(f"{server.url}/api/predict", json=body, timeout=120)
            one = {"inputs": {"source_sentence": "a cat", "sentences": long[-1:]}}
            alone = httpx.post(f"{server.url}/api/predict", json=one, timeout=120)
        finally:
            embeddings.Encoder._encode = real  # type: ignore[method-assign]
        too_many = {"inputs": {"source_sentence": "a", "sentences": ["b"] * 300}}
        refused = httpx.post(f"{server.url}/api/predict", json=too_many, timeout=60)
    assert whole.status_code == 200, whole.text
    assert max(sizes) == embeddings.ENCODE_BATCH and sum(sizes[:3]) == 71
    assert whole.json()["output"][-1] == pytest.approx(alone.json()["output"][0], abs=1e-5)
    assert refused.status_code == 413
    assert "at most 256" in refused.json()["error"]


def test_local_inference_answers_within_the_timeout(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from hubdemo.local.registry import LOCAL, LocalTask

    release = threading.Event()
    real = LOCAL["text-classification"].make

    def slow(folder: Path) -> Any:
        run = real(folder)

        def slowly(inputs: Any, parameters: Any) -> Any:
            release.wait(10)
            return run(inputs, parameters)

        return slowly

    monkeypatch.setitem(LOCAL, "text-classification", LocalTask("model", slow))
    app, _ = serve_local(tiny_models["text-classification"], timeout=0.5)
    try:
        with ThreadServer(app) as server:
            answer = httpx.post(f"{server.url}/api/predict", json={"inputs": "hi"}, timeout=30)
    finally:
        release.set()
    assert answer.status_code == 504, answer.text
    assert "did not answer within 0.5 s" in answer.json()["error"]
