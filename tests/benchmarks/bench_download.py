"""What `hf download` fetches against what `--local` fetches, for popular repositories.

Part 1, from the Hub's recorded model infos (tests/data/hf-tasks): the file lists are real;
the Hub recorded no file sizes, so each weight file is sized from the recorded parameter count
(``safetensors.parameters``: bytes = parameters x the dtype's width), every full copy in
another format at the size of the float32 weights, quantized and half-precision copies at a
quarter and a half, and configs and tokenizers at 0. An estimate, said as one.

Part 2, measured: a tiny model published on the emulated Hub with copies in five other
formats, downloaded by huggingface_hub's snapshot_download (what `hf download` runs) and by
`hubdemo pull`; the bytes the emulator sent for each.

    .venv/bin/python tests/benchmarks/bench_download.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hubdemo.download import RepoFile, choose_files
from hubdemo.download.fetch import human
from support.emulator import Emulator, Tapes

REPOS = (
    "openai-community/gpt2",
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    "google-bert/bert-base-uncased",
    "sentence-transformers/all-MiniLM-L6-v2",
    "google/flan-t5-large",
)
WIDTH = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "U8": 1, "I8": 1}
WEIGHTS = (".safetensors", ".bin", ".h5", ".msgpack", ".ot", ".onnx", ".tflite", ".mlmodel")


def estimated_size(path: str, stored: int, float32: int) -> int:
    name = path.lower()
    if not name.endswith(WEIGHTS) or "training_args" in name:
        return 0
    if "qint8" in name or "quint8" in name or "8bits" in name or "quantized" in name:
        return float32 // 4
    if "fp16" in name:
        return float32 // 2
    return stored if name.endswith(".safetensors") else float32


def estimated(info: dict) -> list[RepoFile]:
    parameters = (info.get("safetensors") or {}).get("parameters") or {}
    stored = sum(count * WIDTH.get(dtype, 4) for dtype, count in parameters.items())
    float32 = sum(parameters.values()) * 4
    return [
        RepoFile(s["rfilename"], estimated_size(s["rfilename"], stored, float32))
        for s in info["siblings"]
    ]


def recorded_repos() -> None:
    tapes = Tapes()
    print("| repository | files | `hf download` (est.) | hubdemo (est.) | saved |")
    print("|---|---|---|---|---|")
    for repo in REPOS:
        files = estimated(tapes.infos[repo])
        choice = choose_files(repo, files)
        whole = sum(f.size for f in files)
        print(
            f"| {repo} | {len(choice.files)} of {len(files)} | {human(whole)} | "
            f"{human(choice.size)} ({choice.weights}) | {whole / max(choice.size, 1):.1f}x |"
        )


def measured() -> None:
    from huggingface_hub import snapshot_download

    from support.hub_repos import publish
    from support.tiny_models import TinyModels

    models = TinyModels(Path(tempfile.mkdtemp()))
    with Emulator() as emulator:
        repo = publish(emulator, "tiny/bench-download", models["text-classification"])
        snapshot_download(repo.repo_id, endpoint=emulator.url, cache_dir=tempfile.mkdtemp(),
                          token=False)  # fmt: skip
        whole = emulator.hub_files.bytes_served()
        mark = len(emulator.hub_files.served)
        env = {**os.environ, "HF_ENDPOINT": emulator.url, "HF_HUB_CACHE": tempfile.mkdtemp()}
        subprocess.run([sys.executable, "-m", "hubdemo", "pull", repo.repo_id], env=env,
                       check=True, capture_output=True, cwd=tempfile.gettempdir())  # fmt: skip
        ours = sum(s.sent for s in emulator.hub_files.served[mark:])
    print(
        f"\nMeasured on the emulated Hub ({len(repo.files)} files): snapshot_download "
        f"{whole:,} bytes, hubdemo pull {ours:,} bytes ({whole / ours:.1f}x less)"
    )


if __name__ == "__main__":
    recorded_repos()
    measured()
