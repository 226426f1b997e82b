"""Models on this machine: the Hugging Face cache and saved model directories, read offline.

A model found here is described by a model-info dict of the Hub's shape (``pipeline_tag``,
``library_name``, ``tags``, ``cardData``, ``widgetData``), built from the model card's YAML front
matter and ``config.json``, so ``resolve.spec_from_info`` treats it like one from the Hub.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

# config.json ``architectures`` suffix -> pipeline tag, for cards without a pipeline_tag.
# Checked in order: the first suffix that matches wins (audio models' ForSequenceClassification
# is audio-classification: see task_from_config).
ARCHITECTURE_TASKS: tuple[tuple[str, str], ...] = (
    ("ForSequenceClassification", "text-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForImageClassification", "image-classification"),
    ("ForObjectDetection", "object-detection"),
    ("ForDepthEstimation", "depth-estimation"),
    ("ForSemanticSegmentation", "image-segmentation"),
    ("ForInstanceSegmentation", "image-segmentation"),
    ("ForUniversalSegmentation", "image-segmentation"),
    ("CLIPModel", "zero-shot-image-classification"),
    ("SiglipModel", "zero-shot-image-classification"),
    ("ForAudioClassification", "audio-classification"),
    ("ForCTC", "automatic-speech-recognition"),
    ("WhisperForConditionalGeneration", "automatic-speech-recognition"),
    ("ForSpeechSeq2Seq", "automatic-speech-recognition"),
    ("VisionEncoderDecoderModel", "image-to-text"),
    ("BlipForConditionalGeneration", "image-to-text"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("Model", "feature-extraction"),
)


def hub_cache_dir() -> Path:
    """Where huggingface_hub keeps downloads: HF_HUB_CACHE, else $HF_HOME/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join("~", ".cache", "huggingface")
    return Path(home).expanduser() / "hub"


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def is_model_dir(path: Path) -> bool:
    return (path / "config.json").is_file()


def cached_snapshot(
    repo_id: str, cache: Path | None = None, revision: str | None = None
) -> Path | None:
    """The snapshot of ``repo_id`` in the cache (``models--org--name/snapshots/<commit>/``) at
    ``revision`` (a branch or tag named in ``refs/``, or a commit); without one, the snapshot
    ``refs/main`` names, else the newest. None when no such snapshot holds a config.json."""
    repo = (cache or hub_cache_dir()) / ("models--" + repo_id.replace("/", "--"))
    snapshots = repo / "snapshots"
    ref = repo / "refs" / (revision or "main")
    if ref.is_file():
        chosen = snapshots / ref.read_text(encoding="utf-8").strip()
        if is_model_dir(chosen):
            return chosen
    if revision is not None:  # pinned: that commit, or nothing
        return snapshots / revision if is_model_dir(snapshots / revision) else None
    if not snapshots.is_dir():
        return None
    found = [s for s in snapshots.iterdir() if is_model_dir(s)]
    return max(found, key=lambda s: s.stat().st_mtime) if found else None


def has_weights(folder: Path) -> bool:
    """Whether ``folder`` holds the weights transformers loads: a safetensors or PyTorch file,
    or an index with every shard it names (a download cut short leaves the configs only)."""
    for single, index in (
        ("model.safetensors", "model.safetensors.index.json"),
        ("pytorch_model.bin", "pytorch_model.bin.index.json"),
    ):
        if (folder / single).is_file():
            return True
        shards = _json_file(folder / index).get("weight_map")
        if isinstance(shards, dict) and shards:
            return all((folder / str(name)).is_file() for name in set(shards.values()))
    return False


def _front_matter(readme: Path) -> dict[str, Any]:
    """The YAML block between the leading '---' lines of a model card, or {}."""
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _json_file(path: Path) -> dict[str, Any]:
    """A JSON object file's contents; {} when it is missing or not a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _config(path: Path) -> dict[str, Any]:
    return _json_file(path / "config.json")


def architectures(path: Path) -> list[str]:
    found = _config(path).get("architectures") or []
    return [a for a in found if isinstance(a, str)]


def task_from_config(path: Path) -> str | None:
    """The pipeline tag a saved model's architecture implies (BertForMaskedLM -> fill-mask)."""
    if (path / "modules.json").is_file():
        return "sentence-similarity"  # a sentence-transformers model, as the Hub tags them
    config = _config(path)
    is_audio = "feature_extractor_type" in config or config.get("model_type") in (
        "wav2vec2",
        "hubert",
        "wavlm",
        "whisper",
    )
    for arch in architectures(path):
        for suffix, task in ARCHITECTURE_TASKS:
            if arch.endswith(suffix):
                if task == "text-classification" and is_audio:
                    return "audio-classification"
                return task
    return None


def has_chat_template(folder: Path) -> bool:
    """Whether the saved tokenizer carries a chat template (what the Hub's "conversational" tag
    says of a model)."""
    if (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file():
        return True
    return bool(_json_file(folder / "tokenizer_config.json").get("chat_template"))


def local_model_info(path: Path, model_id: str) -> dict[str, Any]:
    """A Hub-shaped model-info dict for a model directory, read from its card and config."""
    card = _front_matter(path / "README.md")
    tags = card.get("tags") or []
    tags = tags if isinstance(tags, list) else []
    if has_chat_template(path) and "conversational" not in tags:
        tags = [*tags, "conversational"]  # as the Hub tags a model with a chat template
    widget = card.get("widget") or []
    widget = widget if isinstance(widget, list) else []
    return {
        "id": model_id,
        "pipeline_tag": card.get("pipeline_tag") or task_from_config(path),
        "library_name": card.get("library_name") or "transformers",
        "tags": [str(t) for t in tags] if isinstance(tags, list) else [],
        "cardData": {"license": card.get("license")},
        "widgetData": [w for w in widget if isinstance(w, dict)],
    }


def existing_path(text: str) -> Path | None:
    """``text`` as a path when it names something on this machine; None when it does not, or
    cannot be a path at all (longer than the system allows, a NUL byte): text given on the
    command line may be a sentence, not a file name."""
    try:
        path = Path(text).expanduser()
        return path if path.exists() else None
    except (OSError, ValueError):
        return None
