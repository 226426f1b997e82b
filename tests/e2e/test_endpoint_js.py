"""`hubdemo endpoint` used by @huggingface/inference, the official JavaScript client (Node.js,
installed by `make test` into tests/js): feature extraction (one text and a list), sentence
similarity, text classification, chat and text generation, whole and streamed."""

from __future__ import annotations

import math

from support import REPO
from support.checks import close
from support.js import run_js
from support.local import RECORDED_SENTENCES, RECORDED_SOURCE, config_labels, recorded_similarity
from support.servers import MINILM, endpoint_for

JS = REPO / "tests" / "js"


def test_feature_extraction_and_similarity_on_the_real_minilm(minilm_endpoint, tapes) -> None:
    texts = ["A cat sits on the mat.", "Stocks fell sharply today."]
    one, many, scores, routed = run_js(
        minilm_endpoint.url,
        [
            {"op": "featureExtraction", "args": {"inputs": texts[0]}},
            {"op": "featureExtraction", "args": {"inputs": texts}},
            {
                "op": "sentenceSimilarity",
                "args": {
                    "inputs": {"source_sentence": RECORDED_SOURCE, "sentences": RECORDED_SENTENCES}
                },
            },
            {"op": "featureExtraction", "args": {"inputs": texts[1]}},
        ],
    )
    assert len(one) == 384 and abs(math.fsum(v * v for v in one) - 1) < 1e-4
    assert len(many) == 2 and close(many[0], one, 1e-5) and close(many[1], routed, 1e-5)
    assert close(scores, recorded_similarity(tapes))


def test_the_models_route_works_as_the_endpoint_url(minilm_endpoint) -> None:
    """endpointUrl pointed at /models/<id>, as at the router: a text embeds."""
    [vector] = run_js(
        f"{minilm_endpoint.url}/models/{MINILM}",
        [{"op": "featureExtraction", "args": {"inputs": "hello"}}],
    )
    assert len(vector) == 384


def test_text_classification(tiny_models) -> None:
    folder = tiny_models["text-classification"]
    with endpoint_for(str(folder)) as server:
        [labels] = run_js(
            server.url, [{"op": "textClassification", "args": {"inputs": "i love it"}}]
        )
    assert {item["label"] for item in labels} == config_labels(folder)
    assert abs(sum(item["score"] for item in labels) - 1) < 1e-4


def test_chat_and_text_generation_whole_and_streamed(tiny_models) -> None:
    messages = [{"role": "user", "content": "hello there"}]
    with endpoint_for(str(tiny_models["chat-completion"])) as server:
        chat, chat_chunks, text, text_chunks, refused = run_js(
            server.url,
            [
                {"op": "chatCompletion", "args": {"messages": messages, "max_tokens": 5}},
                {"op": "chatCompletionStream", "args": {"messages": messages, "max_tokens": 5}},
                {
                    "op": "textGeneration",
                    "args": {"inputs": "hello there", "parameters": {"max_new_tokens": 5}},
                },
                {
                    "op": "textGenerationStream",
                    "args": {"inputs": "hello there", "parameters": {"max_new_tokens": 5}},
                },
                {
                    "op": "chatCompletion",
                    "args": {"messages": messages, "response_format": {"type": "json_object"}},
                },
            ],
        )
    answer = chat["choices"][0]["message"]["content"]
    assert chat["usage"]["completion_tokens"] == 5 and answer
    streamed = "".join(c["choices"][0]["delta"].get("content") or "" for c in chat_chunks)
    assert streamed == answer
    assert text["generated_text"] and len(text["generated_text"].split()) == 5
    pieces = "".join(c["choices"][0]["text"] for c in text_chunks)
    assert pieces == text["generated_text"]
    assert refused["status"] == 422 and "response_format" in refused["error"]
