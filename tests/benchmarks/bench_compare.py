"""A compare demo's wall time against its slowest model's alone (issue 30), for 2 and 4 models.

Two upstreams: (a) the emulated router answering the recorded SST-2 model after 200 ms, asked
as two contenders (the model, and the model pinned to hf-inference); (b) text classifiers that
answer after 100, 150, 200 and 250 ms (tests/benchmarks/compare_models.py, the function
backend). For each: the p50 of `POST /api/predict` of the slowest model served alone, and of
`POST /api/compare` of 2 and 4 models, one request at a time (--requests after 5 warm-ups);
"added" is compare's p50 less the slowest's. Asked one after another, 4 models would take the
sum (700 ms). Then the arena's leaderboard: the time to rate 1,000, 5,000 and 20,000 random
votes among four models (the fit and its 200 resamples), as GET /api/leaderboard computes it.

    python tests/benchmarks/bench_compare.py [--requests 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from support.emulator import Emulator  # noqa: E402
from support.servers import free_port, wait_until  # noqa: E402

SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
SENTENCE = "I like you. I love you."  # recorded
HF_HOME = tempfile.mkdtemp(prefix="hubdemo-bench-")  # no token of the developer's
NAPS = [f"compare_models:in_{ms}ms" for ms in (100, 150, 200, 250)]


def serve(emulator: Emulator, *models: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
    env.update(HF_ENDPOINT=emulator.url, HUBDEMO_ROUTER=emulator.url, PYTHONPATH=str(HERE),
               HUBDEMO_LOG_FORMAT="off", HF_HOME=HF_HOME)  # fmt: skip
    command = [sys.executable, "-m", "hubdemo", "serve", *models, "--port", str(port),
               "--task", "text-classification"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, "hubdemo serve", lambda: process.poll() is None)
    return process, url


def p50_ms(url: str, path: str, requests: int) -> float:
    body = {"data": [SENTENCE]}
    times = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(requests + 5):
            started = time.perf_counter()
            answer = client.post(path, json=body)
            taken = time.perf_counter() - started
            assert answer.status_code == 200, answer.text
            if path == "/api/compare":
                assert all("error" not in r for r in answer.json()["results"]), answer.text
            if n >= 5:
                times.append(taken * 1000)
    return statistics.median(times)


def measure(emulator: Emulator, models: list[str], requests: int) -> float:
    process, url = serve(emulator, *models)
    try:
        return p50_ms(url, "/api/compare" if len(models) > 1 else "/api/predict", requests)
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    rows = []
    with Emulator() as emulator:
        emulator.configure(latency=0.200)
        alone = measure(emulator, [SST2], args.requests)
        two = measure(emulator, [SST2, f"{SST2}:hf-inference"], args.requests)
        rows.append(("router, 200 ms each", 2, alone, two))
        emulator.configure(latency=0)
        slowest = measure(emulator, [NAPS[-1]], args.requests)
        for count in (2, 4):
            compared = measure(emulator, NAPS[-count:], args.requests)
            rows.append(
                (f"functions, {', '.join(n[-5:] for n in NAPS[-count:])}", count, slowest, compared)
            )
    header = ("upstreams", "models", "slowest alone p50", "compare p50", "added")
    print(f"\n{header[0]:<40} {header[1]:>6} {header[2]:>18} {header[3]:>12} {header[4]:>8}")
    for name, count, alone_ms, compare_ms in rows:
        cells = f"{alone_ms:>15.1f} ms {compare_ms:>9.1f} ms {compare_ms - alone_ms:>5.1f} ms"
        print(f"{name:<40} {count:>6} {cells}")
    print("(one after another, the four functions would take 700 ms)")
    leaderboard_times()


def leaderboard_times() -> None:
    import random

    from hubdemo.compare.leaderboard import leaderboard

    models = ["org/a", "org/b", "org/c", "org/d"]
    chance = random.Random(0)
    leaderboard([{"models": models[:2], "winner": "A"}])  # imports and first calls
    print()
    for count in (1_000, 5_000, 20_000):
        votes = [
            {"models": chance.sample(models, 2), "winner": chance.choice(["A", "B", "tie"])}
            for _ in range(count)
        ]
        started = time.perf_counter()
        leaderboard(votes)
        print(f"leaderboard of {count:>6} votes: {(time.perf_counter() - started) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
