"""Which files of a model repository the local backend needs.

A popular repository often holds the same weights four or five times (PyTorch, safetensors,
TensorFlow, Flax, ONNX, Rust, Core ML, GGUF …) plus training leftovers: `hf download` fetches
them all. The local backend loads configs, tokenizer or processor files and **one** weight
format with transformers: safetensors (every shard of its index) when there is one, else
PyTorch's. A sentence-transformers model also needs its module folders (``1_Pooling/`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import DownloadRefused


@dataclass(frozen=True)
class RepoFile:
    path: str
    size: int


# The weight formats transformers loads, in order of preference: one file, or an index and
# its shards.
LOADABLE = (
    ("safetensors", re.compile(r"^model(-\d+-of-\d+)?\.safetensors(\.index\.json)?$")),
    ("PyTorch", re.compile(r"^pytorch_model(-\d+-of-\d+)?\.bin(\.index\.json)?$")),
)
# What other copies of the weights are called: named when a repository has nothing loadable.
OTHER_FORMATS = (
    ("TensorFlow", re.compile(r"\.h5(\.index\.json)?$")),
    ("Flax", re.compile(r"\.msgpack(\.index\.json)?$")),
    ("ONNX", re.compile(r"\.onnx(_data)?$")),
    ("GGUF", re.compile(r"\.gguf$")),
    ("Rust", re.compile(r"\.ot$")),
    ("TF Lite", re.compile(r"\.tflite$")),
    ("Core ML", re.compile(r"\.(mlmodel|mlpackage)")),
    ("OpenVINO", re.compile(r"openvino")),
    ("a checkpoint", re.compile(r"\.(ckpt|pth|pt)$")),
    ("variant weights", re.compile(r"\.(fp16|bf16|non_ema)\.(safetensors|bin)$")),
)
# Small files the backend reads: configs, tokenizers, processors, chat templates, the card
# (read offline for the task and examples).
SUPPORT = re.compile(
    r"^([^/]+\.json|[^/]+\.txt|[^/]+\.model|[^/]+\.tiktoken|[^/]+\.jinja|README\.md)$"
)
# JSON files that are training output or another format's index, not configuration.
NOT_SUPPORT = re.compile(
    r"^(trainer_state|all_results|eval_results|train_results|training_args)\.json$"
    r"|\.(h5|msgpack|bin|safetensors)\.index\.json$"
)
# sentence-transformers module folders: 1_Pooling, 2_Dense, 2_Normalize …
MODULE_FOLDER = re.compile(r"^\d+_[A-Za-z]+/")


@dataclass(frozen=True)
class Choice:
    """The files chosen, the weight format, and what was left out (format -> bytes)."""

    files: tuple[RepoFile, ...]
    weights: str
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def skipped_size(self) -> int:
        return sum(self.skipped.values())


def format_of(path: str) -> str | None:
    """The weight format a file is a copy in, or None for a file that holds no weights."""
    name = path.rsplit("/", 1)[-1]
    for label, pattern in (*LOADABLE, *OTHER_FORMATS):
        if pattern.search(name if label in ("safetensors", "PyTorch") else path):
            return label
    return None


def _weights_in(files: list[RepoFile], prefix: str = "") -> tuple[str, list[RepoFile]] | None:
    """The preferred loadable weights directly in folder ``prefix``: (format, files)."""
    here = [f for f in files if f.path.startswith(prefix) and "/" not in f.path[len(prefix) :]]
    for label, pattern in LOADABLE:
        found = [f for f in here if pattern.match(f.path[len(prefix) :])]
        if found:
            return label, found
    return None


def choose_files(model_id: str, files: list[RepoFile]) -> Choice:
    """The files the local backend needs from ``files`` (a repository's list with sizes).

    Raises LocalModelError naming what the repository holds when it has no weights the local
    backend can load (only GGUF or ONNX, say)."""
    top = _weights_in(files)
    if top is None:
        held = sorted({fmt for f in files if (fmt := format_of(f.path))})
        what = ", ".join(held) if held else "no weight files"
        raise DownloadRefused(
            f"'{model_id}' has no weights the local backend can load ({what}; it loads "
            "safetensors or PyTorch .bin with transformers): use the router (drop --local), "
            "or pick a repository with those"
        )
    weights, chosen = top
    picked = {f.path for f in chosen}
    for f in files:
        if SUPPORT.match(f.path) and not NOT_SUPPORT.search(f.path):
            picked.add(f.path)
    folders = {f.path.split("/", 1)[0] + "/" for f in files if MODULE_FOLDER.match(f.path)}
    for folder in sorted(folders):
        inner = _weights_in(files, folder)
        for f in files:
            rest = f.path[len(folder) :]
            if not f.path.startswith(folder) or "/" in rest:
                continue
            if format_of(f.path) is None or (inner and f in inner[1]):
                picked.add(f.path)
    kept = tuple(f for f in files if f.path in picked)
    skipped: dict[str, int] = {}
    for f in files:
        if f.path not in picked:
            label = format_of(f.path) or "other files"
            skipped[label] = skipped.get(label, 0) + f.size
    return Choice(kept, weights, skipped)
