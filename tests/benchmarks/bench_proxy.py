"""hubdemo side by side with a direct call and with Gradio, in one run, on one upstream.

The emulator (recorded router answers, on loopback, optional artificial latency) answers all
three: (a) a direct call to it — the limit; (b) `hubdemo serve` (and a 2-worker row);
(c) Gradio 6 `gr.load("models/<id>")` from .venv-gradio, pointed at the same emulator, called over
its REST API (upload + call + event stream); (d) hubdemo's own Gradio routes (the same server as
(b)), called the same way as (c). Workloads: text
classification of a short sentence and image classification of a 1-megapixel JPEG, at
concurrency 1, 16 and 64. Also: `serve` start-up, idle RSS, RSS after 10,000 requests, and the
wall time of `hubdemo --help` and `describe`. Prints a table; writes .bench/proxy.json and a PNG
bar chart (.bench/proxy.png).

    python tests/benchmarks/bench_proxy.py [--latency-ms 0] [--seconds 6]
                                           [--gradio .venv-gradio/bin/python]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
from loadgen import Connection, interrupt  # noqa: E402

TEXT_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
IMAGE_MODEL = "google/vit-base-patch16-224"
SENTENCE = "I like you. I love you"
CONCURRENCY = (1, 16, 64)
TARGETS = ("direct", "hubdemo", "hubdemo-2w", "gradio", "hubdemo-gradio-api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def jpeg_1mp() -> bytes:
    """A 1155x866 (1.0 MP) photo-like JPEG: smooth gradients and some texture."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1155, 866))
    draw = ImageDraw.Draw(image)
    for y in range(866):
        draw.line([(0, y), (1155, y)], fill=(y % 256, (y * 3) % 256, 255 - y % 256))
    for i in range(0, 1155, 35):
        draw.ellipse((i, (i * 7) % 800, i + 60, (i * 7) % 800 + 60), fill=(i % 256, 90, 30))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def rss_mb(pid: int) -> float:
    total = 0
    for candidate in [pid, *_children(pid)]:
        for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


class Process:
    def __init__(self, command: list[str], env: dict[str, str], ready: str) -> None:
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by stop()
        self.started = time.time()
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True
        )
        self.ready_url = ready
        self.ready_at = 0.0

    def wait(self, seconds: float = 120) -> Process:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"{self.process.args} exited:\n{self.log.read()[-2000:]}")
            try:
                if httpx.get(self.ready_url, timeout=1).status_code == 200:
                    self.ready_at = time.time()
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{self.ready_url} did not answer in {seconds} s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        interrupt(self.process)
        self.log.close()


# -- one prediction per target ---------------------------------------------------------------

Call = Callable[[Any], Awaitable[None]]


def direct_calls(port: int, image: bytes) -> dict[str, tuple[Callable[[], Any], Call, Call]]:
    text_body = json.dumps({"inputs": SENTENCE}).encode()

    async def text(conn: Connection) -> None:
        answer = await conn.send(
            f"/hf-inference/models/{TEXT_MODEL}", text_body, "application/json"
        )
        assert answer.status == 200, answer.body[:200]

    async def picture(conn: Connection) -> None:
        answer = await conn.send(f"/hf-inference/models/{IMAGE_MODEL}", image, "image/jpeg")
        assert answer.status == 200, answer.body[:200]

    return {"text": text, "image": picture}  # type: ignore[return-value]


def hubdemo_calls(image: bytes) -> dict[str, Call]:
    text_body = json.dumps({"inputs": SENTENCE}).encode()
    image_body = json.dumps(
        {"inputs": "data:image/jpeg;base64," + base64.b64encode(image).decode()}
    ).encode()

    async def text(conn: Connection) -> None:
        answer = await conn.send("/api/predict", text_body, "application/json")
        assert answer.status == 200, answer.body[:200]

    async def picture(conn: Connection) -> None:
        answer = await conn.send("/api/predict", image_body, "application/json")
        assert answer.status == 200, answer.body[:200]

    return {"text": text, "image": picture}


def gradio_calls(image: bytes) -> dict[str, Call]:
    async def predict(client: httpx.AsyncClient, data: list[Any]) -> None:
        event = (await client.post("/gradio_api/call/predict", json={"data": data})).json()
        async with client.stream("GET", f"/gradio_api/call/predict/{event['event_id']}") as s:
            async for line in s.aiter_lines():
                if line.startswith("event: error"):
                    raise AssertionError(await s.aread())
                if line.startswith("event: complete"):
                    return

    async def text(client: httpx.AsyncClient) -> None:
        await predict(client, [SENTENCE])

    async def picture(client: httpx.AsyncClient) -> None:
        files = {"files": ("photo.jpg", image, "image/jpeg")}
        (path,) = (await client.post("/gradio_api/upload", files=files)).json()
        await predict(client, [{"path": path, "meta": {"_type": "gradio.FileData"}}])

    return {"text": text, "image": picture}


async def measure(
    make_client: Callable[[], Awaitable[Any]],
    close: Callable[[Any], Awaitable[None]],
    call: Call,
    concurrency: int,
    count: int,
    seconds: float,
) -> dict[str, float]:
    clients = [await make_client() for _ in range(concurrency)]
    for _ in range(3):  # warm up
        await call(clients[0])
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(client: Any) -> None:
        while len(latencies) < count and time.perf_counter() < deadline:
            started = time.perf_counter()
            await call(client)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    elapsed = time.perf_counter() - started
    for client in clients:
        await close(client)
    latencies.sort()
    return {
        "n": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def raw_client(port: int) -> tuple[Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]]:
    async def make() -> Connection:
        return await Connection(port).open()

    async def close(conn: Connection) -> None:
        await conn.close()

    return make, close


def httpx_client(url: str) -> tuple[Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]]:
    async def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, timeout=120)

    async def close(client: httpx.AsyncClient) -> None:
        await client.aclose()

    return make, close


def wall(command: list[str], env: dict[str, str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# -- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the emulator's delay")
    parser.add_argument("--seconds", type=float, default=6.0, help="longest run of one cell")
    parser.add_argument("--requests", type=int, default=3000, help="most requests per cell")
    parser.add_argument("--gradio", default=str(REPO / ".venv-gradio" / "bin" / "python"))
    parser.add_argument("--out", type=Path, default=Path(".bench"))
    args = parser.parse_args()
    image = jpeg_1mp()
    hubdemo = [sys.executable, "-m", "hubdemo"]

    port = free_port()
    emulator = Process(
        [sys.executable, str(HERE.parent / "emulator.py"), "--port", str(port), "--lenient",
         "--log-info", "--latency-ms", str(args.latency_ms)],
        dict(os.environ), f"http://127.0.0.1:{port}/api/models/{TEXT_MODEL}",
    ).wait()  # fmt: skip
    upstream = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
    env.update(HF_ENDPOINT=upstream, HUBDEMO_ROUTER=upstream, HF_HOME=tempfile.mkdtemp())
    gradio_env = {**env, "ROUTER": upstream, "GRADIO_ANALYTICS_ENABLED": "False",
                  "HF_HUB_DISABLE_TELEMETRY": "1"}  # fmt: skip
    servers: dict[str, dict[str, Process]] = {"text": {}, "image": {}}
    report: dict[str, Any] = {"latency_ms": args.latency_ms, "cells": [], "cpus": os.cpu_count()}
    try:
        for workload, model in (("text", TEXT_MODEL), ("image", IMAGE_MODEL)):
            for name, extra in (("hubdemo", []), ("hubdemo-2w", ["--workers", "2"])):
                p = free_port()
                servers[workload][name] = Process(
                    [*hubdemo, "serve", model, "--port", str(p), *extra],
                    env, f"http://127.0.0.1:{p}/healthz",
                ).wait()  # fmt: skip
            p = free_port()
            servers[workload]["gradio"] = Process(
                [args.gradio, str(HERE / "gradio_app.py"), model, str(p)],
                gradio_env, f"http://127.0.0.1:{p}/gradio_api/info",
            ).wait()  # fmt: skip

        first = servers["text"]["hubdemo"]
        info_times = [
            float(line.split()[1])
            for line in emulator.output().splitlines()
            if line.startswith("model-info") and line.split()[2].endswith(TEXT_MODEL.split("/")[-1])
        ]
        report["serve_start_to_first_200_s"] = first.ready_at - first.started
        report["serve_ready_after_model_info_s"] = first.ready_at - min(info_times)
        report["idle_rss_mb"] = rss_mb(first.process.pid)

        calls = {
            "direct": direct_calls(port, image),
            "hubdemo": hubdemo_calls(image),
            "hubdemo-2w": hubdemo_calls(image),
            "gradio": gradio_calls(image),
            "hubdemo-gradio-api": gradio_calls(image),  # hubdemo's Gradio routes, as Gradio's
        }
        for workload in ("text", "image"):
            for concurrency in CONCURRENCY:
                for target in TARGETS:
                    if target == "direct":
                        make, close = raw_client(port)
                    elif target == "gradio":
                        make, close = httpx_client(
                            servers[workload]["gradio"].ready_url.rsplit("/gradio_api", 1)[0]
                        )
                    elif target == "hubdemo-gradio-api":
                        make, close = httpx_client(
                            servers[workload]["hubdemo"].ready_url.rsplit("/healthz", 1)[0]
                        )
                    else:
                        served = int(
                            servers[workload][target].ready_url.split(":")[2].split("/")[0]
                        )
                        make, close = raw_client(served)
                    result = asyncio.run(
                        measure(make, close, calls[target][workload], concurrency,
                                args.requests, args.seconds)
                    )  # fmt: skip
                    cell = {"workload": workload, "concurrency": concurrency, "target": target,
                            **result}  # fmt: skip
                    report["cells"].append(cell)
                    print(json.dumps(cell), flush=True)

        make, close = raw_client(int(first.ready_url.split(":")[2].split("/")[0]))
        asyncio.run(measure(make, close, calls["hubdemo"]["text"], 16, 10_000, 600))
        report["rss_after_10000_mb"] = rss_mb(first.process.pid)
        report["help_s"] = wall([*hubdemo, "--help"], env)
        report["describe_s"] = wall([*hubdemo, "describe", TEXT_MODEL], env)
    finally:
        for group in servers.values():
            for process in group.values():
                process.stop()
        emulator.stop()

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "proxy.json").write_text(json.dumps(report, indent=2))
    print_table(report)
    chart(report, args.out / "proxy.png")
    print(f"written to {args.out / 'proxy.json'} and {args.out / 'proxy.png'}")


def _cell(report: dict[str, Any], workload: str, concurrency: int, target: str) -> dict[str, Any]:
    return next(
        c
        for c in report["cells"]
        if (c["workload"], c["concurrency"], c["target"]) == (workload, concurrency, target)
    )


def print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"added latency over a direct call (emulator latency {report['latency_ms']:g} ms)"
    )
    for column in ("workload", "conc.", "direct p50/p99 ms", "direct rps",
                   "hubdemo +p50/+p99 ms", "hubdemo rps", "hub/direct rps", "2 workers rps",
                   "gradio +p50/+p99 ms", "gradio rps", "hub/gradio rps",
                   "hubdemo's Gradio routes +p50/+p99 ms", "its rps"):  # fmt: skip
        table.add_column(column, justify="right")
    for workload in ("text", "image"):
        for concurrency in CONCURRENCY:
            d = _cell(report, workload, concurrency, "direct")
            h = _cell(report, workload, concurrency, "hubdemo")
            w = _cell(report, workload, concurrency, "hubdemo-2w")
            g = _cell(report, workload, concurrency, "gradio")
            r = _cell(report, workload, concurrency, "hubdemo-gradio-api")
            table.add_row(
                workload,
                str(concurrency),
                f"{d['p50_ms']:.2f}/{d['p99_ms']:.2f}",
                f"{d['rps']:.0f}",
                f"{h['p50_ms'] - d['p50_ms']:+.2f}/{h['p99_ms'] - d['p99_ms']:+.2f}",
                f"{h['rps']:.0f}",
                f"{h['rps'] / d['rps']:.2f}",
                f"{w['rps']:.0f}",
                f"{g['p50_ms'] - d['p50_ms']:+.1f}/{g['p99_ms'] - d['p99_ms']:+.1f}",
                f"{g['rps']:.1f}",
                f"{h['rps'] / g['rps']:.1f}x",
                f"{r['p50_ms'] - d['p50_ms']:+.1f}/{r['p99_ms'] - d['p99_ms']:+.1f}",
                f"{r['rps']:.0f}",
            )
    console = Console(width=200)
    console.print(table)
    console.print(
        f"serve: first 200 after {report['serve_start_to_first_200_s']:.2f} s "
        f"({report['serve_ready_after_model_info_s']:.2f} s after the model info arrived); "
        f"idle RSS {report['idle_rss_mb']:.1f} MB; RSS after 10,000 requests "
        f"{report['rss_after_10000_mb']:.1f} MB; `hubdemo --help` {report['help_s']:.2f} s; "
        f"`describe` {report['describe_s']:.2f} s"
    )


def chart(report: dict[str, Any], path: Path) -> None:
    """Requests/s and p50 latency per target, one group of bars per workload x concurrency."""
    from PIL import Image, ImageDraw

    targets = TARGETS
    colours = {"direct": (120, 120, 120), "hubdemo": (37, 99, 235),
               "hubdemo-2w": (96, 165, 250), "gradio": (234, 88, 12),
               "hubdemo-gradio-api": (22, 163, 74)}  # fmt: skip
    groups = [(w, c) for w in ("text", "image") for c in CONCURRENCY]
    width, height = 1200, 760
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for panel, (metric, title) in enumerate((("rps", "requests/s"), ("p50_ms", "p50 latency, ms"))):
        top = 40 + panel * 360
        draw.text((20, top - 30), f"{title} (log scale)", fill="black")
        values = [_cell(report, w, c, t)[metric] for w, c in groups for t in targets]
        import math

        low, high = math.log10(max(min(values), 0.01)), math.log10(max(values))
        span = max(high - low, 1e-9)
        group_width = (width - 80) / len(groups)
        for g, (workload, concurrency) in enumerate(groups):
            x0 = 60 + g * group_width
            draw.text((x0 + 10, top + 300), f"{workload} c={concurrency}", fill="black")
            for t, target in enumerate(targets):
                value = _cell(report, workload, concurrency, target)[metric]
                bar = 20 + 260 * (math.log10(max(value, 0.01)) - low) / span
                x = x0 + 10 + t * (group_width - 20) / len(targets)
                w = (group_width - 20) / len(targets) - 4
                draw.rectangle((x, top + 290 - bar, x + w, top + 290), fill=colours[target])
                draw.text(
                    (x, top + 275 - bar),
                    f"{value:.0f}" if value >= 10 else f"{value:.1f}",
                    fill="black",
                )
    for t, target in enumerate(targets):
        draw.rectangle((60 + t * 200, height - 25, 75 + t * 200, height - 10), fill=colours[target])
        draw.text((80 + t * 200, height - 25), target, fill="black")
    image.save(path)


if __name__ == "__main__":
    main()
