"""`hubdemo endpoint`: a local model over the hf-inference protocol, used by a real third-party
client (huggingface_hub's InferenceClient) and by hubdemo's own remote path."""

from __future__ import annotations

import time

import httpx
import pytest

from hubdemo.hub import HubClient
from hubdemo.resolve import resolve
from hubdemo.upstream.endpoint import EndpointUpstream
from hubdemo.upstream.router import RouterUpstream
from hubdemo.web.app import create_app
from support.checks import validate_output
from support.local import RECORDED_SENTENCES, RECORDED_SOURCE, config_labels, recorded_similarity
from support.servers import MINILM, ThreadServer, endpoint_for, free_port, hubdemo_env


def test_inference_client_feature_extraction(minilm_endpoint, inference_client) -> None:
    client = inference_client(model=minilm_endpoint.url)
    vector = client.feature_extraction("A cat sits on the mat.")
    assert vector.shape in ((384,), (1, 384))
    assert abs(float((vector**2).sum()) - 1.0) < 1e-4  # the model normalises its vectors


def test_inference_client_sentence_similarity(minilm_endpoint, inference_client, tapes) -> None:
    client = inference_client(model=minilm_endpoint.url)
    scores = client.sentence_similarity(RECORDED_SOURCE, other_sentences=RECORDED_SENTENCES)
    assert scores == pytest.approx(recorded_similarity(tapes), abs=1e-4)


def test_inference_client_text_classification(tiny_models, inference_client) -> None:
    folder = tiny_models["text-classification"]
    with endpoint_for(str(folder)) as server:
        found = inference_client(model=server.url).text_classification("i love this movie")
    assert {item.label for item in found} <= config_labels(folder)
    assert all(0 <= item.score <= 1 for item in found)


def test_serve_through_the_endpoint_equals_the_router_recording(
    minilm_endpoint, tapes, hf_cache
) -> None:
    """`hubdemo serve --endpoint URL` and `--router URL` against real local inference."""
    body = {"data": [RECORDED_SOURCE, "\n".join(RECORDED_SENTENCES)]}
    spec = resolve(str(next(hf_cache.glob("models--*/snapshots/*"))), HubClient())
    for upstream in (
        EndpointUpstream(minilm_endpoint.url, model_id=MINILM),
        RouterUpstream(minilm_endpoint.url, task="sentence-similarity", model_id=MINILM),
    ):
        with ThreadServer(create_app(spec, upstream)) as server:
            response = httpx.post(f"{server.url}/api/predict", json=body, timeout=60)
        assert response.status_code == 200, response.text
        output = response.json()["output"]
        validate_output("sentence-similarity", output)
        assert output == pytest.approx(recorded_similarity(tapes), abs=1e-4)


def test_the_routers_routes_and_error_bodies(minilm_endpoint) -> None:
    url = minilm_endpoint.url
    routed = httpx.post(
        f"{url}/hf-inference/models/{MINILM}/pipeline/feature-extraction",
        json={"inputs": "hello", "normalize": False},
        timeout=60,
    )
    assert routed.status_code == 200
    assert len(routed.json()) == 384
    assert abs(sum(v * v for v in routed.json()) - 1.0) > 1e-3, "normalize=False was honoured"

    info = httpx.get(url).json()
    assert info["model"] == MINILM and info["state"] == "ready"
    other = httpx.post(f"{url}/models/org/other", json={"inputs": "x"})
    assert other.status_code == 404 and "serves " + MINILM in other.json()["error"]
    garbage = httpx.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert garbage.status_code == 400 and "JSON" in garbage.json()["error"]
    empty = httpx.post(f"{url}/models/{MINILM}", json={"inputs": {"source_sentence": "a"}})
    assert empty.status_code == 400 and "sentences" in empty.json()["error"]


def test_model_refusals_travel_back_through_serve_as_422(tiny_models) -> None:
    folder = tiny_models["fill-mask"]
    with endpoint_for(str(folder)) as endpoint:
        spec = resolve(str(folder), HubClient())
        upstream = EndpointUpstream(endpoint.url, model_id=spec.model_id)
        with ThreadServer(create_app(spec, upstream)) as server:
            response = httpx.post(f"{server.url}/api/predict", json={"inputs": "no mask"})
    assert response.status_code == 422
    assert "[MASK]" in response.json()["error"]


def test_the_endpoint_command(emulator, hf_cache, inference_client) -> None:
    import subprocess
    import sys

    port = free_port()
    env = hubdemo_env(emulator, HF_HUB_CACHE=str(hf_cache), HF_HUB_OFFLINE="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "hubdemo", "endpoint", MINILM, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health").json()["model"] == "ready":
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        client = inference_client(model=url)
        vector = client.feature_extraction("hello")
        assert vector.shape[-1] == 384
    finally:
        process.terminate()
        printed, _ = process.communicate(timeout=20)
    assert f"Endpoint on http://127.0.0.1:{port}" in printed
    assert "model ready in" in printed
    assert "Traceback" not in printed


def test_a_local_chat_model_speaks_the_openai_chat_route(tiny_models, inference_client) -> None:
    """huggingface_hub's chat_completion (whole and streamed), and `hubdemo serve --endpoint`
    in front, against a tiny chat model on this machine."""
    folder = tiny_models["chat-completion"]
    messages = [{"role": "user", "content": "hello there"}]
    with endpoint_for(str(folder)) as endpoint:
        client = inference_client(base_url=endpoint.url)
        whole = client.chat_completion(messages, max_tokens=5)
        answer = whole.choices[0].message.content
        assert len(answer.split()) == 5 and whole.usage.completion_tokens == 5
        pieces = [
            chunk.choices[0].delta.content or ""
            for chunk in client.chat_completion(messages, max_tokens=5, stream=True)
        ]
        assert len(pieces) >= 2 and "".join(pieces).strip() == answer.strip()

        spec = resolve(str(folder), HubClient())
        upstream = EndpointUpstream(endpoint.url, model_id=spec.model_id)
        with ThreadServer(create_app(spec, upstream)) as server:
            body = {"messages": messages, "max_tokens": 5}
            served = httpx.post(f"{server.url}/api/predict", json=body, timeout=60)
            assert served.status_code == 200, served.text
            validate_output("chat-completion", served.json()["output"])
            assert served.json()["output"]["choices"][0]["message"]["content"] == answer
            streamed = httpx.post(f"{server.url}/api/predict?stream=true", json=body, timeout=60)
            assert streamed.status_code == 200 and '"delta"' in streamed.text
        empty = httpx.post(f"{endpoint.url}/v1/chat/completions", json={"messages": []})
        assert empty.status_code == 400 and "messages" in empty.json()["error"]
