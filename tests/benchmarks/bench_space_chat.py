"""A ChatInterface Space's first turn through hubdemo: time to the first streamed token and to
the whole answer, for new conversations (each a gradio_client session of its own on the Space),
against the same Space called directly with gradio_client. Loopback; the stand-in is the Hub's
chatbot template (tests/spaces/chatbot_template.py, 20 ms a word).

    .venv/bin/python tests/benchmarks/bench_space_chat.py [--turns 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import REPO
from support.emulator import Emulator, Tapes
from support.gradio_spaces import OWNER, space_info, started_apps
from support.servers import Server


def through_hubdemo(url: str, turns: int) -> tuple[list[float], list[float]]:
    first, whole = [], []
    for turn in range(turns):
        body = {"messages": [{"role": "user", "content": f"hello {turn}"}]}
        started = time.perf_counter()
        with httpx.stream("POST", f"{url}/api/predict?stream=true", json=body, timeout=60) as r:
            for line in r.iter_lines():
                if line.startswith("data:") and not first[turn:]:
                    first.append(time.perf_counter() - started)
        whole.append(time.perf_counter() - started)
        time.sleep(0.3)  # as a person would: the next conversation's session is opened meanwhile
    return first, whole


def direct(url: str, turns: int) -> tuple[list[float], list[float]]:
    from gradio_client import Client

    first, whole = [], []
    for turn in range(turns):
        started = time.perf_counter()
        client = Client(url, verbose=False, download_files=False)
        named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        job = client.submit(f"hello {turn}", api_name=next(iter(named)))
        while not job.outputs():
            time.sleep(0.002)
        first.append(time.perf_counter() - started)
        job.result()
        whole.append(time.perf_counter() - started)
        client.close()
    return first, whole


def ms(values: list[float]) -> str:
    low, high = min(values) * 1000, max(values) * 1000
    return f"median {statistics.median(values) * 1000:.0f} ms ({low:.0f}-{high:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=8)
    turns = parser.parse_args().turns
    python = REPO / ".venv-gradio" / "bin" / "python"
    with Emulator(Tapes()) as emulator, started_apps(python, ("chatbot_template",)) as apps:
        space_id = f"{OWNER}/chatbot-template"
        emulator.spaces[space_id] = [space_info(space_id, apps["chatbot_template"])]
        server = Server(emulator, f"spaces/{space_id}")
        try:
            first, whole = through_hubdemo(server.url, turns)
        finally:
            server.stop()
        direct_first, direct_whole = direct(apps["chatbot_template"], turns)
    print(f"new conversation, {turns} turns (chatbot template, loopback)")
    print(f"  through hubdemo:     first token {ms(first)}, whole answer {ms(whole)}")
    print(f"  gradio_client direct (a new Client each, as a new visitor): first token "
          f"{ms(direct_first)}, whole answer {ms(direct_whole)}")  # fmt: skip


if __name__ == "__main__":
    main()
