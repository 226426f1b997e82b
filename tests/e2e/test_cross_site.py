"""Other sites' pages cannot drive a demo: content types, Origin / Sec-Fetch-Site, and the
order of CORS and auth."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from support.servers import Server

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"
TEXT = "I like you. I love you."


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json.dumps({"data": [TEXT]})),
        ("application/x-www-form-urlencoded", "data=x"),
        ("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; "
         'name="a"\r\n\r\nx\r\n--b--\r\n'),
        ("", json.dumps({"data": [TEXT]})),
    ],
)  # fmt: skip
def test_a_body_not_declared_json_is_415(servers, emulator, content_type, body) -> None:
    before = emulator.inference_count
    answer = httpx.post(
        f"{servers[MODEL].url}/api/predict",
        content=body.encode(),
        headers={"Content-Type": content_type} if content_type else {},
    )
    assert answer.status_code == 415, answer.text
    assert answer.json()["type"] == "UnsupportedMedia"
    assert "application/json" in answer.json()["error"]
    assert emulator.inference_count == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost:3000"},
    ],
)
def test_a_request_from_another_site_is_403(servers, emulator, headers) -> None:
    before = emulator.inference_count
    answer = httpx.post(f"{servers[MODEL].url}/api/predict", json={"data": [TEXT]}, headers=headers)
    assert answer.status_code == 403
    assert answer.json()["type"] == "CrossSiteRequest"
    assert "--cors" in answer.json()["error"]
    assert "content-security-policy" in answer.headers
    assert emulator.inference_count == before


def test_the_page_itself_and_programs_are_not_refused(servers) -> None:
    url = servers[MODEL].url
    same = {"Origin": url, "Sec-Fetch-Site": "same-origin"}
    assert httpx.post(f"{url}/api/predict", json={"data": [TEXT]}, headers=same).status_code == 200
    assert httpx.post(f"{url}/api/predict", json={"data": [TEXT]}).status_code == 200  # curl
    # Behind a reverse proxy the Host differs from the page's origin: the browser's
    # Sec-Fetch-Site says it is the page itself.
    proxied = {"Origin": "https://demo.example.com", "Sec-Fetch-Site": "same-origin"}
    assert (
        httpx.post(f"{url}/api/predict", json={"data": [TEXT]}, headers=proxied).status_code == 200
    )
    # Reading is not refused: a link from another site still opens the page.
    assert httpx.get(url, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_cors_with_auth_answers_the_preflight_and_allows_that_origin(emulator) -> None:
    origin = "https://app.example"
    server = Server(emulator, MODEL, "--cors", origin, "--auth", "ada:lovelace")
    try:
        preflight = httpx.options(
            f"{server.url}/api/predict",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, authorization",
            },
        )
        basic = "Basic " + base64.b64encode(b"ada:lovelace").decode()
        allowed = httpx.post(
            f"{server.url}/api/predict",
            json={"data": [TEXT]},
            headers={"Origin": origin, "Sec-Fetch-Site": "cross-site", "Authorization": basic},
            timeout=30,
        )
        refused = httpx.post(
            f"{server.url}/api/predict", json={"data": [TEXT]}, headers={"Origin": origin}
        )
    finally:
        server.stop()
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["access-control-allow-origin"] == origin
    assert refused.status_code == 401  # the origin is allowed; credentials are still needed
    assert refused.headers["access-control-allow-origin"] == origin


def test_the_bearer_scheme_is_case_insensitive_and_401s_carry_headers_once(emulator) -> None:
    server = Server(emulator, MODEL, "--auth", "s3cret-demo-token")
    try:
        answers = {
            scheme: httpx.get(
                f"{server.url}/api/info", headers={"Authorization": f"{scheme} s3cret-demo-token"}
            ).status_code
            for scheme in ("Bearer", "bearer", "BEARER")
        }
        refused = httpx.get(f"{server.url}/api/info")
    finally:
        server.stop()
    assert answers == {"Bearer": 200, "bearer": 200, "BEARER": 200}
    assert refused.status_code == 401
    assert len(refused.headers.get_list("content-security-policy")) == 1
    assert len(refused.headers.get_list("x-content-type-options")) == 1
