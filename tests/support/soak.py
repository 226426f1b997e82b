"""Soak: many requests through `hubdemo serve` to the emulator, a share of them faulty.

Every request carries its number in its text, so each answer is checked against what the
emulator did with that request (the last fault it injected into it, after hubdemo's own retries):
a clean answer must be the recorded output, a fault must come back as its status in
docs/design.md and error type. It reports counts by status, 500s (there must be none) and the
server's RSS growth.

    PYTHONPATH=tests python -m support.soak [--requests 20000] [--concurrency 64] [--fault-mix 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.emulator import Emulator, Tapes
from support.loadgen import Answer, Connection

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"
TEXT = "soak request #{}"
NUMBER = re.compile(rb"soak request #(\d+)")
# The last fault the emulator injected into a request -> what hubdemo must answer.
EXPECTED = {
    None: (200, None),
    "rate_limit": (429, "UpstreamRateLimited"),
    "loading": (503, "UpstreamLoading"),
    "server_error": (502, "UpstreamError"),
    "reset": (502, "UpstreamUnreachable"),
    "garbage": (502, "UpstreamBadResponse"),
    "truncated": (502, "UpstreamBadResponse"),
    "wrong_type": (502, "UpstreamBadResponse"),
}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class Report:
    requests: int
    seconds: float
    by_status: collections.Counter[int]
    by_fault: collections.Counter[str]
    wrong: list[str] = field(default_factory=list)
    rss_start_kb: int = 0
    rss_end_kb: int = 0

    @property
    def server_errors(self) -> int:
        return self.by_status[500]

    @property
    def rss_growth_mb(self) -> float:
        return (self.rss_end_kb - self.rss_start_kb) / 1024

    def table(self) -> str:
        lines = [
            f"{self.requests} requests in {self.seconds:.1f} s "
            f"({self.requests / self.seconds:.0f}/s)",
            "",
            "status  count",
        ]
        lines += [f"{status:>6}  {count}" for status, count in sorted(self.by_status.items())]
        lines += ["", "last fault injected   requests"]
        lines += [f"{kind:<20}  {count}" for kind, count in self.by_fault.most_common()]
        lines += [
            "",
            f"500s: {self.server_errors}",
            f"answers not the right output or the right error: {len(self.wrong)}",
            f"server RSS: {self.rss_start_kb / 1024:.1f} MB after warm-up -> "
            f"{self.rss_end_kb / 1024:.1f} MB at the end ({self.rss_growth_mb:+.1f} MB)",
        ]
        return "\n".join(lines)


def _check(number: int, answer: Answer, fault: str | None, expected_output: Any) -> str | None:
    status, kind = EXPECTED[fault]
    if answer.status != status:
        return f"#{number}: {answer.status} for fault {fault} (expected {status})"
    payload = answer.json()
    if status == 200:
        return None if payload["output"] == expected_output else f"#{number}: wrong output"
    if payload.get("type") != kind or not payload.get("error"):
        return f"#{number}: {payload.get('type')} for fault {fault} (expected {kind})"
    if status in (429, 503) and "retry-after" not in answer.headers:
        return f"#{number}: {status} without Retry-After"
    return None


async def _load(
    port: int, total: int, concurrency: int, warm_up: int, on_warm: Any
) -> dict[int, Answer]:
    answers: dict[int, Answer] = {}
    numbers = iter(range(total))
    connections = [await Connection(port).open() for _ in range(concurrency)]

    async def worker(connection: Connection) -> None:
        for number in numbers:
            answers[number] = await connection.post("/api/predict", {"inputs": TEXT.format(number)})
            if len(answers) == warm_up:
                on_warm()

    await asyncio.gather(*(worker(c) for c in connections))
    for connection in connections:
        await connection.close()
    return answers


def run(requests: int, concurrency: int, fault_mix: float) -> Report:
    tapes = Tapes()
    expected_output = next(
        e.json() for e in tapes.exchanges if e.model.endswith(MODEL) and e.status == 200
    )[0]
    with Emulator(tapes, lenient=True) as emulator:
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)  # the injected resets
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
        env.update(HF_ENDPOINT=emulator.url, HUBDEMO_ROUTER=emulator.url, HF_HOME="/nonexistent")
        server = subprocess.Popen(
            [sys.executable, "-m", "hubdemo", "serve", MODEL, "--port", str(port),
             "--max-queue", str(max(256, concurrency))],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_ready(port)
            emulator.configure(mix=fault_mix, retry_after=0.05, estimated_time=0.05, seed=7)
            report = Report(requests, 0.0, collections.Counter(), collections.Counter())

            def warm() -> None:
                report.rss_start_kb = rss_kb(server.pid)

            started = time.perf_counter()
            answers = asyncio.run(
                _load(port, requests, concurrency, min(1000, requests // 4), warm)
            )
            report.seconds = time.perf_counter() - started
            report.rss_end_kb = rss_kb(server.pid)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=15)
        last_fault: dict[int, str | None] = {}
        for entry in emulator.log:
            match = NUMBER.search(entry.body)
            if entry.method == "POST" and match:
                last_fault[int(match.group(1))] = entry.fault
    for number, answer in answers.items():
        fault = last_fault.get(number, "never sent")
        report.by_status[answer.status] += 1
        report.by_fault[str(fault)] += 1
        if fault == "never sent":
            report.wrong.append(f"#{number}: never reached the upstream ({answer.status})")
            continue
        problem = _check(number, answer, fault, expected_output)
        if problem:
            report.wrong.append(problem)
    return report


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("hubdemo serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--fault-mix", type=float, default=0.1)
    parser.add_argument("--json", type=Path, default=Path(".bench/soak.json"))
    args = parser.parse_args()
    report = run(args.requests, args.concurrency, args.fault_mix)
    print(report.table())
    for problem in report.wrong[:10]:
        print("  " + problem)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "requests": report.requests,
                "seconds": report.seconds,
                "by_status": dict(report.by_status),
                "by_fault": dict(report.by_fault),
                "server_errors": report.server_errors,
                "wrong": len(report.wrong),
                "rss_growth_mb": report.rss_growth_mb,
            },
            indent=2,
        )
    )
    ok = report.server_errors == 0 and not report.wrong and report.rss_growth_mb < 20
    print("PASS" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
