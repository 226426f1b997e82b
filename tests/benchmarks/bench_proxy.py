"""hubdemo side by side with a direct call and with Gradio, in one run, on one upstream.

The emulator (recorded router answers, on loopback, optional artificial latency) answers all
targets: (a) a direct call to it — the limit; (b) `hubdemo serve` (and with `--workers 2`);
(c) Gradio 6 `gr.load("models/<id>")` from .venv-gradio, pointed at the same emulator, called over
its REST API (upload, call, event stream); (d) hubdemo's own Gradio routes (the server of (b)),
called as (c) is. Every target is driven by the same lean keep-alive client (tests/loadgen.py).

Workloads: text classification of a short sentence (SST-2), token classification of the
recordings' sentence, and image classification of a 1-megapixel photo as a ~300 KB and a ~660 KB
JPEG (base64 in JSON to hubdemo, raw bytes to the router), at concurrency 1, 16 and 64. Each
cell is a window of --seconds; --rounds interleaved rounds visit every cell (the targets in a
rotated order) and the table gives the medians and the spread. Also: start to first 200, idle
RSS and idle CPU of hubdemo and of Gradio, RSS after 10,000 requests, the wall time of
`hubdemo --help` and `describe`, and issue 17's figures beside their targets. Writes
.bench/proxy.json and a bar chart, .bench/proxy.png.

    python tests/benchmarks/bench_proxy.py [--latency-ms 0] [--seconds 2] [--rounds 3]
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
from support import emulator_command  # noqa: E402
from support.loadgen import Answer, Connection, interrupt  # noqa: E402

TEXT_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
TOKENS_MODEL = "dbmdz/bert-large-cased-finetuned-conll03-english"  # the recordings' text
TOKENS_TEXT = "My name is Sarah Jessica Parker but you can call me Jessica"
IMAGE_MODEL = "google/vit-base-patch16-224"
SENTENCE = "I like you. I love you"
CONCURRENCY = (1, 16, 64)
TARGETS = ("direct", "hubdemo", "hubdemo-httpx", "hubdemo-raw", "hubdemo-2w", "gradio",
           "hubdemo-gradio-api")  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def photo_jpeg(kilobytes: int, gradio_python: str | None = None) -> bytes:
    """A 1155x866 (1.0 MP) photo as a JPEG of about ``kilobytes``: a real photo from Gradio's
    own media assets (Apache-2.0; .venv-gradio has them) when there, scaled up, with a camera's
    grain; the JPEG quality is chosen to land on the size."""
    from PIL import Image

    size = (1155, 866)
    found = sorted(
        Path(gradio_python or ".").parent.parent.glob(
            "lib/*/site-packages/gradio/media_assets/images/groot.jpeg"
        )
    )
    if found:
        with Image.open(found[0]) as photo:
            base = photo.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    else:  # no Gradio: gradients and texture
        base = Image.merge("RGB", [Image.linear_gradient("L").resize(size)] * 3)
        base = Image.blend(
            base, Image.effect_mandelbrot(size, (-2, -1.2, 1, 1.2), 80).convert("RGB"), 0.5
        )
    grain = Image.effect_noise(size, 40).convert("RGB")
    picture = Image.blend(base, grain, 0.06)
    best = b""
    for quality in range(40, 99, 2):
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=quality)
        if not best or abs(len(buffer.getvalue()) - kilobytes * 1000) < abs(
            len(best) - kilobytes * 1000
        ):
            best = buffer.getvalue()
    return best


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        fields = Path(f"/proc/{candidate}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


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


# -- one prediction per target, all through the same lean client -----------------------------

Call = Callable[[Connection], Awaitable[None]]


def checked(answer: Answer) -> Answer:
    if answer.status != 200:
        raise AssertionError(f"{answer.status}: {answer.body[:200]!r}")
    return answer


def direct_calls(workloads: dict[str, Workload]) -> dict[str, Call]:
    def call(workload: Workload) -> Call:
        path = f"/hf-inference/models/{workload.model}"

        async def run(conn: Connection) -> None:
            checked(await conn.send(path, workload.wire, workload.wire_type))

        return run

    return {name: call(w) for name, w in workloads.items()}


def hubdemo_calls(workloads: dict[str, Workload]) -> dict[str, Call]:
    def call(workload: Workload) -> Call:
        body = json.dumps({"inputs": workload.value}).encode()

        async def run(conn: Connection) -> None:
            checked(await conn.send("/api/predict", body, "application/json"))

        return run

    return {name: call(w) for name, w in workloads.items()}


def raw_calls(workloads: dict[str, Workload]) -> dict[str, Call]:
    """The file itself as the body of /api/predict (media workloads only)."""

    def call(workload: Workload) -> Call:
        async def run(conn: Connection) -> None:
            checked(await conn.send("/api/predict", workload.wire, workload.wire_type))

        return run

    return {name: call(w) for name, w in workloads.items() if w.media is not None}


def gradio_calls(workloads: dict[str, Workload]) -> dict[str, Call]:
    """Gradio's REST API (what its docs show with curl): upload a file, POST the call, read the
    event stream to its end. For Gradio and for hubdemo's Gradio routes alike."""

    def call(workload: Workload) -> Call:
        async def run(conn: Connection) -> None:
            value: Any = workload.value
            if workload.media is not None:
                boundary = "hubdemobench"
                form = (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                        f'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
                    ).encode()
                    + workload.media
                    + f"\r\n--{boundary}--\r\n".encode()
                )
                uploaded = checked(
                    await conn.send(
                        "/gradio_api/upload", form, f"multipart/form-data; boundary={boundary}"
                    )
                )
                value = {"path": uploaded.json()[0], "meta": {"_type": "gradio.FileData"}}
            body = json.dumps({"data": [value]}).encode()
            event = checked(await conn.send("/gradio_api/call/predict", body, "application/json"))
            events = checked(await conn.get(f"/gradio_api/call/predict/{event.json()['event_id']}"))
            if b"event: complete" not in events.body:
                raise AssertionError(events.body[:300])

        return run

    return {name: call(w) for name, w in workloads.items()}


@dataclass
class Workload:
    model: str
    value: str  # what /api/predict's "inputs" takes
    wire: bytes  # what the router takes
    wire_type: str
    media: bytes | None = None


def workloads(gradio_python: str | None) -> dict[str, Workload]:
    text = json.dumps({"inputs": SENTENCE}).encode()
    tokens = json.dumps({"inputs": TOKENS_TEXT}).encode()
    found: dict[str, Workload] = {
        "text": Workload(TEXT_MODEL, SENTENCE, text, "application/json"),
        "tokens": Workload(TOKENS_MODEL, TOKENS_TEXT, tokens, "application/json"),
    }
    for kilobytes in (300, 660):
        image = photo_jpeg(kilobytes, gradio_python)
        url = "data:image/jpeg;base64," + base64.b64encode(image).decode()
        found[f"jpeg{kilobytes}"] = Workload(IMAGE_MODEL, url, image, "image/jpeg", image)
    return found


async def measure(
    port: int, call: Call, concurrency: int, count: int, seconds: float
) -> dict[str, float]:
    clients = [await Connection(port).open() for _ in range(concurrency)]
    errors = 0
    for _ in range(3):  # warm up
        await call(clients[0])
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(client: Connection) -> None:
        nonlocal errors
        while len(latencies) < count and time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                await call(client)
            except (AssertionError, OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1  # counted, and the run goes on (on a fresh connection)
                await client.close()
                await client.open()
                continue
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.close()
    latencies.sort()
    if not latencies:
        return {
            "n": 0,
            "rps": 0.0,
            "p50_ms": float("nan"),
            "p99_ms": float("nan"),
            "errors": errors,
        }
    return {
        "n": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": errors,
    }


def wall(command: list[str], env: dict[str, str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def port_of(process: Process) -> int:
    return int(process.ready_url.split(":")[2].split("/")[0])


def idle_figures(process: Process, seconds: float = 5.0) -> dict[str, float]:
    """Start to first 200, RSS and CPU share while nobody calls."""
    before = cpu_seconds(process.process.pid)
    time.sleep(seconds)
    return {
        "start_s": process.ready_at - process.started,
        "idle_rss_mb": rss_mb(process.process.pid),
        "idle_cpu_pct": 100 * (cpu_seconds(process.process.pid) - before) / seconds,
    }


# -- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the emulator's delay")
    parser.add_argument("--seconds", type=float, default=2.0, help="longest window of one cell")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--requests", type=int, default=3000, help="most requests per window")
    parser.add_argument("--gradio", default=str(REPO / ".venv-gradio" / "bin" / "python"))
    parser.add_argument("--out", type=Path, default=Path(".bench"))
    args = parser.parse_args()
    work = workloads(args.gradio)
    hubdemo = [sys.executable, "-m", "hubdemo"]

    port = free_port()
    emulator = Process(
        *emulator_command("--port", str(port), "--lenient", "--log-info", "--latency-ms",
                          str(args.latency_ms)),
        f"http://127.0.0.1:{port}/api/models/{TEXT_MODEL}",
    ).wait()  # fmt: skip
    upstream = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
    env.update(HF_ENDPOINT=upstream, HUBDEMO_ROUTER=upstream, HF_HOME=tempfile.mkdtemp())
    gradio_env = {**env, "ROUTER": upstream, "GRADIO_ANALYTICS_ENABLED": "False",
                  "HF_HUB_DISABLE_TELEMETRY": "1"}  # fmt: skip
    models = sorted({w.model for w in work.values()})
    servers: dict[str, dict[str, Process]] = {m: {} for m in models}
    sizes = {n: len(w.media) / 1000 for n, w in work.items() if w.media}
    report: dict[str, Any] = {
        "latency_ms": args.latency_ms, "cpus": os.cpu_count(), "rounds": args.rounds,
        "seconds": args.seconds, "sizes_kb": sizes, "cells": [],
    }  # fmt: skip
    try:
        for model in models:
            # hubdemo-httpx: the same server on httpx's own transport (the client before lean.py)
            for name, extra, client in (
                ("hubdemo", [], "lean"),
                ("hubdemo-httpx", [], "httpx"),
                ("hubdemo-2w", ["--workers", "2"], "lean"),
            ):
                p = free_port()
                servers[model][name] = Process(
                    [*hubdemo, "serve", model, "--port", str(p), *extra],
                    {**env, "HUBDEMO_UPSTREAM_CLIENT": client}, f"http://127.0.0.1:{p}/healthz",
                ).wait()  # fmt: skip
            p = free_port()
            servers[model]["gradio"] = Process(
                [args.gradio, str(HERE / "gradio_app.py"), model, str(p)],
                gradio_env, f"http://127.0.0.1:{p}/gradio_api/info",
            ).wait()  # fmt: skip
            servers[model]["hubdemo-gradio-api"] = servers[model]["hubdemo"]
            servers[model]["hubdemo-raw"] = servers[model]["hubdemo"]

        first = servers[TEXT_MODEL]["hubdemo"]
        # The server's own model-info request: the first after it started (the emulator's
        # log also has the bench's readiness probes, made before).
        info_times = [
            float(line.split()[1])
            for line in emulator.output().splitlines()
            if line.startswith("model-info") and line.split()[2] == TEXT_MODEL
            and float(line.split()[1]) >= first.started
        ]  # fmt: skip
        report["idle"] = {
            "hubdemo": idle_figures(first),
            "gradio": idle_figures(servers[TEXT_MODEL]["gradio"]),
        }
        report["idle"]["hubdemo"]["ready_after_model_info_s"] = first.ready_at - min(info_times)

        calls = {
            "direct": direct_calls(work),
            "hubdemo": hubdemo_calls(work),
            "hubdemo-httpx": hubdemo_calls(work),
            "hubdemo-raw": raw_calls(work),
            "hubdemo-2w": hubdemo_calls(work),
            "gradio": gradio_calls(work),
            "hubdemo-gradio-api": gradio_calls(work),
        }
        cells = [(w, c) for w in work for c in CONCURRENCY]
        for round_number in range(args.rounds):
            # Interleaved: each round visits every cell, the targets in a rotated order.
            order = TARGETS[round_number % len(TARGETS) :] + TARGETS[: round_number % len(TARGETS)]
            for name, concurrency in cells:
                for target in order:
                    if name not in calls[target]:
                        continue  # raw bodies are for files
                    served = (
                        port if target == "direct" else port_of(servers[work[name].model][target])
                    )
                    result = asyncio.run(
                        measure(
                            served, calls[target][name], concurrency, args.requests, args.seconds
                        )
                    )
                    cell = {"round": round_number, "workload": name, "concurrency": concurrency,
                            "target": target, **result}  # fmt: skip
                    report["cells"].append(cell)
                    print(json.dumps(cell), flush=True)

        asyncio.run(measure(port_of(first), calls["hubdemo"]["text"], 16, 10_000, 600))
        report["rss_after_10000_mb"] = rss_mb(first.process.pid)
        report["help_s"] = wall([*hubdemo, "--help"], env)
        report["describe_s"] = wall([*hubdemo, "describe", TEXT_MODEL], env)
    finally:
        for group in servers.values():
            for process in {id(p): p for p in group.values()}.values():
                process.stop()
        emulator.stop()

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "proxy.json").write_text(json.dumps(report, indent=2))
    print_table(report)
    chart(report, args.out / "proxy.png")
    print(f"written to {args.out / 'proxy.json'} and {args.out / 'proxy.png'}")


def _cell(report: dict[str, Any], workload: str, concurrency: int, target: str) -> dict[str, Any]:
    """The medians over the rounds, with the spread of req/s ((max - min) / median)."""
    rounds = [
        c
        for c in report["cells"]
        if (c["workload"], c["concurrency"], c["target"]) == (workload, concurrency, target)
    ]
    if not rounds:  # raw bodies: files only
        return {"rps": float("nan"), "p50_ms": float("nan"), "p99_ms": float("nan"),
                "spread": 0.0, "errors": 0}  # fmt: skip
    median = {k: statistics.median(c[k] for c in rounds) for k in ("rps", "p50_ms", "p99_ms")}
    rps = [c["rps"] for c in rounds]
    spread = (max(rps) - min(rps)) / median["rps"] if median["rps"] else 0.0
    return {**median, "spread": spread, "errors": sum(c.get("errors", 0) for c in rounds)}


def targets_table(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Issue 17's figures: what they are now, and the target."""

    def added(workload: str, concurrency: int, target: str = "hubdemo") -> tuple[float, float]:
        d, h = (
            _cell(report, workload, concurrency, "direct"),
            _cell(report, workload, concurrency, target),
        )
        return h["p50_ms"] - d["p50_ms"], h["p99_ms"] - d["p99_ms"]

    def share(workload: str, concurrency: int) -> float:
        return (
            _cell(report, workload, concurrency, "hubdemo")["rps"]
            / _cell(report, workload, concurrency, "direct")["rps"]
        )

    text = added("text", 1)
    jpeg = added("jpeg300", 1)
    raw = "—"
    if any(c["target"] == "hubdemo-raw" for c in report["cells"]):
        raw = f"{added('jpeg300', 1, 'hubdemo-raw')[0]:+.1f} ms"
    two = (
        _cell(report, "text", 64, "hubdemo-2w")["rps"] / _cell(report, "text", 64, "hubdemo")["rps"]
    )
    idle = report["idle"]["hubdemo"]
    kilobytes = report["sizes_kb"]["jpeg300"]
    return [
        ("added p50 / p99, text, c1", f"{text[0]:+.1f} / {text[1]:+.1f} ms", "≤ +0.7 / ≤ +2 ms"),
        (f"added p50, {kilobytes:.0f} KB JPEG as base64 JSON, c1", f"{jpeg[0]:+.1f} ms", "≤ +3 ms"),
        ("added p50, the same JPEG as raw bytes", raw, "≤ +1.5 ms"),
        (
            "req/s text, c16 and c64, share of direct",
            f"{share('text', 16):.2f} / {share('text', 64):.2f}",
            "≥ 0.5 / ≥ 0.5 (c64 ≥ c16)",
        ),
        (
            "req/s JPEG, c16 and c64, share of direct",
            f"{share('jpeg300', 16):.2f} / {share('jpeg300', 64):.2f}",
            "≥ 0.35",
        ),
        ("--workers 2 vs 1, text c64", f"{two:.2f}×", "≥ 1.7×"),
        (
            "start → first 200; idle RSS; idle CPU",
            f"{idle['start_s']:.2f} s; {idle['idle_rss_mb']:.0f} MB; {idle['idle_cpu_pct']:.1f} %",
            "≤ 1 s, ≤ 60 MB, ≤ 0.5 %",
        ),
    ]


def print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"added latency over a direct call: medians of {report['rounds']} interleaved "
        f"rounds (spread of req/s in brackets); emulator latency {report['latency_ms']:g} ms"
    )
    for column in ("workload", "conc.", "direct p50 ms / rps", "hubdemo +p50/+p99 ms",
                   "hubdemo rps", "÷ direct", "httpx client +p50 ms / rps",
                   "file as body +p50 ms / rps", "2 workers rps",
                   "Gradio +p50 ms / rps",
                   "hubdemo ÷ Gradio", "hubdemo's Gradio routes +p50 ms / rps"):  # fmt: skip
        table.add_column(column, justify="right")
    errors = 0
    for workload in dict.fromkeys(c["workload"] for c in report["cells"]):
        for concurrency in CONCURRENCY:
            d = _cell(report, workload, concurrency, "direct")
            h = _cell(report, workload, concurrency, "hubdemo")
            w = _cell(report, workload, concurrency, "hubdemo-2w")
            g = _cell(report, workload, concurrency, "gradio")
            r = _cell(report, workload, concurrency, "hubdemo-gradio-api")
            b = _cell(report, workload, concurrency, "hubdemo-raw")
            x = _cell(report, workload, concurrency, "hubdemo-httpx")
            errors += g["errors"]
            table.add_row(
                workload,
                str(concurrency),
                f"{d['p50_ms']:.2f} / {d['rps']:.0f} ({d['spread']:.0%})",
                f"{h['p50_ms'] - d['p50_ms']:+.2f}/{h['p99_ms'] - d['p99_ms']:+.2f}",
                f"{h['rps']:.0f} ({h['spread']:.0%})",
                f"{h['rps'] / d['rps']:.2f}",
                f"{x['p50_ms'] - d['p50_ms']:+.2f} / {x['rps']:.0f}",
                "—"
                if b["rps"] != b["rps"]
                else f"{b['p50_ms'] - d['p50_ms']:+.2f} / {b['rps']:.0f}",
                f"{w['rps']:.0f} ({w['spread']:.0%})",
                f"{g['p50_ms'] - d['p50_ms']:+.1f} / {g['rps']:.1f}",
                f"{h['rps'] / g['rps']:.1f}×" if g["rps"] else "—",
                f"{r['p50_ms'] - d['p50_ms']:+.1f} / {r['rps']:.0f}",
            )
    console = Console(width=220)
    console.print(table)
    idle = report["idle"]
    console.print(
        f"hubdemo serve: first 200 after {idle['hubdemo']['start_s']:.2f} s "
        f"({idle['hubdemo']['ready_after_model_info_s']:.2f} s after its model info request); "
        f"idle RSS {idle['hubdemo']['idle_rss_mb']:.1f} MB, "
        f"CPU {idle['hubdemo']['idle_cpu_pct']:.2f} %; "
        f"RSS after 10,000 requests {report['rss_after_10000_mb']:.1f} MB; `hubdemo --help` "
        f"{report['help_s']:.2f} s; `describe` {report['describe_s']:.2f} s\n"
        f"Gradio: first 200 after {idle['gradio']['start_s']:.2f} s; idle RSS "
        f"{idle['gradio']['idle_rss_mb']:.1f} MB, CPU {idle['gradio']['idle_cpu_pct']:.2f} %; "
        f"{errors} Gradio errors counted"
    )
    targets = Table(title="issue 17: now and target")
    for column in ("figure", "now", "target"):
        targets.add_column(column)
    for row in targets_table(report):
        targets.add_row(*row)
    console.print(targets)


def chart(report: dict[str, Any], path: Path) -> None:
    """Requests/s and p50 latency per target, one group of bars per workload x concurrency."""
    from PIL import Image, ImageDraw

    targets = TARGETS
    colours = {"direct": (120, 120, 120), "hubdemo": (37, 99, 235),
               "hubdemo-2w": (96, 165, 250), "gradio": (234, 88, 12),
               "hubdemo-raw": (30, 64, 175), "hubdemo-httpx": (147, 51, 234),
               "hubdemo-gradio-api": (22, 163, 74)}  # fmt: skip
    groups = [
        (w, c) for w in dict.fromkeys(c["workload"] for c in report["cells"]) for c in CONCURRENCY
    ]
    width, height = 1200, 760
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for panel, (metric, title) in enumerate((("rps", "requests/s"), ("p50_ms", "p50 latency, ms"))):
        top = 40 + panel * 360
        draw.text((20, top - 30), f"{title} (log scale)", fill="black")
        values = [_cell(report, w, c, t)[metric] for w, c in groups for t in targets]
        values = [v for v in values if v == v]  # NaN: a cell not measured
        import math

        low, high = math.log10(max(min(values), 0.01)), math.log10(max(values))
        span = max(high - low, 1e-9)
        group_width = (width - 80) / len(groups)
        for g, (workload, concurrency) in enumerate(groups):
            x0 = 60 + g * group_width
            draw.text((x0 + 10, top + 300), f"{workload} c={concurrency}", fill="black")
            for t, target in enumerate(targets):
                value = _cell(report, workload, concurrency, target)[metric]
                if value != value:
                    continue
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
        draw.rectangle((60 + t * 160, height - 25, 75 + t * 160, height - 10), fill=colours[target])
        draw.text((80 + t * 160, height - 25), target, fill="black")
    image.save(path)


if __name__ == "__main__":
    main()
