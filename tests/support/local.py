"""The local backend in this process, and the real MiniLM's recorded router answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hubdemo.hub import HubClient
from hubdemo.predictor import make_upstream
from hubdemo.resolve import resolve
from hubdemo.upstream.local import LocalUpstream
from hubdemo.web.app import create_app


def config_labels(folder: Path) -> set[str]:
    config = json.loads((folder / "config.json").read_text())
    return set(config.get("id2label", {}).values())


def serve_local(folder: Path, task: str | None = None, **flags: Any) -> tuple[Any, LocalUpstream]:
    spec = resolve(str(folder), HubClient(endpoint="http://127.0.0.1:9"), task)
    upstream = make_upstream(spec, **flags)
    assert isinstance(upstream, LocalUpstream)
    return create_app(spec, upstream), upstream


RECORDED_SOURCE = "Machine learning is so easy."
RECORDED_SENTENCES = [
    "Deep learning is so straightforward.",
    "This is so difficult, like rocket science.",
    "I can't believe how much I struggled with this.",
]


def recorded_similarity(tapes: Any) -> list[float]:
    """The router's answer for all-MiniLM-L6-v2 in test_async_sentence_similarity.yaml."""
    exchange = next(
        e
        for e in tapes.exchanges
        if e.model == "sentence-transformers/all-MiniLM-L6-v2" and e.status == 200
    )
    scores: list[float] = exchange.json()
    return scores


def cached_snapshot_of(cache: Path, repo_id: str, revision: str, config: dict[str, Any]) -> Path:
    """A snapshot folder laid out as huggingface_hub's cache lays it out, holding ``config``."""
    folder = cache / f"models--{repo_id.replace('/', '--')}" / "snapshots" / revision
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(config))
    return folder
