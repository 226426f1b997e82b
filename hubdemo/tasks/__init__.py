"""The task registry: one entry per supported pipeline tag, in alphabetical order."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .. import components as c
from ..errors import UnsupportedTaskError
from . import outputs as o
from .base import Example, TaskHandler, TaskInput
from .chat import ChatTask, chat_completion, conversation
from .feature_extraction import FeatureExtractionTask
from .generated import (
    GeneratedFileTask,
    ImageTextTask,
    ImageToImageTask,
    coloured_depth,
    depth_map,
    playable_tracks,
    segment_overlay,
    segments,
    tracks,
)
from .image_question import ImageQuestionTask, ZeroShotImageTask
from .media import MediaTask
from .question_answering import QuestionAnsweringTask
from .sentence_similarity import SentenceSimilarityTask
from .table_question import TableQuestionTask, answer_in_table, table_answers
from .tabular import TabularTask, beside_rows, row_labels, row_values
from .zero_shot import ZeroShotTask

__all__ = ["TASKS", "Example", "TaskHandler", "TaskInput"]

_TEXT = c.text("text", "Text")
_LABELS = c.out("labels", "Labels")
_TEXT_OUT = c.out("text", "Result")
_PROMPT = c.Component("prompt", "text", "Prompt (optional with an image)", optional=True)
_ROWS = c.Component("table", "table", "Rows (edit the cells; one prediction per row)")
_OPTIONAL_PROMPT = c.Component("prompt", "text", "Prompt (optional)", optional=True)

TASKS: dict[str, TaskHandler] = {
    "audio-classification": MediaTask(
        "audio-classification", title="Audio classification", action="Classify",
        inputs=[c.audio()], outputs=[_LABELS], normalize=o.classification, display=o.label_bars,
    ),
    "audio-to-audio": MediaTask(
        "audio-to-audio", title="Audio to audio", action="Process the sound",
        inputs=[c.audio()], outputs=[c.out("tracks", "Sounds")],
        normalize=tracks, display=playable_tracks,
    ),
    "automatic-speech-recognition": MediaTask(
        "automatic-speech-recognition", title="Speech recognition", action="Transcribe",
        inputs=[c.audio()], outputs=[c.out("text", "Transcript")],
        normalize=o.transcription, display=o.show_transcription,
    ),
    "chat-completion": ChatTask(
        "chat-completion", title="Chat", action="Send",
        inputs=[c.Component("message", "chat", "Message")],
        outputs=[c.out("chat", "Conversation")], normalize=chat_completion, display=conversation,
        route="chat",
    ),
    "depth-estimation": MediaTask(
        "depth-estimation", title="Depth estimation", action="Estimate depth",
        inputs=[c.image()], outputs=[c.out("image", "Depth (near dark, far bright)")],
        normalize=depth_map, display=coloured_depth,
    ),
    "document-question-answering": ImageQuestionTask(
        "document-question-answering", title="Document question answering", action="Answer",
        inputs=[c.image("image", "Document (an image of it)"), c.line("question", "Question")],
        outputs=[c.out("answer", "Answer")], normalize=o.image_answers, display=o.best_answer,
    ),
    "feature-extraction": FeatureExtractionTask(
        "feature-extraction", title="Feature extraction", action="Embed",
        inputs=[_TEXT], outputs=[c.out("embedding", "Embedding")],
        normalize=o.embedding, display=o.embedding_strip, route="pipeline", batches=True,
    ),
    "fill-mask": TaskHandler(
        "fill-mask", title="Fill mask", action="Fill the mask",
        inputs=[c.text("text", "Text with a mask token")], outputs=[c.out("labels", "Predictions")],
        normalize=o.fill_mask, display=o.filled_tokens, batches=True,
    ),
    "image-classification": MediaTask(
        "image-classification", title="Image classification", action="Classify",
        inputs=[c.image()], outputs=[_LABELS], normalize=o.classification, display=o.label_bars,
    ),
    "image-segmentation": MediaTask(
        "image-segmentation", title="Image segmentation", action="Segment",
        inputs=[c.image()], outputs=[c.out("segments", "Segments")],
        normalize=segments, display=segment_overlay,
    ),
    "image-text-to-image": ImageTextTask(
        "image-text-to-image", title="Image and text to image", action="Generate the image",
        inputs=[c.Component("image", "image", "Image (optional)", optional=True), _PROMPT],
        outputs=[c.out("image", "Generated image")], key="image",
    ),
    "image-text-to-video": ImageTextTask(
        "image-text-to-video", title="Image and text to video", action="Make the video",
        inputs=[c.Component("image", "image", "Image (optional)", optional=True), _PROMPT],
        outputs=[c.out("video", "Generated video")], key="video",
    ),
    "image-to-image": ImageToImageTask(
        "image-to-image", title="Image to image", action="Transform the image",
        inputs=[c.image(), _OPTIONAL_PROMPT], outputs=[c.out("image", "Result")], key="image",
    ),
    "image-to-text": MediaTask(
        "image-to-text", title="Image to text", action="Describe the image",
        inputs=[c.image()], outputs=[c.out("text", "Caption")],
        normalize=o.generated_text, display=o.show_generated,
    ),
    "image-to-video": ImageToImageTask(
        "image-to-video", title="Image to video", action="Animate the image",
        inputs=[c.image(), _OPTIONAL_PROMPT], outputs=[c.out("video", "Generated video")],
        key="video",
    ),
    "object-detection": MediaTask(
        "object-detection", title="Object detection", action="Detect objects",
        inputs=[c.image()], outputs=[c.out("boxes", "Objects")],
        normalize=o.boxes, display=o.detected_boxes,
    ),
    "question-answering": QuestionAnsweringTask(
        "question-answering", title="Question answering", action="Answer",
        inputs=[c.line("question", "Question"), c.text("context", "Context")],
        outputs=[c.out("answer", "Answer")], normalize=o.answers, display=o.answer_in_context,
    ),
    "sentence-similarity": SentenceSimilarityTask(
        "sentence-similarity", title="Sentence similarity", action="Compare",
        inputs=[
            c.line("source_sentence", "Source sentence"),
            c.Component("sentences", "sentences", "Sentences to compare (one per line)"),
        ],
        outputs=[c.out("similarity", "Similarity")],
        normalize=o.scores, display=o.similarity_rows, route="pipeline",
    ),
    "summarization": TaskHandler(
        "summarization", title="Summarization", action="Summarize",
        inputs=[_TEXT], outputs=[c.out("text", "Summary")],
        normalize=o.summary_text, display=o.show_summary, batches=True,
    ),
    "table-question-answering": TableQuestionTask(
        "table-question-answering", title="Table question answering", action="Answer",
        inputs=[c.Component("table", "table", "Table (edit the cells)"), c.line("question", "Question")],  # noqa: E501
        outputs=[c.out("table", "Answer")], normalize=table_answers, display=answer_in_table,
    ),
    "tabular-classification": TabularTask(
        "tabular-classification", title="Tabular classification", action="Classify the rows",
        inputs=[_ROWS], outputs=[c.out("rows", "Predicted class")],
        normalize=row_labels, display=beside_rows,
    ),
    "tabular-regression": TabularTask(
        "tabular-regression", title="Tabular regression", action="Predict the values",
        inputs=[_ROWS], outputs=[c.out("rows", "Predicted value")],
        normalize=row_values, display=beside_rows,
    ),
    "text-classification": TaskHandler(
        "text-classification", title="Text classification", action="Classify",
        inputs=[_TEXT], outputs=[_LABELS], normalize=o.classification, display=o.label_bars,
        batches=True,
    ),
    "text-generation": TaskHandler(
        "text-generation", title="Text generation", action="Generate",
        inputs=[c.text("text", "Prompt")], outputs=[c.out("text", "Generated text")],
        normalize=o.generated_text, display=o.show_generated,
    ),
    "text-to-audio": GeneratedFileTask(
        "text-to-audio", title="Text to audio", action="Make the sound",
        inputs=[c.text("text", "Describe the sound")], outputs=[c.out("audio", "Sound")],
        key="audio",
    ),
    "text-to-image": GeneratedFileTask(
        "text-to-image", title="Text to image", action="Generate the image",
        inputs=[c.text("text", "Prompt")], outputs=[c.out("image", "Generated image")],
        key="image",
    ),
    "text-to-speech": GeneratedFileTask(
        "text-to-speech", title="Text to speech", action="Speak",
        inputs=[c.text("text", "Text to say")], outputs=[c.out("audio", "Speech")],
        key="audio",
    ),
    "text-to-video": GeneratedFileTask(
        "text-to-video", title="Text to video", action="Make the video",
        inputs=[c.text("text", "Prompt")], outputs=[c.out("video", "Generated video")],
        key="video",
    ),
    "text2text-generation": TaskHandler(
        "text2text-generation", title="Text-to-text generation", action="Generate",
        inputs=[_TEXT], outputs=[_TEXT_OUT], normalize=o.generated_text,
        display=o.show_generated, spec="text-generation", batches=True,
    ),
    "token-classification": TaskHandler(
        "token-classification", title="Token classification", action="Find entities",
        inputs=[_TEXT], outputs=[c.out("entities", "Entities")],
        normalize=o.entities, display=o.entity_spans, batches=True,
    ),
    "translation": TaskHandler(
        "translation", title="Translation", action="Translate",
        inputs=[_TEXT], outputs=[c.out("text", "Translation")],
        normalize=o.translation_text, display=o.show_translation, batches=True,
    ),
    "video-classification": MediaTask(
        "video-classification", title="Video classification", action="Classify",
        inputs=[c.video()], outputs=[_LABELS], normalize=o.classification, display=o.label_bars,
    ),
    "visual-question-answering": ImageQuestionTask(
        "visual-question-answering", title="Visual question answering", action="Answer",
        inputs=[c.image(), c.line("question", "Question")],
        outputs=[c.out("answer", "Answer")], normalize=o.image_answers, display=o.best_answer,
    ),
    "zero-shot-classification": ZeroShotTask(
        "zero-shot-classification", title="Zero-shot classification", action="Classify",
        inputs=[_TEXT, c.Component("candidate_labels", "labels", "Candidate labels, comma-separated")],  # noqa: E501
        outputs=[_LABELS], normalize=o.zero_shot, display=o.label_bars, batches=True,
    ),
    "zero-shot-image-classification": ZeroShotImageTask(
        "zero-shot-image-classification", title="Zero-shot image classification",
        action="Classify",
        inputs=[c.image(), c.Component("candidate_labels", "labels", "Candidate labels, comma-separated")],  # noqa: E501
        outputs=[_LABELS], normalize=o.classification, display=o.label_bars,
    ),
    "zero-shot-object-detection": ZeroShotImageTask(
        "zero-shot-object-detection", title="Zero-shot object detection", action="Detect",
        inputs=[c.image(), c.Component("candidate_labels", "labels", "What to look for, comma-separated")],  # noqa: E501
        outputs=[c.out("boxes", "Objects")], normalize=o.boxes, display=o.detected_boxes,
    ),
}  # fmt: skip


# Hub pipeline tags served by a task of another name (the spec folder's): the one place.
CHAT_TAGS = ("conversational", "image-text-to-text")


def task_for(pipeline_tag: str | None, tags: tuple[str, ...] | list[str] = ()) -> str | None:
    """The task hubdemo serves for a model: chat for chat models (text-generation tagged
    `conversational`, or image-text-to-text), else the pipeline tag itself."""
    if pipeline_tag in CHAT_TAGS or (
        pipeline_tag == "text-generation" and "conversational" in tags
    ):
        return "chat-completion"
    return pipeline_tag


def hub_tags(task: str) -> list[str]:
    """The Hub pipeline tags a task serves: its own name, and for chat the chat models' tags."""
    return [task, *CHAT_TAGS] if task == "chat-completion" else [task]


def supported_tasks() -> list[str]:
    return sorted(TASKS)


def get_task(name: str) -> TaskHandler:
    """The handler of pipeline tag ``name``. Raises UnsupportedTaskError listing valid names."""
    try:
        return TASKS[name]
    except KeyError:
        import difflib

        # Close enough to be a typo only: image-to-3d is a task of its own, not image-to-video.
        near = difflib.get_close_matches(name, TASKS, n=1, cutoff=0.88)
        if near:  # a slip of the keyboard: the one it was meant to be
            raise UnsupportedTaskError(
                f"task '{name}' is not supported; did you mean --task {near[0]}?"
            ) from None
        raise UnsupportedTaskError(
            f"task '{name}' is not supported; pass --task with one of: "
            f"{', '.join(supported_tasks())}"
        ) from None


@cache
def default_examples() -> dict[str, list[Any]]:
    """The Hub's default widget inputs (huggingface.js MAPPING_EN, MIT), by task."""
    path = Path(__file__).resolve().parent.parent / "data" / "default-widget-inputs.en.json"
    data: dict[str, list[Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data
