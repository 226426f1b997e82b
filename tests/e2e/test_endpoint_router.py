"""`hubdemo endpoint` as a stand-in for the router, TGI and TEI: lists of texts as one batch,
the router's routing, text generation in TGI's and OpenAI's forms, every parameter honoured or
refused, JSON errors everywhere. Checked with huggingface_hub's InferenceClient and plain HTTP
against tiny models and the real MiniLM, and with the Hub's schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from hubdemo.hub import HubClient
from hubdemo.resolve import resolve
from hubdemo.upstream.endpoint import EndpointUpstream
from hubdemo.web.app import create_app
from support.checks import close, validate_output
from support.local import RECORDED_SENTENCES, RECORDED_SOURCE, recorded_similarity
from support.servers import MINILM, ThreadServer, endpoint_for


@pytest.fixture(scope="module")
def chat(tiny_models: dict[str, Path]) -> Iterator[ThreadServer]:
    with endpoint_for(str(tiny_models["chat-completion"])) as server:
        yield server


def post(url: str, body: Any) -> httpx.Response:
    return httpx.post(url, json=body, timeout=120)


# -- 1. batches of texts -----------------------------------------------------------------------


def test_a_list_of_texts_is_embedded_as_one_batch_equal_to_one_by_one(
    minilm_endpoint, inference_client
) -> None:
    texts = ["A cat sits on the mat.", "Stocks fell sharply today.", "I love pizza."]
    endpoint = inference_client(model=minilm_endpoint.url)
    together = endpoint.feature_extraction(texts)
    alone = np.stack([endpoint.feature_extraction(t).reshape(-1) for t in texts])
    assert together.shape == (3, 384)
    assert np.allclose(together, alone, atol=1e-5)
    assert not np.allclose(together[0], together[1], atol=1e-2)


def test_lists_answer_the_routers_list_shape_for_each_text_task(tiny_models) -> None:
    """The router's answer to a list is the list of its answers to each text (its recordings
    of t5-base and bart-base show the shape); text-classification's [[...]] loses its
    batch-of-one level, fill-mask's and token-classification's lists do not."""
    texts = {
        "text-classification": ["i love it", "i hate it", "so so"],
        "token-classification": ["my name is sarah", "paris is nice"],
        "fill-mask": ["the [MASK] is red", "paris is a [MASK]"],
    }
    for task, batch in texts.items():
        with endpoint_for(str(tiny_models[task])) as server:
            whole = post(server.url, {"inputs": batch})
            single = [post(server.url, {"inputs": text}).json() for text in batch]
        assert whole.status_code == 200, whole.text
        expected = [s[0] for s in single] if task == "text-classification" else single
        assert close(whole.json(), expected), task
        for item in whole.json():
            validate_output(task, item)


def test_a_batch_is_bounded_and_its_texts_are_checked(minilm_endpoint) -> None:
    too_many = post(minilm_endpoint.url, {"inputs": ["a"] * 257})
    assert too_many.status_code == 413 and "at most 256" in too_many.json()["error"]
    blank = post(minilm_endpoint.url, {"inputs": ["a", " "]})
    assert blank.status_code == 400 and "[1]" in blank.json()["error"]


def test_serve_api_predict_takes_a_list_through_the_router(servers, tapes) -> None:
    """/api/predict with the task's own body and a list: one normalized output per text,
    each as the recording of the router's answer."""
    texts = ["My name is Wolfgang and I live in Berlin", "I work as programmer"]
    response = servers["t5-base"].predict({"inputs": texts})
    assert response.status_code == 200, response.text
    output = response.json()["output"]
    recorded = next(
        exchange
        for exchange in tapes.exchanges
        if exchange.model == "t5-base"
        and isinstance(exchange.request, dict)
        and exchange.request.get("inputs") == texts
    ).json()
    assert output == recorded
    for item in output:
        validate_output("translation", item)
    shown = response.json()["data"]
    assert shown == [[{"text": item["translation_text"]} for item in recorded]]


# -- 2. one model, every route agrees ---------------------------------------------------------


def test_every_route_of_an_embedding_model_answers_as_the_router(
    minilm_endpoint, inference_client, tapes
) -> None:
    url, model = minilm_endpoint.url, f"{minilm_endpoint.url}/models/{MINILM}"
    vector = post(url, {"inputs": "hello"}).json()
    for route in (
        model,
        f"{minilm_endpoint.url}/hf-inference/models/{MINILM}",
        f"{model}/pipeline/feature-extraction",
        f"{minilm_endpoint.url}/pipeline/feature-extraction/{MINILM}",
        f"{minilm_endpoint.url}/hf-inference/pipeline/feature-extraction/{MINILM}",
    ):
        answer = post(route, {"inputs": "hello"})
        assert answer.status_code == 200, (route, answer.text)
        assert answer.json() == pytest.approx(vector, abs=1e-6), route
    # huggingface_hub pointed at the model's route, as at the router
    routed = inference_client(model=model)
    assert routed.feature_extraction("hello").reshape(-1) == pytest.approx(vector, abs=1e-5)
    scores = routed.sentence_similarity(RECORDED_SOURCE, other_sentences=RECORDED_SENTENCES)
    assert scores == pytest.approx(recorded_similarity(tapes), abs=1e-4)


def test_unknown_routes_and_methods_answer_json_naming_what_is_served(minilm_endpoint) -> None:
    for method, path in (("GET", "/nope"), ("POST", "/v2/models"), ("GET", "/generate")):
        answer = httpx.request(method, f"{minilm_endpoint.url}{path}")
        assert answer.status_code in (404, 405), path
        assert answer.headers["content-type"].startswith("application/json"), path
        assert path in answer.json()["error"] and "POST /" in answer.json()["error"]
    chat = post(
        f"{minilm_endpoint.url}/v1/chat/completions",
        {"messages": [{"role": "user", "content": "x"}]},
    )
    assert chat.status_code == 404 and "feature-extraction" in chat.json()["error"]


def test_info_describes_the_model_like_tgi_and_tei(minilm_endpoint, chat, tiny_models) -> None:
    info = httpx.get(f"{minilm_endpoint.url}/info").json()
    assert info["model_id"] == MINILM
    assert info["task"] == "sentence-similarity"
    assert set(info["tasks"]) == {"sentence-similarity", "feature-extraction"}
    assert info["max_input_length"] == 512  # all-MiniLM-L6-v2's tokenizer: 512 tokens
    assert info["max_client_batch_size"] == 256
    generation = httpx.get(f"{chat.url}/info").json()
    assert set(generation["tasks"]) == {"chat-completion", "text-generation", "completions"}
    config = json.loads((tiny_models["chat-completion"] / "config.json").read_text())
    assert generation["max_input_length"] <= config["n_positions"]
    assert "POST /generate_stream" in generation["routes"]


def test_a_refused_parameter_points_at_what_the_endpoint_serves(tiny_models) -> None:
    with endpoint_for(str(tiny_models["text-classification"])) as server:
        answer = post(server.url, {"inputs": "hi", "parameters": {"nonsense": 1}})
        assert answer.status_code == 422
        assert "GET /info" in answer.json()["error"] and "/api/info" not in answer.json()["error"]
        assert httpx.get(f"{server.url}/info").status_code == 200


# -- 3. text generation on a chat model --------------------------------------------------------


def test_text_generation_whole_with_details_matches_the_tgi_schema(chat, inference_client) -> None:
    tgi = inference_client(model=chat.url)
    text = tgi.text_generation("hello there", max_new_tokens=6)
    detailed = tgi.text_generation("hello there", max_new_tokens=6, details=True)
    assert detailed.generated_text == text and len(detailed.details.tokens) == 6
    assert detailed.details.finish_reason == "length"
    assert "".join(t.text for t in detailed.details.tokens) == text
    raw = post(
        chat.url, {"inputs": "hello there", "parameters": {"max_new_tokens": 6, "details": True}}
    )
    validate_output("text-generation", raw.json()[0])
    assert raw.json()[0]["generated_text"] == text  # TGI's default: without the prompt
    full = {"max_new_tokens": 6, "return_full_text": True}
    with_prompt = post(chat.url, {"inputs": "hello there", "parameters": full})
    assert with_prompt.json() == [{"generated_text": "hello there" + text}]
    tgi_route = post(
        f"{chat.url}/generate", {"inputs": "hello there", "parameters": {"max_new_tokens": 6}}
    )
    assert tgi_route.json() == {"generated_text": text}  # TGI's /generate: the object


def test_text_generation_streamed_adds_up_to_the_whole_answer(chat, inference_client) -> None:
    tgi = inference_client(model=chat.url)
    whole = tgi.text_generation("hello there", max_new_tokens=6)
    pieces = list(tgi.text_generation("hello there", max_new_tokens=6, stream=True))
    assert len(pieces) == 6 and "".join(pieces) == whole
    events = list(tgi.text_generation("hello there", max_new_tokens=6, stream=True, details=True))
    assert [e.index for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[-1].generated_text == whole and events[-1].details.generated_tokens == 6
    raw = httpx.post(
        f"{chat.url}/generate_stream",
        json={"inputs": "hello there", "parameters": {"max_new_tokens": 3, "details": True}},
        timeout=60,
    )
    lines = [json.loads(line[5:]) for line in raw.text.splitlines() if line.startswith("data:")]
    for event in lines:
        validate_output("text-generation", event, "stream_output.json")
    assert lines[-1]["details"]["input_length"] > 0


def test_stop_sequences_end_generation_in_each_form(chat, inference_client) -> None:
    tgi = inference_client(model=chat.url)
    free = tgi.text_generation("hello there", max_new_tokens=8)
    stop = free.split()[1]  # a word the model writes, second
    stopped = tgi.text_generation("hello there", max_new_tokens=8, stop=[stop], details=True)
    assert stopped.details.finish_reason == "stop_sequence"
    assert stopped.generated_text.endswith(stop)  # TGI keeps the stop sequence
    assert len(stopped.generated_text) < len(free)
    messages = [{"role": "user", "content": "hello there"}]
    openai = inference_client(base_url=chat.url)
    answer = openai.chat_completion(messages, max_tokens=8).choices[0].message.content
    word = answer.split()[1]
    cut = openai.chat_completion(messages, max_tokens=8, stop=[word]).choices[0]
    assert cut.finish_reason == "stop" and word not in cut.message.content  # OpenAI cuts it
    assert answer.startswith(cut.message.content)


def test_chat_logprobs_and_n_are_honoured(chat, inference_client) -> None:
    messages = [{"role": "user", "content": "hello there"}]
    body = {"messages": messages, "max_tokens": 4, "logprobs": True, "top_logprobs": 3, "n": 2}
    answer = post(f"{chat.url}/v1/chat/completions", body).json()
    validate_output("chat-completion", answer)
    assert len(answer["choices"]) == 2
    content = answer["choices"][0]["logprobs"]["content"]
    assert len(content) == 4 and all(len(c["top_logprobs"]) == 3 for c in content)
    for step in content:  # the chosen (greedy) token is the most likely one
        assert step["logprob"] == pytest.approx(step["top_logprobs"][0]["logprob"])
        assert step["logprob"] <= 0
    via_client = inference_client(base_url=chat.url).chat_completion(
        messages, max_tokens=4, logprobs=True, top_logprobs=2
    )
    assert len(via_client.choices[0].logprobs.content) == 4


def test_penalties_change_what_is_generated(chat) -> None:
    """frequency_penalty is applied, not dropped: the tiny model repeats a word, and a strong
    penalty makes it write something else."""
    body = {"messages": [{"role": "user", "content": "hello there"}], "max_tokens": 8}
    plain = post(f"{chat.url}/v1/chat/completions", body).json()
    penalised = post(f"{chat.url}/v1/chat/completions", {**body, "frequency_penalty": 2.0}).json()
    words = plain["choices"][0]["message"]["content"].split()
    assert len(set(words)) < len(words), "the tiny model repeats itself unpenalised"
    other = penalised["choices"][0]["message"]["content"].split()
    assert len(set(other)) > len(set(words))


def test_parameters_that_cannot_be_honoured_are_refused_by_name(chat, inference_client) -> None:
    from huggingface_hub.errors import HfHubHTTPError

    messages = [{"role": "user", "content": "hi"}]
    url = f"{chat.url}/v1/chat/completions"
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    for extra, name in (
        ({"tools": tools}, "tools"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
        ({"n": 2, "stream": True}, "n"),
    ):
        answer = post(url, {"messages": messages, **extra})
        assert answer.status_code == 422 and name in answer.json()["error"], extra
    with pytest.raises(HfHubHTTPError) as refused:
        inference_client(model=chat.url).text_generation("hi", max_new_tokens=2, watermark=True)
    assert refused.value.response.status_code == 422 and "watermark" in str(refused.value)
    unknown = post(f"{chat.url}/v1/completions", {"prompt": "hi", "suffix": "x"})
    assert unknown.status_code == 422 and "suffix" in unknown.json()["error"]
    made_up = post(f"{chat.url}/v1/completions", {"prompt": "hi", "best_of_all": 1})
    assert made_up.status_code == 422 and "best_of_all" in made_up.json()["error"]


def test_openai_completions_whole_and_streamed(chat) -> None:
    url = f"{chat.url}/v1/completions"
    whole = post(url, {"prompt": "hello there", "max_tokens": 5, "logprobs": 2}).json()
    assert whole["object"] == "text_completion"
    choice = whole["choices"][0]
    assert len(choice["logprobs"]["tokens"]) == 5 and choice["finish_reason"] == "length"
    assert "".join(choice["logprobs"]["tokens"]) == choice["text"]
    assert whole["usage"]["completion_tokens"] == 5
    echoed = post(url, {"prompt": "hello there", "max_tokens": 5, "echo": True}).json()
    assert echoed["choices"][0]["text"] == "hello there" + choice["text"]
    streamed = httpx.post(url, json={"prompt": "hello there", "max_tokens": 5, "stream": True})
    data = [line[6:] for line in streamed.text.splitlines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert "".join(c["choices"][0]["text"] for c in chunks) == choice["text"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


def test_the_model_is_named_alike_in_whole_and_streamed_answers(chat) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    whole = post(f"{chat.url}/v1/chat/completions", body).json()["model"]
    streamed = httpx.post(f"{chat.url}/v1/chat/completions", json={**body, "stream": True})
    names = {
        json.loads(line[6:])["model"]
        for line in streamed.text.splitlines()
        if line.startswith("data: {")
    }
    assert names == {whole} and whole != "local"


def test_serve_in_front_of_the_endpoint_takes_a_list(tiny_models) -> None:
    folder = tiny_models["text-classification"]
    with endpoint_for(str(folder)) as endpoint:
        spec = resolve(str(folder), HubClient())
        upstream = EndpointUpstream(endpoint.url, model_id=spec.model_id)
        with ThreadServer(create_app(spec, upstream)) as server:
            answer = post(f"{server.url}/api/predict", {"inputs": ["i love it", "i hate it"]})
            one = post(f"{server.url}/api/predict", {"inputs": "i hate it"})
    assert answer.status_code == 200, answer.text
    output = answer.json()["output"]
    assert len(output) == 2 and close(output[1], one.json()["output"])
    for item in output:
        validate_output("text-classification", item)
    assert len(answer.json()["data"]) == 1 and len(answer.json()["data"][0]) == 2
