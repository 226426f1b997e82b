"""Load limits (--concurrency, --max-queue, clients that leave) and security (--auth, --cors,
headers, the warning for an open bind, and a token that never leaks)."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import httpx
import pytest

from support.servers import Server, run_cli

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"
BODY = {"data": ["I like you"]}
TOKEN = "hf_test_token_123"


@pytest.fixture
def slow(emulator: Any) -> Any:
    yield emulator
    emulator.configure()


async def _concurrently(url: str, count: int, timeout: float = 30) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        return await asyncio.gather(*(client.post("/api/predict", json=BODY) for _ in range(count)))


def test_beyond_the_queue_the_answer_is_429_at_once(slow) -> None:
    server = Server(slow, MODEL, "--concurrency", "1", "--max-queue", "1")
    try:
        slow.configure(latency=2)
        answers = asyncio.run(_concurrently(server.url, 3))
    finally:
        server.stop()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 200, 429]
    busy = next(a for a in answers if a.status_code == 429)
    assert busy.headers["Retry-After"] == "1" and busy.json()["type"] == "ServerBusy"
    # The third did not wait: refused before the first answer came (in order, not in seconds).
    assert busy.elapsed < min(a.elapsed for a in answers if a.status_code == 200)


def test_a_client_that_leaves_cancels_its_upstream_request(slow) -> None:
    server = Server(slow, MODEL)
    try:
        slow.configure(latency=60)

        async def leave_early() -> None:
            with pytest.raises(httpx.ReadTimeout):
                await _concurrently(server.url, 4, timeout=0.3)

        asyncio.run(leave_early())
        deadline = time.monotonic() + 30  # well before the 60 s answers would come
        health: dict[str, Any] = {}
        while time.monotonic() < deadline:
            health = httpx.get(f"{server.url}/healthz").json()
            if health["running"] == 0 and health["waiting"] == 0:
                break
            time.sleep(0.05)
    finally:
        server.stop()
    assert health["running"] == 0 and health["waiting"] == 0


def test_auth_guards_every_route_but_healthz(emulator) -> None:
    server = Server(emulator, MODEL, "--auth", "ada:lovelace")
    good = {"Authorization": "Basic " + base64.b64encode(b"ada:lovelace").decode()}
    bad = {"Authorization": "Basic " + base64.b64encode(b"ada:babbage").decode()}
    try:
        for path in ("/", "/api/info", "/static/app.js"):
            refused = httpx.get(server.url + path)
            assert refused.status_code == 401, path
            assert refused.headers["WWW-Authenticate"].startswith("Basic")
            assert refused.json()["type"] == "AuthRequired"
            assert httpx.get(server.url + path, headers=good).status_code == 200
            assert httpx.get(server.url + path, headers=bad).status_code == 401
        assert httpx.post(f"{server.url}/api/predict", json=BODY).status_code == 401
        ok = httpx.post(f"{server.url}/api/predict", json=BODY, headers=good, timeout=30)
        assert ok.status_code == 200
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()


def test_a_token_credential_works_as_bearer(emulator) -> None:
    server = Server(emulator, MODEL, HUBDEMO_AUTH="s3cret-demo-token")
    try:
        assert httpx.get(f"{server.url}/api/info").status_code == 401
        bearer = {"Authorization": "Bearer s3cret-demo-token"}
        assert httpx.get(f"{server.url}/api/info", headers=bearer).status_code == 200
        wrong = {"Authorization": "Bearer nope"}
        assert httpx.get(f"{server.url}/api/info", headers=wrong).status_code == 401
    finally:
        server.stop()


def test_binding_beyond_loopback_without_auth_warns(emulator) -> None:
    open_bind = run_cli(emulator, "serve", MODEL, "--host", "0.0.0.0", "--check")
    assert "warning: serving on 0.0.0.0 without --auth" in open_bind.stderr
    guarded = run_cli(emulator, "serve", MODEL, "--host", "0.0.0.0", "--auth", "a:b", "--check")
    assert "warning" not in guarded.stderr


def test_cors_is_off_unless_an_origin_is_named(emulator, servers) -> None:
    preflight = {
        "Origin": "https://example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    closed = httpx.options(f"{servers[MODEL].url}/api/predict", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    server = Server(emulator, MODEL, "--cors", "https://example.com")
    try:
        opened = httpx.options(f"{server.url}/api/predict", headers=preflight)
        other = httpx.options(
            f"{server.url}/api/predict", headers={**preflight, "Origin": "https://evil.test"}
        )
    finally:
        server.stop()
    assert opened.headers["access-control-allow-origin"] == "https://example.com"
    assert "access-control-allow-origin" not in other.headers


def test_security_headers_on_every_answer(servers) -> None:
    url = servers[MODEL].url
    answers = [
        httpx.get(url),
        httpx.get(f"{url}/api/info"),
        httpx.get(f"{url}/nope"),
        httpx.post(f"{url}/api/predict", content=b"{bad"),
        httpx.get(f"{url}/static/app.js"),
    ]
    for answer in answers:
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style")[0]
        assert "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_token_never_leaks_under_any_fault(emulator, tmp_path) -> None:
    server = Server(emulator, MODEL, "--retry-budget", "0", HF_TOKEN=TOKEN)
    seen: list[str] = []

    def keep(answer: httpx.Response) -> None:
        seen.append(answer.text + str(dict(answer.headers)))

    try:
        keep(httpx.get(server.url))
        keep(httpx.get(f"{server.url}/api/info"))
        keep(server.predict(BODY))
        for kind in ("rate_limit", "loading", "server_error", "reset", "garbage", "truncated"):
            emulator.configure(every={kind: 1})
            keep(server.predict(BODY))
        emulator.configure()
        emulator.fail_next(401, {"error": f"Authorization header is invalid: Bearer {TOKEN}"})
        keep(server.predict(BODY))
        emulator.fail_next(422, {"error": f"bad input from {TOKEN}"})
        keep(server.predict(BODY))
    finally:
        emulator.configure()
        seen.append(server.stop())  # everything the server printed
    described = run_cli(emulator, "describe", MODEL, "--json", HF_TOKEN=TOKEN)
    predicted = run_cli(emulator, "predict", "gpt2", "Hi", "--retry-budget", "0", HF_TOKEN=TOKEN)
    seen += [described.stdout, described.stderr, predicted.stdout, predicted.stderr]
    assert any("REDACTED" in s or "***" in s for s in seen), "the echoed token was scrubbed"
    for text in seen:
        assert TOKEN not in text
    sent = [e for e in emulator.log if e.headers.get("authorization") == f"Bearer {TOKEN}"]
    assert sent, "the token did reach the upstream"
