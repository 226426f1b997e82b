"""`hubdemo serve A B …` on a real port against the emulated router: each recorded model's
answer in its place beside a local tiny model's (and a function's), at once; one model's
failure its own; models of different tasks refused; `--provider p1,p2` for chat, streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from support import REPO
from support.checks import sse_events, validate_output
from support.emulator import Emulator
from support.servers import Server, run_cli

TESTS = str(REPO / "tests")
TOKEN = "hf_test_token_123"
NER_TEXT = "My name is Sarah Jessica Parker but you can call me Jessica"
# task -> the recorded router model, and a request it was recorded with (a file: any file of
# its kind is answered with the recording).
RECORDED = {
    "text-classification": ("distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                            {"data": ["I like you. I love you."]}),
    "token-classification": ("dbmdz/bert-large-cased-finetuned-conll03-english",
                             {"data": [NER_TEXT]}),
    "image-classification": ("google/vit-base-patch16-224", "image"),
    "automatic-speech-recognition": ("facebook/wav2vec2-large-960h-lv60-self", "audio"),
}  # fmt: skip
FUNCTIONS = {"text-classification": "support.functions:feel",
             "image-classification": "support.functions:size"}  # fmt: skip
CHAT = "hubdemo-emulated/llama-3.1-8b-instruct"  # novita and cerebras, both recorded


def body_of(task: str, media: dict[str, bytes]) -> dict[str, Any]:
    request = RECORDED[task][1]
    if isinstance(request, dict):
        return request
    import base64

    mime = "image/png" if request == "image" else "audio/flac"
    return {"data": [f"data:{mime};base64,{base64.b64encode(media[request]).decode()}"]}


@pytest.mark.parametrize("task", sorted(RECORDED))
def test_each_model_answers_in_its_place(emulator, tiny_models, media, task) -> None:
    router_model = RECORDED[task][0]
    models = [
        router_model,
        str(tiny_models[task]),
        *([FUNCTIONS[task]] if task in FUNCTIONS else []),
    ]
    server = Server(emulator, *models, "--task", task, PYTHONPATH=TESTS)
    try:
        response = httpx.post(f"{server.url}/api/compare", json=body_of(task, media), timeout=120)
        recorded = emulator.replayed()
        info = httpx.get(f"{server.url}/api/info").json()
    finally:
        server.stop()
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["model"] for r in results] == models
    assert [c["name"] for c in info["compare"]] == models
    assert [c["upstream"]["kind"] for c in info["compare"]][:2] == ["router", "local"]
    for result in results:
        assert "error" not in result, result
        validate_output(task, result["output"])
    wire = json.loads(recorded.body)
    router_answer = results[0]["output"]
    if task == "text-classification":
        assert router_answer == wire[0]
    elif task == "token-classification":
        assert [e["word"] for e in router_answer] == [e["word"] for e in wire]
    elif task == "image-classification":
        assert router_answer == wire
    else:
        assert router_answer["text"] == wire["text"]
    assert response.json()["duration"] >= max(r["duration"] for r in results) * 0.5


def test_one_failing_model_leaves_the_others_answering(emulator) -> None:
    model = RECORDED["text-classification"][0]
    server = Server(emulator, model, "support.functions:broken", "--task", "text-classification",
                    PYTHONPATH=TESTS)  # fmt: skip
    try:
        response = httpx.post(f"{server.url}/api/compare", json=RECORDED["text-classification"][1])
        one = httpx.post(f"{server.url}/api/predict?model=support.functions:broken",
                         json=RECORDED["text-classification"][1])  # fmt: skip
    finally:
        printed = server.stop()
    assert response.status_code == 200
    answered, failed = response.json()["results"]
    assert answered["output"] == json.loads(emulator.replayed().body)[0]
    assert (
        failed["model"] == "support.functions:broken" and "the GPU caught fire" in failed["error"]
    )
    assert one.status_code == 502 and "the GPU caught fire" in one.json()["error"]
    assert "Compare demo (text-classification, 2 models)" in printed


@pytest.fixture
def slow_router(tapes) -> Iterator[Emulator]:
    with Emulator(tapes) as emulator:
        emulator.configure(latency=1.5)
        yield emulator


def test_the_models_are_asked_at_once(slow_router) -> None:
    """Two models behind a router that takes 1.5 s: both requests are in flight together (the
    second arrives before the first is answered)."""
    model = RECORDED["text-classification"][0]
    server = Server(slow_router, model, f"{model}:hf-inference", PYTHONPATH=TESTS)
    try:
        response = httpx.post(f"{server.url}/api/compare", json=RECORDED["text-classification"][1],
                              timeout=30)  # fmt: skip
    finally:
        server.stop()
    assert response.status_code == 200, response.text
    posts = [e for e in slow_router.log if e.method == "POST"]
    assert len(posts) == 2
    first_answered = posts[0].at + 1.5
    assert posts[1].at < first_answered, "the second model was asked only after the first answered"


def test_models_of_different_tasks_are_refused_in_one_line(emulator) -> None:
    result = run_cli(emulator, "serve", RECORDED["text-classification"][0],
                     RECORDED["token-classification"][0])  # fmt: skip
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line and "cannot compare models of different tasks" in line
    assert "dbmdz/bert-large-cased-finetuned-conll03-english is token-classification" in line


def test_predict_prints_each_models_answer_side_by_side(emulator) -> None:
    model = RECORDED["text-classification"][0]
    text = RECORDED["text-classification"][1]["data"][0]
    result = run_cli(emulator, "predict", model, "support.functions:feel", "--task",
                     "text-classification", text, PYTHONPATH=TESTS)  # fmt: skip
    assert result.returncode == 0, result.stderr
    recorded = json.loads(emulator.replayed().body)[0]
    header = next(line for line in result.stdout.splitlines() if model[:20] in line)
    assert header.index(model[:20]) < header.index("support.functions:feel")
    top = recorded[0]
    assert f"{top['label']}  {top['score']:.2%}" in result.stdout
    assert "wall time" in result.stdout


@pytest.fixture
def lenient(tapes) -> Iterator[Emulator]:
    with Emulator(tapes, lenient=True) as emulator:
        yield emulator


def test_one_chat_model_on_two_providers_streams_both_answers(lenient) -> None:
    server = Server(lenient, CHAT, "--provider", "novita,cerebras", HF_TOKEN=TOKEN)
    try:
        response = httpx.post(
            f"{server.url}/api/compare?stream=true",
            json={"messages": [{"role": "user", "content": "Say this is a test"}]},
            timeout=60,
        )
    finally:
        server.stop()
    assert response.status_code == 200, response.text
    events = [data for kind, data in sse_events(response.text) if kind == "message"]
    names = [f"{CHAT}:novita", f"{CHAT}:cerebras"]
    *streamed, last = events
    assert [r["model"] for r in last["results"]] == names
    posts = {e.path.split("/")[1]: e for e in lenient.log if e.method == "POST"}
    for name, result in zip(names, last["results"], strict=True):
        provider = name.rsplit(":", 1)[1]
        chunks = [
            json.loads(line[5:])
            for line in posts[provider].provider_replayed.body.decode().splitlines()
            if line.startswith("data:") and "[DONE]" not in line
        ]
        recorded = "".join(
            (c.get("choices") or [{}])[0].get("delta", {}).get("content") or "" for c in chunks
        )
        written = "".join(e["delta"] for e in streamed if e.get("model") == name and "delta" in e)
        said = result["output"]["choices"][0]["message"]["content"]
        assert written == said == recorded  # each provider's own recorded words
        assert result["first_token"] is not None and result["first_token"] <= result["duration"]
        validate_output("chat-completion", result["output"])


def test_an_arena_round_is_blind_until_the_vote_and_the_vote_is_rated(emulator, tmp_path) -> None:
    model = RECORDED["text-classification"][0]
    votes = tmp_path / "votes.jsonl"
    server = Server(emulator, model, "support.functions:feel", "--task", "text-classification",
                    "--arena", "--votes", str(votes), PYTHONPATH=TESTS)  # fmt: skip
    try:
        answer = httpx.post(f"{server.url}/api/compare", json=RECORDED["text-classification"][1])
        page = httpx.get(server.url).text
        told = httpx.post(f"{server.url}/api/vote",
                          json={"round": answer.json()["round"], "winner": "A"})  # fmt: skip
    finally:
        printed = server.stop()
    assert answer.status_code == 200, answer.text
    assert [r["model"] for r in answer.json()["results"]] == ["Model A", "Model B"]
    assert model not in answer.text and "feel" not in answer.text
    assert "Which answer is better?" in page
    recorded = json.loads(emulator.replayed().body)[0]
    names = told.json()["models"]
    side = "Model A" if names["Model A"] == model else "Model B"
    shown = next(r for r in answer.json()["results"] if r["model"] == side)
    assert shown["output"] == recorded  # the side told to be the router model answered as it
    line = json.loads(votes.read_text())
    assert line["models"] == [names["Model A"], names["Model B"]] and line["winner"] == "A"
    assert f"votes appended to {votes}" in printed
    rated = run_cli(emulator, "leaderboard", str(votes), "--json")
    assert rated.returncode == 0, rated.stderr
    board = json.loads(rated.stdout)
    assert board["votes"] == 1 and board["models"][0]["model"] == names["Model A"]


def test_gradio_client_sees_an_endpoint_per_model(emulator, lenient, tmp_path) -> None:
    from gradio_client import Client

    model = RECORDED["text-classification"][0]
    server = Server(emulator, model, "support.functions:feel", "--task", "text-classification",
                    PYTHONPATH=TESTS)  # fmt: skip
    try:
        client = Client(server.url, verbose=False, analytics_enabled=False,
                        download_files=str(tmp_path))  # fmt: skip
        named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        router = "/distilbert_distilbert_base_uncased_finetuned_sst_2_english"
        assert set(named) == {router, "/support_functions_feel"}
        text = RECORDED["text-classification"][1]["data"][0]
        recorded_label = client.predict(text, api_name=router)
        assert recorded_label["label"] == json.loads(emulator.replayed().body)[0][0]["label"]
        assert client.predict(text, api_name="/support_functions_feel")["label"] == "POSITIVE"
        info = httpx.get(f"{server.url}/api/info").json()
        assert [c["gradio_api_name"] for c in info["compare"]] == [
            router,
            "/support_functions_feel",
        ]
    finally:
        server.stop()
    # Chat on two providers: a conversation per model in the one client session.
    server = Server(lenient, CHAT, "--provider", "novita,cerebras", HF_TOKEN=TOKEN)
    try:
        client = Client(server.url, verbose=False, analytics_enabled=False,
                        download_files=str(tmp_path))  # fmt: skip
        names = ["/hubdemo_emulated_llama_3_1_8b_instruct_novita",
                 "/hubdemo_emulated_llama_3_1_8b_instruct_cerebras"]  # fmt: skip
        replies = [client.predict("Say this is a test", api_name=name) for name in names]
        client.predict("Again", api_name=names[0])
        asked = json.loads([e for e in lenient.log if e.method == "POST"][-1].body)
    finally:
        server.stop()
    assert replies[0] != replies[1]  # each provider's own recorded words
    assert [m["content"] for m in asked["messages"]] == ["Say this is a test", replies[0], "Again"]
