"""Soak under attack (make soak): hostile clients of the Gradio routes, and a hostile Space.

A. Against `hubdemo serve` of an image model (Gradio's protocol on), with /healthz asked every
   50 ms and the server's RSS sampled:
   1. 40 bodies of 40 MB to queue/join and call/predict at once, half without a length;
   2. 60 bodies trickling into queue/join and upload for 10 s (--body-timeout 3);
   3. 20 uploads of 19 MB at once, and 10 forms of 40 fields.
B. Against `hubdemo serve` of a hostile Space (a real Gradio app, tests/spaces/hostile.py):
   1. 10 answers that never end (/forever, --timeout 5);
   2. 4 answers of a 60 MB file each (/big, --max-answer-mb 20);
   3. 4 chat answers that never end (a ChatInterface, streamed, --timeout 8);
   4. Ctrl-C while an endless answer streams in: how long until the server is gone.

Each runs twice: once to warm up, then measured. Each must keep the peak RSS under 600 MB,
/healthz's p99 under 100 ms, no 500, and the RSS back within 10 MB of what it was before.
Traffic goes to 127.0.0.1 only, bounded in count and time.

    PYTHONPATH=tests python -m support.soak_hostile [--json .bench/soak-hostile.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from support.emulator import Emulator, Tapes
from support.gradio_spaces import GRADIO_PYTHON, OWNER, space_info, started_apps
from support.soak import _free_port, _wait_ready, rss_kb
from support.soak_pressure import Sampler

MODEL = "google/vit-base-patch16-224"
PEAK_MB, P99_MS, SETTLED_MB = 600, 100, 10


class Served:
    """`hubdemo serve` in a process of its own, its idle RSS read once it answers."""

    def __init__(self, emulator: str, model: str, *args: str) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
        env.update(HF_ENDPOINT=emulator, HUBDEMO_ROUTER=emulator, HF_HOME="/nonexistent")
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - read on failure
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hubdemo", "serve", model, "--port", str(self.port), *args],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(self.port)
        except RuntimeError:
            self.log.seek(0)
            raise RuntimeError(f"hubdemo serve {model} did not start: {self.log.read()}") from None
        time.sleep(1)
        self.idle_mb = rss_kb(self.process.pid) / 1024
        self.url = f"http://127.0.0.1:{self.port}"

    def attack(self, name: str, work: Any) -> dict[str, Any]:
        """Run ``work()`` (it returns the statuses it got) once to warm up (a first time fills
        pools, threads and the allocator's arenas for good), then again with /healthz and RSS
        sampled: what the second run keeps is what an attack costs for ever."""
        work()
        time.sleep(3)
        self.idle_mb = rss_kb(self.process.pid) / 1024
        with Sampler(self.port, self.process.pid) as sampler:
            started = time.perf_counter()
            statuses = work()
            seconds = time.perf_counter() - started
        time.sleep(3)  # what is let go is let go by now
        after = rss_kb(self.process.pid) / 1024
        return {
            "attack": name,
            "seconds": round(seconds, 1),
            "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses), key=str)},
            "idle_rss_mb": round(self.idle_mb),
            "peak_rss_mb": round(sampler.peak_rss_kb / 1024),
            "rss_after_mb": round(after),
            "healthz_p50_ms": round(sampler.p(0.5), 1),
            "healthz_p99_ms": round(sampler.p(0.99), 1),
            "healthz_failures": sampler.failures,
        }

    def stop(self) -> float:
        """Ctrl-C; the seconds until the process is gone."""
        started = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return float("inf")
        return time.perf_counter() - started


# -- A: the Gradio routes ------------------------------------------------------------------------


async def _posts(url: str, bodies: list[tuple[str, bytes, bool]]) -> list[int]:
    """POST each (route, body, with a length?) at once; the statuses (0: the connection broke)."""
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def one(route: str, body: bytes, sized: bool) -> int:
            async def chunks() -> Any:
                for start in range(0, len(body), 2**20):
                    yield body[start : start + 2**20]

            content: Any = body if sized else chunks()
            try:
                answer = await client.post(
                    f"{url}{route}", content=content, headers={"content-type": "application/json"}
                )
                return answer.status_code
            except httpx.HTTPError:
                return 0  # refused mid-body: the server closed the connection

        return list(await asyncio.gather(*(one(*b) for b in bodies)))


def big_bodies(url: str) -> list[int]:
    body = json.dumps({"data": ["x" * (40 * 2**20)], "fn_index": 0, "session_hash": "s"})
    routes = ["/gradio_api/queue/join", "/gradio_api/call/predict"] * 20
    bodies = [(route, body.encode(), i % 2 == 0) for i, route in enumerate(routes)]
    return asyncio.run(_posts(url, bodies))


def trickles(port: int, count: int = 60, seconds: float = 10.0) -> list[int]:
    """Bodies that trickle in a byte a second; each one's status line (0: none came)."""
    socks = []
    part = b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.bin"\r\n\r\n'
    for i in range(count):
        route, kind, start = (
            ("queue/join", "application/json", b"")
            if i % 2
            else ("upload", "multipart/form-data; boundary=b", part)
        )
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            f"POST /gradio_api/{route} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {kind}\r\n"
            f"Content-Length: 100000\r\n\r\n".encode()
            + start
        )
        socks.append(sock)
    statuses = [0] * count
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for i, sock in enumerate(socks):
            if statuses[i]:
                continue
            try:
                sock.sendall(b"-")
                sock.setblocking(False)
                head = sock.recv(64)
                sock.setblocking(True)
                if head.startswith(b"HTTP/1.1 "):
                    statuses[i] = int(head[9:12])
            except BlockingIOError:
                sock.setblocking(True)
            except OSError:
                statuses[i] = statuses[i] or -1  # dropped by the server
        time.sleep(1)
    for sock in socks:
        sock.close()
    return statuses


async def _uploads(url: str) -> list[int]:
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=40)) as client:

        async def file() -> int:
            files = {"files": ("big.bin", os.urandom(19 * 2**20))}
            return (await client.post(f"{url}/gradio_api/upload", files=files)).status_code

        async def fields() -> int:
            data = {f"f{i}": "x" * 60_000 for i in range(40)}
            files = {"files": ("a.txt", b"a")}
            answer = await client.post(f"{url}/gradio_api/upload", data=data, files=files)
            return answer.status_code

        return list(
            await asyncio.gather(*[file() for _ in range(20)], *[fields() for _ in range(10)])
        )


# -- B: a hostile Space --------------------------------------------------------------------------


async def _predicts(url: str, data: list[Any], count: int) -> list[int]:
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=count)) as client:

        async def one() -> int:
            return (await client.post(f"{url}/api/predict", json={"data": data})).status_code

        return list(await asyncio.gather(*(one() for _ in range(count))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=Path(".bench/soak-hostile.json"))
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with (
        Emulator(Tapes(), lenient=True) as emulator,
        started_apps(GRADIO_PYTHON, ("hostile", "hostile_chat")) as apps,
    ):
        for name, app_url in apps.items():
            space_id = f"{OWNER}/{name.replace('_', '-')}"
            emulator.spaces[space_id] = [space_info(space_id, app_url)]
        space = f"{OWNER}/hostile"
        server = Served(emulator.url, MODEL, "--body-timeout", "3")
        try:
            results.append(server.attack("A1 40 bodies of 40 MB", lambda: big_bodies(server.url)))
            results.append(server.attack("A2 60 trickling bodies", lambda: trickles(server.port)))
            results.append(server.attack("A3 uploads", lambda: asyncio.run(_uploads(server.url))))
        finally:
            server.stop()
        chat = Served(emulator.url, f"spaces/{OWNER}/hostile-chat", "--timeout", "8")
        try:
            results.append(chat.attack("B3 4 endless chats", lambda: asyncio.run(_chats(chat.url))))
        finally:
            chat.stop()
        forever = Served(
            emulator.url, f"spaces/{space}", "--api-name", "/forever", "--timeout", "5"
        )
        try:
            results.append(
                forever.attack(
                    "B1 10 endless answers", lambda: asyncio.run(_predicts(forever.url, ["x"], 10))
                )
            )
        finally:
            forever.stop()
        big = Served(emulator.url, f"spaces/{space}", "--api-name", "/big", "--max-answer-mb", "20")
        try:
            results.append(
                big.attack(
                    "B2 4 files of 60 MB", lambda: asyncio.run(_predicts(big.url, ["60"], 4))
                )
            )
        finally:
            big.stop()
        stopped = Served(
            emulator.url, f"spaces/{space}", "--api-name", "/forever", "--timeout", "300"
        )
        waiting = threading.Thread(target=_wait_for_ever, args=(stopped.url,), daemon=True)
        waiting.start()
        time.sleep(2)  # the endless answer streams in by now
        ctrl_c = stopped.stop()
    report = {"attacks": results, "ctrl_c_seconds": round(ctrl_c, 2)}
    print(json.dumps(report, indent=2))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    ok = ctrl_c < 2 and all(
        r["peak_rss_mb"] < PEAK_MB
        and r["healthz_p99_ms"] < P99_MS
        and r["healthz_failures"] == 0
        and "500" not in r["statuses"]
        and r["rss_after_mb"] <= r["idle_rss_mb"] + SETTLED_MB
        for r in results
    )
    print("PASS" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


async def _chats(url: str, count: int = 4) -> list[int]:
    """Streamed chats whose answer never ends; each one's status (its stream ends in an
    ``event: error`` at the deadline: 200 and a 504 inside)."""
    body = {"messages": [{"role": "user", "content": "forever"}]}
    async with httpx.AsyncClient(timeout=120) as client:

        async def one() -> int:
            async with client.stream("POST", f"{url}/api/predict?stream=true", json=body) as got:
                async for _ in got.aiter_bytes():
                    pass
                return got.status_code

        return list(await asyncio.gather(*(one() for _ in range(count))))


def _wait_for_ever(url: str) -> None:
    """A client waiting for an endless answer (the server's Ctrl-C ends it)."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(f"{url}/api/predict", json={"data": ["x"]}, timeout=120)


if __name__ == "__main__":
    main()
