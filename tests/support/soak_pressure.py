"""Soak under pressure: greedy uploads and slow clients against `hubdemo serve` (make soak).

1. 150 clients upload a 19 MB JSON body each (a 14 MB PNG as a data URL) at the same time,
   while /healthz is asked every 50 ms: the server's RSS must stay under 1 GB and /healthz
   answer within 100 ms at the 99th percentile (BodyBudget holds bodies back; big bodies are
   parsed off the event loop).
2. 1,000 connections send a request head one line every 5 s for 20 s: /healthz must stay
   reachable (GuardedProtocol drops heads that take longer than --header-timeout).

Traffic goes to 127.0.0.1 only, bounded in count and time.

    PYTHONPATH=tests python -m support.soak_pressure [--uploads 150] [--slow 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from hubdemo.server.serving import raise_open_file_limit
from support import emulator_command
from support.loadgen import interrupt
from support.soak import _free_port, _wait_ready, rss_kb

MODEL = "google/vit-base-patch16-224"


def big_png_data_url(megabytes: float = 14.0) -> str:
    """A PNG of noise (it does not compress) of about ``megabytes``, as a data URL."""
    from PIL import Image

    side = int((megabytes * 2**20 / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=0)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _sample(url: str, pid: int, stop: Any, results: Any) -> None:
    latencies: list[float] = []
    failures, peak = 0, 0
    with httpx.Client(timeout=5) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = client.get(url).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1
            peak = max(peak, rss_kb(pid))
            time.sleep(0.05)
    results.put((latencies, failures, peak))


class Sampler:
    """/healthz latency every 50 ms and the server's RSS, from a process of its own (the load
    generator's threads would otherwise delay its requests and count that as the server's)."""

    def __init__(self, port: int, pid: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._results = context.Queue()
        url = f"http://127.0.0.1:{port}/healthz"
        self._process = context.Process(
            target=_sample, args=(url, pid, self._stop, self._results), daemon=True
        )
        self.latencies: list[float] = []
        self.failures = 0
        self.peak_rss_kb = 0

    def __enter__(self) -> Sampler:
        self._process.start()
        time.sleep(1)  # the sampler is asking before the load begins
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.latencies, self.failures, self.peak_rss_kb = self._results.get(timeout=30)
        self._process.join(timeout=10)

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else -1


async def _upload_all(port: int, body: bytes, count: int) -> list[int]:
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:

        async def one() -> int:
            response = await client.post(
                f"http://127.0.0.1:{port}/api/predict",
                content=body,
                headers={"Content-Type": "application/json"},
            )
            return response.status_code

        return list(await asyncio.gather(*(one() for _ in range(count))))


def uploads(port: int, pid: int, count: int) -> dict[str, object]:
    body = json.dumps({"data": [big_png_data_url()]}).encode()
    with Sampler(port, pid) as sampler:
        started = time.perf_counter()
        statuses = asyncio.run(_upload_all(port, body, count))
        seconds = time.perf_counter() - started
    return {
        "uploads": count,
        "body_mb": round(len(body) / 2**20, 1),
        "seconds": round(seconds, 1),
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "peak_rss_mb": round(sampler.peak_rss_kb / 1024),
        "healthz_p50_ms": round(sampler.p(0.5), 1),
        "healthz_p99_ms": round(sampler.p(0.99), 1),
        "healthz_failures": sampler.failures,
    }


def slow_clients(port: int, pid: int, count: int, seconds: float = 20.0) -> dict[str, object]:
    """``count`` connections that each send a header line every 5 s, reconnecting when they
    are dropped, for ``seconds``; /healthz sampled meanwhile."""
    raise_open_file_limit()
    dropped = 0
    sockets: list[socket.socket | None] = [None] * count

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        return sock

    with Sampler(port, pid) as sampler:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for i in range(count):
                try:
                    if sockets[i] is None:
                        sockets[i] = connect()
                    else:
                        sockets[i].sendall(b"X-Slow: 1\r\n")  # type: ignore[union-attr]
                except OSError:
                    dropped += 1
                    old = sockets[i]
                    if old is not None:
                        old.close()
                    sockets[i] = None
            time.sleep(5)
    for sock in sockets:
        if sock is not None:
            sock.close()
    return {
        "slow_connections": count,
        "seconds": seconds,
        "dropped_by_the_server": dropped,
        "healthz_answered": len(sampler.latencies),
        "healthz_failures": sampler.failures,
        "healthz_p99_ms": round(sampler.p(0.99), 1),
        "peak_rss_mb": round(sampler.peak_rss_kb / 1024),
    }


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=150)
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument("--json", type=Path, default=Path(".bench/soak-pressure.json"))
    args = parser.parse_args()
    # The emulator in a process of its own, as the router would be: not in the load generator's.
    emulator_port, port = _free_port(), _free_port()
    command, env = emulator_command("--port", str(emulator_port), "--lenient")
    emulator = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{emulator_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
    env.update(HF_ENDPOINT=url, HUBDEMO_ROUTER=url, HF_HOME="/nonexistent")
    server = None
    try:
        _wait_for(f"{url}/api/models/{MODEL}")
        server = subprocess.Popen(
            [sys.executable, "-m", "hubdemo", "serve", MODEL, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_ready(port)
        idle_mb = rss_kb(server.pid) / 1024
        upload = uploads(port, server.pid, args.uploads)
        slow = slow_clients(port, server.pid, args.slow)
    finally:
        if server is not None:
            interrupt(server)
        interrupt(emulator)
    report = {"idle_rss_mb": round(idle_mb), "uploads": upload, "slow_clients": slow}
    print(json.dumps(report, indent=2))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    ok = (
        upload["peak_rss_mb"] < 1024  # type: ignore[operator]
        and upload["healthz_p99_ms"] < 100  # type: ignore[operator]
        and upload["healthz_failures"] == 0
        and slow["healthz_failures"] == 0
        and slow["healthz_answered"] > 0  # type: ignore[operator]
        and "500" not in upload["statuses"]  # type: ignore[operator]
    )
    print("PASS" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
