"""The HTTP API's error contract: JSON errors with the statuses of docs/design.md, never a 500."""

from __future__ import annotations

import base64

import httpx
import pytest


@pytest.fixture(scope="module")
def vit(servers):
    return servers["google/vit-base-patch16-224"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"data": []}, 400, "1 value"),
        ({"data": ["not base64 !!"]}, 400, "base64"),
        ({"data": ["data:image/png;base64," + base64.b64encode(b"hello").decode()]}, 415, "image"),
        ({"data": [""]}, 400, "image"),
        ({"inputs": 42}, 400, "image"),
        ({"nothing": 1}, 400, '"data"'),
        ([1, 2], 400, "JSON object"),
        ({"data": ["x"], "parameters": [1]}, 422, "parameters"),
    ],
)
def test_bad_input_is_a_4xx_that_names_the_fix(vit, body, status, words) -> None:
    response = vit.predict(body)
    assert response.status_code == status, response.text
    payload = response.json()
    assert words in payload["error"]
    assert payload["type"]


def test_non_json_and_oversize_bodies(vit) -> None:
    as_json = {"Content-Type": "application/json"}
    response = httpx.post(f"{vit.url}/api/predict", content=b"{oops", headers=as_json, timeout=10)
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
    huge = b'{"data": ["' + b"A" * (21 * 2**20) + b'"]}'
    response = httpx.post(f"{vit.url}/api/predict", content=huge, headers=as_json, timeout=30)
    assert response.status_code == 413 and "--max-upload-mb" in response.json()["error"]


@pytest.mark.parametrize(
    ("status", "body", "headers", "expect_status", "words"),
    [
        (401, {"error": "Invalid username or password."}, {}, 401, "token"),
        (404, {"error": "Model x does not exist"}, {}, 404, "does not serve"),
        (422, {"error": ["Error in `inputs`: field required"]}, {}, 422, "field required"),
        (429, {"error": "Rate limit reached"}, {"Retry-After": "70"}, 429, "wait 70 s"),
        (503, {"error": "loading", "estimated_time": 12.5}, {}, 503, "about 12 s"),
        (500, {"error": "boom"}, {}, 502, "try again later"),
    ],
)
def test_upstream_errors_map_to_the_design_statuses(
    vit, emulator, media, status, body, headers, expect_status, words
) -> None:
    emulator.fail_next(status, body, headers)
    image = "data:image/png;base64," + base64.b64encode(media["image"]).decode()
    response = vit.predict({"data": [image]})
    assert response.status_code == expect_status, response.text
    assert words in response.json()["error"]
    if expect_status in (429, 503):
        assert int(response.headers["retry-after"]) >= 1


def test_unknown_routes_and_methods_answer_json(vit) -> None:
    assert httpx.get(f"{vit.url}/nope").status_code == 404
    assert httpx.get(f"{vit.url}/nope").json()["type"] == "HTTPError"
    assert httpx.get(f"{vit.url}/api/predict").status_code == 405


def test_page_has_security_headers_and_no_inline_script(vit) -> None:
    response = httpx.get(vit.url)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # only src= scripts and a JSON data block


def test_an_answer_with_a_score_that_is_not_a_number_is_a_502_not_a_500(servers, emulator):
    server = servers["distilbert-base-uncased-finetuned-sst-2-english"]
    emulator.fail_next(200, [[{"label": "POSITIVE", "score": "very high"}]])
    response = server.predict({"data": ["I like you. I love you"]})
    assert response.status_code == 502
    assert response.json()["type"] == "UpstreamBadResponse"
    assert "not a number" in response.json()["error"]
