"""sentence-similarity: one source sentence scored against several others."""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from .base import BLANK, TaskHandler, require_text


class SentenceSimilarityTask(TaskHandler):
    def inputs_from_data(self, values: list[Any]) -> dict[str, Any]:
        sentences = values[1]
        if isinstance(sentences, str):  # the page's text area: one sentence per line
            lines = [line.strip(BLANK) for line in sentences.split("\n")]
            sentences = [line for line in lines if line]
        return self.check_inputs({"source_sentence": values[0], "sentences": sentences})

    def check_inputs(self, inputs: Any) -> dict[str, Any]:
        if not isinstance(inputs, dict):
            raise InputError('inputs: expected {"source_sentence": ..., "sentences": [...]}')
        sentences = inputs.get("sentences")
        if not isinstance(sentences, list) or not sentences:
            raise InputError("sentences: give at least one sentence to compare with (one per line)")
        return {
            "source_sentence": require_text(inputs.get("source_sentence"), "source_sentence"),
            "sentences": [require_text(s, "sentences") for s in sentences],
        }

    def example_from_widget(self, widget: dict[str, Any]) -> list[Any] | None:
        source, sentences = widget.get("source_sentence"), widget.get("sentences")
        if isinstance(source, str) and isinstance(sentences, list):
            return [source, "\n".join(str(s) for s in sentences)]
        return None
