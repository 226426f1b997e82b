"""Before and after on one machine: hubdemo at an earlier commit against the working tree.

Both serve the same models in front of the same loopback emulator; each cell is measured with
make bench's own client (``measure``), the two versions interleaved, over several rounds, and the
medians and spreads printed. Use it when a change touches the hot path:

    python tests/benchmarks/bench_ab.py --before b2283d1 [--rounds 3] [--seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_proxy import (  # noqa: E402
    TEXT_MODEL,
    Process,
    free_port,
    hubdemo_calls,
    measure,
    raw_calls,
    rss_mb,
    workloads,
)

from support import emulator_command  # noqa: E402

# (what is sent, concurrency): text; the 312 KB photo as base64 JSON; the photo as the body.
CELLS = (
    ("text", 1), ("text", 16), ("text", 64), ("jpeg300", 1), ("jpeg300", 16),
    ("jpeg300 body", 1), ("jpeg300 body", 16),
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="longest run of one cell")
    parser.add_argument("--gradio", default=str(REPO / ".venv-gradio" / "bin" / "python"))
    args = parser.parse_args()
    work = {name: w for name, w in workloads(args.gradio).items() if name in ("text", "jpeg300")}
    old = Path(tempfile.mkdtemp()) / "before"
    subprocess.run(["git", "worktree", "add", "-q", str(old), args.before], cwd=REPO, check=True)
    processes: list[Process] = []
    try:
        port = free_port()
        emulator = Process(
            *emulator_command("--port", str(port), "--lenient"),
            f"http://127.0.0.1:{port}/api/models/{TEXT_MODEL}",
        ).wait()
        processes.append(emulator)
        upstream = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUBDEMO_"))}
        env.update(HF_ENDPOINT=upstream, HUBDEMO_ROUTER=upstream, HF_HOME=tempfile.mkdtemp())
        ports: dict[tuple[str, str], int] = {}
        for workload, model in ((name, w.model) for name, w in work.items()):
            for name, source in (("before", old), ("after", REPO)):
                served = free_port()
                process = Process(
                    [sys.executable, "-m", "hubdemo", "serve", model, "--port", str(served)],
                    {**env, "PYTHONPATH": str(source)},
                    f"http://127.0.0.1:{served}/healthz",
                ).wait()
                processes.append(process)
                ports[(name, workload)] = served
                if workload == "text":
                    print(
                        f"{name}: start to first 200 {process.ready_at - process.started:.2f} s, "
                        f"idle RSS {rss_mb(process.process.pid):.1f} MB",
                        flush=True,
                    )
        calls = hubdemo_calls(work)
        calls["jpeg300 body"] = raw_calls(work)["jpeg300"]
        results: dict[tuple[str, str, int], list[dict[str, float]]] = {}
        for _ in range(args.rounds):
            for workload, concurrency in CELLS:
                for name in ("before", "after"):
                    served = ports[(name, workload.split()[0])]
                    cell = asyncio.run(
                        measure(served, calls[workload], concurrency, 20_000, args.seconds)
                    )
                    results.setdefault((workload, name, concurrency), []).append(cell)
        for workload, concurrency in CELLS:
            for name in ("before", "after"):
                cells = results[(workload, name, concurrency)]
                rps = [c["rps"] for c in cells]
                print(
                    f"{workload} c{concurrency} {name}: {statistics.median(rps):.0f} req/s "
                    f"({min(rps):.0f}-{max(rps):.0f}), p50 "
                    f"{statistics.median(c['p50_ms'] for c in cells):.2f} ms, p99 "
                    f"{statistics.median(c['p99_ms'] for c in cells):.2f} ms",
                    flush=True,
                )
    except BaseException:
        for process in processes:  # what the emulator and the servers said, to see why
            print(f"--- {process.process.args[-3:]}:\n{process.output()[-1500:]}", file=sys.stderr)
        raise
    finally:
        for process in processes:
            process.stop()
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=REPO, check=False)


if __name__ == "__main__":
    main()
