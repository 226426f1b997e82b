"""The body codecs on the hot path, old and new, on the bench's 312 KB photo as base64 JSON:
json.loads against hubdemo.jsonio.loads (orjson), binascii's strict base64 against
hubdemo.media.decode_base64 (pybase64); and a small body. Medians of 200 runs.

    python tests/benchmarks/bench_codecs.py [--gradio .venv-gradio/bin/python]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_proxy import REPO, photo_jpeg  # noqa: E402

from hubdemo import jsonio  # noqa: E402
from hubdemo.media import decode_base64  # noqa: E402


def median_ms(work: Callable[[], Any], runs: int = 200) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gradio", default=str(REPO / ".venv-gradio" / "bin" / "python"))
    args = parser.parse_args()
    text = base64.b64encode(photo_jpeg(300, args.gradio)).decode()
    body = json.dumps({"inputs": "data:image/jpeg;base64," + text}).encode()
    small = json.dumps({"data": ["I like you. I love you"]}).encode()
    rows: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("small JSON body", lambda: json.loads(small), lambda: jsonio.loads(small)),
        (f"{len(body) // 1000} KB JSON body", lambda: json.loads(body), lambda: jsonio.loads(body)),
        ("its base64", lambda: binascii.a2b_base64(text, strict_mode=True),
         lambda: decode_base64(text, "inputs")),
    ]  # fmt: skip
    print("the standard library (before) against hubdemo's (now); medians of 200 runs")
    for name, before, now in rows:
        old, new = median_ms(before), median_ms(now)
        print(f"{name:18} before {old:8.4f} ms   now {new:8.4f} ms   {old / new:5.1f}x")


if __name__ == "__main__":
    main()
