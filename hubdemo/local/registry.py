"""What runs on this machine: one entry per task, with how its runner is made.

A task's runner is made from one of three things, its ``family``: the model's own folder (a
pipeline or model class of its own), a shared sentence encoder (feature extraction and sentence
similarity use one model), or a shared causal language model (chat, text generation and
OpenAI's completions use one). Nothing here imports torch or transformers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import audio, text, vision
from .common import Runner

EMBEDDING_TASKS = ("feature-extraction", "sentence-similarity")
# "completions" is OpenAI's POST /v1/completions (hubdemo endpoint), not a Hub task.
GENERATION_TASKS = ("chat-completion", "text-generation", "completions")


@dataclass(frozen=True)
class LocalTask:
    family: str  # "model", "embeddings" or "generation"
    make: Callable[[Any], Any]  # given the folder, the Encoder or the CausalLM: a runner


def _embeddings(name: str) -> Callable[[Any], Runner]:
    def make(encoder: Any) -> Runner:
        from . import embeddings

        runner: Runner = getattr(embeddings, name)(encoder)
        return runner

    return make


def _generation(kind: str) -> Callable[[Any], Any]:
    def make(lm: Any) -> Any:
        from .generation.chat import ChatModel
        from .generation.completions import Completer, TextGenerator

        return {"chat": ChatModel, "text": TextGenerator, "completions": Completer}[kind](lm)

    return make


LOCAL: dict[str, LocalTask] = {
    "audio-classification": LocalTask("model", audio.audio_classification),
    "automatic-speech-recognition": LocalTask("model", audio.automatic_speech_recognition),
    "chat-completion": LocalTask("generation", _generation("chat")),
    "completions": LocalTask("generation", _generation("completions")),
    "depth-estimation": LocalTask("model", vision.depth_estimation),
    "feature-extraction": LocalTask("embeddings", _embeddings("feature_extraction")),
    "fill-mask": LocalTask("model", text.fill_mask),
    "image-classification": LocalTask("model", vision.image_classification),
    "image-segmentation": LocalTask("model", vision.image_segmentation),
    "image-to-text": LocalTask("model", vision.image_to_text),
    "object-detection": LocalTask("model", vision.object_detection),
    "question-answering": LocalTask("model", text.question_answering),
    "sentence-similarity": LocalTask("embeddings", _embeddings("sentence_similarity")),
    "summarization": LocalTask("model", text.summarization),
    "text-classification": LocalTask("model", text.text_classification),
    "text-generation": LocalTask("generation", _generation("text")),
    "text2text-generation": LocalTask("model", text.text2text_generation),
    "token-classification": LocalTask("model", text.token_classification),
    "translation": LocalTask("model", text.translation),
    "zero-shot-classification": LocalTask("model", text.zero_shot_classification),
    "zero-shot-image-classification": LocalTask("model", vision.zero_shot_image_classification),
}


def runs_locally(task: str) -> bool:
    """Whether the local backend has a runner for ``task``."""
    return task in LOCAL
