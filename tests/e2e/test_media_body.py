"""`POST /api/predict` with the file itself as the body (`Content-Type: image/png`, `audio/flac`,
as the router takes it) and the parameters in the query string: the same answer as base64 JSON,
and the bytes reach the upstream as they were sent."""

from __future__ import annotations

import httpx
import pytest

from support.cases import CASES

TEXT_MODEL = CASES["text-classification"].model


@pytest.mark.parametrize(
    ("task", "kind", "content_type"),
    [("image-classification", "image", "image/png"),
     ("automatic-speech-recognition", "audio", "audio/flac")],
)  # fmt: skip
def test_a_file_as_the_body_is_forwarded_as_sent(
    task, kind, content_type, servers, emulator, media
) -> None:
    case = CASES[task]
    answer = httpx.post(
        f"{servers[case.model].url}/api/predict",
        content=media[kind],
        headers={"Content-Type": content_type},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    sent = emulator.log[-1]
    assert sent.body == media[kind]  # forwarded as received, not re-encoded
    assert sent.headers["content-type"] == content_type
    assert answer.json()["output"] == case.expect(emulator.replayed().json())


def test_parameters_in_the_query_are_checked_before_the_upstream(servers, emulator, media) -> None:
    server = servers[CASES["image-classification"].model]
    posts = len(emulator.log)
    for query, status, words in (
        ("top_k=many", 422, "top_k"),
        ("no_such_thing=1", 422, "no_such_thing"),
        ("top_k", 422, "top_k"),  # no value: the empty text, not an integer
    ):
        answer = httpx.post(
            f"{server.url}/api/predict?{query}",
            content=media["image"],
            headers={"Content-Type": "image/png"},
        )
        assert answer.status_code == status, (query, answer.text)
        assert words in answer.json()["error"]
    assert len(emulator.log) == posts  # nothing went upstream


def test_a_body_that_is_not_what_it_says_is_refused(servers, emulator, media) -> None:
    image_server = servers[CASES["image-classification"].model]
    fake = httpx.post(
        f"{image_server.url}/api/predict",
        content=b"just some text",
        headers={"Content-Type": "image/jpeg"},
    )
    assert fake.status_code == 415 and "send an image" in fake.json()["error"]
    sound = httpx.post(
        f"{image_server.url}/api/predict",
        content=media["audio"],
        headers={"Content-Type": "audio/flac"},
    )
    assert sound.status_code == 415
    assert "or the image itself as image/*" in sound.json()["error"]
    text_server = servers[TEXT_MODEL]
    picture = httpx.post(
        f"{text_server.url}/api/predict",
        content=media["image"],
        headers={"Content-Type": "image/png"},
    )
    assert picture.status_code == 415 and "application/json" in picture.json()["error"]
    assert "itself" not in picture.json()["error"]  # a text task takes no file


def test_the_openapi_document_offers_the_file_as_the_body(servers) -> None:
    image = httpx.get(f"{servers[CASES['image-classification'].model].url}/openapi.json").json()
    post = image["paths"]["/api/predict"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "image/*"}
    assert "top_k" in [p["name"] for p in post["parameters"] if p["in"] == "query"]
    text = httpx.get(f"{servers[TEXT_MODEL].url}/openapi.json").json()
    assert set(text["paths"]["/api/predict"]["post"]["requestBody"]["content"]) == {
        "application/json"
    }
