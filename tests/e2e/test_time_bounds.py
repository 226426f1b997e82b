"""Nothing hangs: --timeout is a deadline for a whole answer (a stream: between events, and in
all), queued predictions give up after --queue-timeout, a full server says so before a stream
starts, and slow clients are cut off (request head and body)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from support.cases import CHAT_MODEL, CHAT_SETTINGS
from support.checks import sse_events
from support.emulator import Emulator
from support.servers import Server

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"
BODY = {"data": ["I like you"]}
CHAT = {
    "messages": [{"role": "user", "content": "Complete the equation 1+1= ,just the answer"}],
    **CHAT_SETTINGS,
}


@pytest.fixture
def faulty(emulator: Emulator) -> Iterator[Emulator]:
    yield emulator
    emulator.configure()


def test_an_upstream_that_trickles_is_cut_at_the_deadline(faulty) -> None:
    """A byte every 0.5 s never trips a per-read timeout; the whole answer would take ~12 s.
    (Margins here are wide: a loaded machine may be seconds late, never 10 s early.)"""
    server = Server(faulty, MODEL, "--timeout", "1", "--retry-budget", "0")
    try:
        faulty.configure(drip_seconds=0.5)
        started = time.monotonic()
        response = server.predict(BODY)
        took = time.monotonic() - started
    finally:
        server.stop()
    assert response.status_code == 504, response.text
    assert "did not answer within 1 s" in response.json()["error"]
    assert took < 9  # well before the drip would have finished (~12 s)


def test_a_stream_that_stalls_or_runs_on_ends_with_an_error_event(faulty) -> None:
    server = Server(faulty, CHAT_MODEL, "--timeout", "0.3")
    try:
        faulty.configure(drip_seconds=1.0)  # 8 bytes a second: stalls between events
        stalled = httpx.post(f"{server.url}/api/predict?stream=true", json=CHAT, timeout=30)
        faulty.configure(drip_seconds=0.06)  # events keep coming, but 3.8 KB take ~30 s
        started = time.monotonic()
        endless = httpx.post(f"{server.url}/api/predict?stream=true", json=CHAT, timeout=30)
        took = time.monotonic() - started
    finally:
        server.stop()
    for response in (stalled, endless):
        kind, error = sse_events(response.text)[-1]
        assert kind == "error" and error["type"] == "UpstreamTimeout", response.text
        assert "stalled" in error["error"] or "did not answer" in error["error"]
    assert took < 20  # the 3 s cap (10 x --timeout), not the whole ~30 s drip


async def _hold_slots(url: str, count: int, body: dict) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return list(
            await asyncio.gather(*(client.post("/api/predict", json=body) for _ in range(count)))
        )


def test_a_queued_prediction_gives_up_after_the_queue_timeout(faulty) -> None:
    server = Server(faulty, MODEL, "--concurrency", "1", "--queue-timeout", "0.5")
    try:
        faulty.configure(latency=1.5)
        health = httpx.get(f"{server.url}/healthz").json()
        answers = asyncio.run(_hold_slots(server.url, 3, BODY))
    finally:
        server.stop()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 429, 429], [a.text for a in answers]
    busy = next(a for a in answers if a.status_code == 429)
    assert "no prediction slot freed within 0.5 s" in busy.json()["error"]
    assert int(busy.headers["Retry-After"]) >= 1
    assert health["limits"]["queue_timeout"] == 0.5


def test_a_full_server_answers_a_stream_with_429_before_it_starts(faulty) -> None:
    server = Server(faulty, CHAT_MODEL, "--concurrency", "1", "--max-queue", "0")
    try:
        faulty.configure(latency=1.5)

        async def both() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                first = asyncio.create_task(client.post("/api/predict?stream=true", json=CHAT))
                await asyncio.sleep(0.5)  # the first holds the one slot
                second = await client.post("/api/predict?stream=true", json=CHAT)
                return [await first, second]

        first, second = asyncio.run(both())
        health = httpx.get(f"{server.url}/healthz").json()
    finally:
        server.stop()
    assert first.status_code == 200
    assert second.status_code == 429, second.text
    assert second.headers["content-type"].startswith("application/json")
    assert "Retry-After" in second.headers
    assert health["running"] == 0  # the refused stream took no slot


def test_a_client_that_sends_its_head_slowly_is_dropped(emulator) -> None:
    """One header line every second: the connection is closed at --header-timeout (10 s is
    the default; this server uses 1 s), and the server keeps answering others meanwhile."""
    server = Server(emulator, MODEL, "--header-timeout", "1")
    try:
        slow = socket.create_connection(("127.0.0.1", server.port))
        slow.sendall(b"GET /healthz HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 30:
            try:
                slow.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
            assert httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200
            slow.settimeout(0.5)
            try:
                if slow.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        took = time.monotonic() - started
    finally:
        slow.close()
        server.stop()
    assert closed and took < 8  # the 1 s given, not the default 10 s


def test_a_body_that_trickles_is_a_408(emulator) -> None:
    server = Server(emulator, MODEL, "--body-timeout", "1")
    try:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(
            b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        sock.settimeout(60)
        started = time.monotonic()
        received = b""
        while True:  # the head and the body may come in separate segments
            chunk = sock.recv(4096)
            received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            length = next(
                (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                 if line.lower().startswith(b"content-length")),
                None,
            )  # fmt: skip
            if not chunk or (length is not None and len(body) >= length):
                break
        answer = received.decode()
        took = time.monotonic() - started
        sock.close()
    finally:
        server.stop()
    assert answer.startswith("HTTP/1.1 408"), answer
    assert "took more than 1 s to arrive" in answer
    assert took < 30  # the 1 s given, not the default 120 s


def test_past_max_connections_the_slowest_head_is_dropped(emulator) -> None:
    """5 connections hold the server's 5 places with heads that never finish: a new client
    still gets its answer, because the oldest unfinished head makes room."""
    server = Server(emulator, MODEL, "--max-connections", "5", "--header-timeout", "30")
    idle = []
    try:
        for _ in range(5):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            idle.append(sock)
        time.sleep(0.2)
        answers = [httpx.get(f"{server.url}/healthz", timeout=5).status_code for _ in range(3)]
        idle[0].settimeout(2)
        oldest_closed = idle[0].recv(1024) == b""
    finally:
        for sock in idle:
            sock.close()
        server.stop()
    assert answers == [200, 200, 200]
    assert oldest_closed


def test_make_install_takes_torch_from_the_cpu_index_and_falls_back() -> None:
    """`make -n install` (what would run): torch from PyTorch's CPU index, else the default."""
    import subprocess

    from support import REPO

    planned = subprocess.run(
        ["make", "-n", "-B", "install", "VENV=/nonexistent-venv"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    torch_line = next(line for line in planned.splitlines() if "torch==" in line)
    assert "--index-url https://download.pytorch.org/whl/cpu torch==" in torch_line
    assert "|| /nonexistent-venv/bin/python -m pip install --quiet torch==" in torch_line
    skipped = subprocess.run(
        ["make", "-n", "-B", "install", "VENV=/nonexistent-venv", "TORCH_INDEX="],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "download.pytorch.org" not in skipped
