"""Gradio's routes with their sessions in this process and in Redis, side by side: Gradio's REST
API (upload a JPEG, POST the call, read its event stream) on text and a 300 KB JPEG, one
worker each way, against the emulator on loopback; and `--workers 2` with the private Redis.

    .venv/bin/python tests/benchmarks/bench_state.py [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_proxy import (
    CONCURRENCY,
    TEXT_MODEL,
    Process,
    free_port,
    gradio_calls,
    measure,
    port_of,
    workloads,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import emulator_command

TARGETS = {
    "in process": [],
    "redis (tcp)": ["--state", "{redis}"],
    "2 workers, private redis": ["--workers", "2"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is missing: make servers")
    work = {k: w for k, w in workloads(None).items() if k in ("text", "jpeg300")}
    calls = gradio_calls(work)
    port = free_port()
    emulator = Process(
        *emulator_command("--port", str(port), "--lenient"),
        f"http://127.0.0.1:{port}/api/models/{TEXT_MODEL}",
    ).wait()
    redis_port = free_port()
    folder = tempfile.mkdtemp(prefix="hubdemo-bench-redis-")
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "",
                              "--appendonly", "no", "--dir", folder],
                             stdout=subprocess.DEVNULL)  # fmt: skip
    time.sleep(0.5)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
    upstream = f"http://127.0.0.1:{port}"
    env.update(HF_ENDPOINT=upstream, HUBDEMO_ROUTER=upstream, HF_HOME=tempfile.mkdtemp())
    servers: dict[tuple[str, str], Process] = {}
    results: dict[tuple[str, int, str], list[dict[str, float]]] = {}
    try:
        for name, workload in work.items():
            for target, extra in TARGETS.items():
                p = free_port()
                given = [a.format(redis=f"redis://127.0.0.1:{redis_port}/0") for a in extra]
                servers[(name, target)] = Process(
                    [sys.executable, "-m", "hubdemo", "serve", workload.model, "--port", str(p),
                     *given], env, f"http://127.0.0.1:{p}/healthz",
                ).wait()  # fmt: skip
        for _ in range(args.rounds):
            for name in work:
                for concurrency in CONCURRENCY:
                    for target in TARGETS:
                        served = port_of(servers[(name, target)])
                        found = asyncio.run(
                            measure(served, calls[name], concurrency, 3000, args.seconds)
                        )
                        results.setdefault((name, concurrency, target), []).append(found)
    finally:
        for process in servers.values():
            process.stop()
        emulator.stop()
        redis.terminate()
        shutil.rmtree(folder, ignore_errors=True)
    print("Gradio's REST API through hubdemo: req/s and p50 ms (medians of the rounds)")
    print(f"{'workload':10} {'conc':>4} " + " ".join(f"{t:>28}" for t in TARGETS))
    for name in work:
        for concurrency in CONCURRENCY:
            cells = []
            for target in TARGETS:
                rounds = results[(name, concurrency, target)]
                rps = statistics.median(r["rps"] for r in rounds)
                p50 = statistics.median(r["p50_ms"] for r in rounds)
                errors = sum(r["errors"] for r in rounds)
                cells.append(
                    f"{rps:8.0f} req/s {p50:6.1f} ms" + (f" {errors}!" if errors else "   ")
                )
            print(f"{name:10} {concurrency:>4} " + " ".join(f"{c:>28}" for c in cells))


if __name__ == "__main__":
    main()
