"""Where a text prediction's CPU goes: CPU time per request, at 16 concurrent clients, of

1. uvicorn (httptools, uvloop) with a bare ASGI app answering a fixed JSON — the floor;
2. the same answer from Starlette behind hubdemo's own middleware (security headers, the
   cross-site check) — what the web framework adds;
3. hubdemo's upstream client alone (the lean transport, calling the emulator from this process);
4. hubdemo's pipeline alone (preprocess -> serialize -> deserialize -> postprocess, with an
   upstream that answers at once, and the JSON answer made), in this process;
5. `hubdemo serve` itself, in front of the emulator.

Medians of 5 runs of 3,000 requests (1-3, 5) or 20,000 calls (4). Each server's CPU is read
from /proc (user + system: the kernel's work on loopback sockets counts).

    python tests/benchmarks/bench_cost.py
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_proxy import SENTENCE, TEXT_MODEL, Process, cpu_seconds, free_port  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from hubdemo.server.security import RefuseCrossSite, SecurityHeaders  # noqa: E402
from support import emulator_command  # noqa: E402
from support.loadgen import Connection  # noqa: E402

ANSWER = {"output": [{"label": "POSITIVE", "score": 0.9998}], "data": [], "duration": 0.001}
BODY = json.dumps({"inputs": SENTENCE}).encode()
RUNS, REQUESTS, CONCURRENCY = 5, 3000, 16


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """1: read the body, answer the fixed JSON (uvicorn --app-dir <here> bench_cost:bare_app)."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    body = json.dumps(ANSWER).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _predict(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse(ANSWER)


# 2: hubdemo's routes are about as many; the middleware is hubdemo's own.
starlette_app = Starlette(
    routes=[Route("/api/predict", _predict, methods=["POST"])]
    + [Route(f"/route{i}", _predict) for i in range(8)],
    middleware=[Middleware(SecurityHeaders), Middleware(RefuseCrossSite)],
)


def median_us(samples: list[float]) -> str:
    low, high = min(samples) * 1e6, max(samples) * 1e6
    return f"{statistics.median(samples) * 1e6:6.0f} us  ({low:.0f}-{high:.0f})"


async def load(port: int, path: str = "/api/predict") -> None:
    clients = [await Connection(port).open() for _ in range(CONCURRENCY)]
    left = REQUESTS

    async def worker(client: Connection) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            answer = await client.send(path, BODY, "application/json")
            assert answer.status == 200, answer.body[:200]

    await asyncio.gather(*(worker(c) for c in clients))
    for client in clients:
        await client.close()


def server_cost(process: Process, path: str = "/api/predict") -> list[float]:
    port = int(process.ready_url.split(":")[2].split("/")[0])
    asyncio.run(load(port, path))  # warm up
    costs = []
    for _ in range(RUNS):
        before = cpu_seconds(process.process.pid)
        asyncio.run(load(port, path))
        costs.append((cpu_seconds(process.process.pid) - before) / REQUESTS)
    return costs


def client_cost(upstream: str) -> list[float]:
    import httpx
    import uvloop

    from hubdemo.upstream.http.lean import LeanTransport, body_part, head, key_of

    url = httpx.URL(f"{upstream}/hf-inference/models/{TEXT_MODEL}")
    message = head("POST", url, [(b"User-Agent", b"hubdemo")]) + body_part(
        BODY, [(b"Content-Type", b"application/json")]
    )

    async def run() -> list[float]:
        transport = LeanTransport(ssl.create_default_context())
        costs = []
        for round_number in range(RUNS + 1):  # the first warms up
            left = REQUESTS

            async def worker() -> None:
                nonlocal left
                while left > 0:
                    left -= 1
                    status, _, _ = await transport.fetch(key_of(url), message)
                    assert status == 200

            before = time.process_time()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            if round_number:
                costs.append((time.process_time() - before) / REQUESTS)
        await transport.aclose()
        return costs

    return uvloop.run(run())


def pipeline_cost() -> list[float]:
    from hubdemo.predictor import Predictor
    from hubdemo.resolve import ModelSpec
    from hubdemo.wire import WireResponse

    wire = json.dumps([[{"label": "POSITIVE", "score": 0.9998}]]).encode()

    class AtOnce:
        kind = "http"

        async def send(self, request: Any) -> WireResponse:
            return WireResponse(200, "application/json", body=wire)

    predictor = Predictor(ModelSpec(TEXT_MODEL, "text-classification"), AtOnce())  # type: ignore[arg-type]
    body = {"inputs": SENTENCE}

    async def run(calls: int) -> float:
        before = time.process_time()
        for _ in range(calls):
            JSONResponse(await predictor.predict(body))
        return (time.process_time() - before) / calls

    asyncio.run(run(1000))
    return [asyncio.run(run(20_000)) for _ in range(RUNS)]


def main() -> None:
    port = free_port()
    emulator = Process(
        *emulator_command("--port", str(port), "--lenient"), f"http://127.0.0.1:{port}/api/models/{TEXT_MODEL}",
    ).wait()  # fmt: skip
    upstream = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
    env.update(HF_ENDPOINT=upstream, HUBDEMO_ROUTER=upstream, HF_HOME=tempfile.mkdtemp())

    def served(command: list[str], ready: str) -> Callable[[], list[float]]:
        def measure() -> list[float]:
            process = Process(command, env, ready).wait()
            try:
                return server_cost(process)
            finally:
                process.stop()

        return measure

    def uvicorn_app(name: str) -> Callable[[], list[float]]:
        p = free_port()
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE), f"bench_cost:{name}",
                   "--port", str(p), "--http", "httptools", "--loop", "uvloop",
                   "--log-level", "warning", "--no-access-log"]  # fmt: skip
        return served(command, f"http://127.0.0.1:{p}/route1" if name != "bare_app" else
                      f"http://127.0.0.1:{p}/")  # fmt: skip

    p = free_port()
    rows: list[tuple[str, Callable[[], list[float]]]] = [
        ("1. uvicorn, bare ASGI app", uvicorn_app("bare_app")),
        ("2. + Starlette and hubdemo's middleware", uvicorn_app("starlette_app")),
        ("3. the upstream client alone", lambda: client_cost(upstream)),
        ("4. the pipeline alone, in process", pipeline_cost),
        ("5. hubdemo serve", served([sys.executable, "-m", "hubdemo", "serve", TEXT_MODEL,
                                     "--port", str(p)], f"http://127.0.0.1:{p}/healthz")),
    ]  # fmt: skip
    print(f"CPU per text request at c{CONCURRENCY}: median of {RUNS} runs (min-max)")
    try:
        for name, measure in rows:
            print(f"{name:42} {median_us(measure())}", flush=True)
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
