"""Normalizers (wire answer -> hf-tasks output.json shape) and display functions.

Normalizers raise KeyError/TypeError/ValueError on a shape they do not recognise; the handler
turns that into UpstreamBadResponse. Scores pass through unrounded, in the upstream's order.
"""

from __future__ import annotations

import math
from typing import Any

from ..wire import Json
from .base import TaskInput


def _dicts(payload: Json, required: tuple[str, ...]) -> list[dict[str, Any]]:
    if not isinstance(payload, list):
        raise TypeError(f"expected a list, got {type(payload).__name__}")
    for item in payload:
        if not isinstance(item, dict):
            raise TypeError("expected a list of objects")
        missing = [key for key in required if key not in item]
        if missing:
            raise KeyError(f"missing {', '.join(missing)}")
        score = item.get("score", 0.0)
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise TypeError(f"a score is {type(score).__name__}, not a number")
    return payload


def classification(payload: Json) -> Json:
    """[{label, score}]; text-classification's wire form nests it once more: [[...]]."""
    if isinstance(payload, list) and len(payload) == 1 and isinstance(payload[0], list):
        payload = payload[0]
    return _dicts(payload, ("label", "score"))


def entities(payload: Json) -> Json:
    return _dicts(payload, ("score",))


def fill_mask(payload: Json) -> Json:
    return _dicts(payload, ("sequence", "score", "token_str"))


def boxes(payload: Json) -> Json:
    return _dicts(payload, ("label", "score", "box"))


def answers(payload: Json) -> Json:
    """Question answering: a single answer object becomes a one-element list."""
    return _dicts([payload] if isinstance(payload, dict) else payload, ("answer", "score"))


def zero_shot(payload: Json) -> Json:
    """The wire's {sequence, labels, scores} (or a list of one) becomes [{label, score}]."""
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        if "labels" not in payload[0]:
            return _dicts(payload, ("label", "score"))
        payload = payload[0]
    labels, scores = payload["labels"], payload["scores"]
    if len(labels) != len(scores):
        raise ValueError("labels and scores differ in length")
    return [{"label": label, "score": score} for label, score in zip(labels, scores)]


def _first_object(key: str) -> Any:
    def normalize(payload: Json) -> Json:
        if isinstance(payload, list):
            if len(payload) != 1:
                raise ValueError(f"expected one result, got {len(payload)}")
            payload = payload[0]
        if not isinstance(payload, dict) or not isinstance(payload.get(key), str):
            raise KeyError(key)
        return payload

    normalize.__name__ = f"first_{key}"
    return normalize


generated_text = _first_object("generated_text")
summary_text = _first_object("summary_text")
translation_text = _first_object("translation_text")
transcription = _first_object("text")


def _depth(value: Json) -> int:
    depth = 0
    while isinstance(value, list):
        if not value:
            return depth + 1
        value, depth = value[0], depth + 1
    if not isinstance(value, (int, float)):
        raise TypeError("expected numbers")
    return depth


def embedding(payload: Json) -> Json:
    """A list of vectors: a sentence embedding [d] becomes [[d]]; one text's token embeddings
    [[[t x d]]] lose their batch level."""
    depth = _depth(payload)
    if depth == 1:
        return [payload]
    while depth > 2 and len(payload) == 1:
        payload, depth = payload[0], depth - 1
    if depth != 2:
        raise ValueError(f"expected vectors, got {depth} levels of lists")
    return payload


def scores(payload: Json) -> Json:
    if not isinstance(payload, list) or not all(isinstance(s, (int, float)) for s in payload):
        raise TypeError("expected a list of numbers")
    return payload


# -- display values (postprocess) -----------------------------------------------------------


def label_bars(output: Json, _: TaskInput) -> Json:
    """Labels sorted by score, highest first."""
    rows = [{"label": str(o["label"]), "score": o["score"]} for o in output]
    return sorted(rows, key=lambda r: -r["score"])


def filled_tokens(output: Json, _: TaskInput) -> Json:
    rows = [
        {"label": str(o["token_str"]).strip(), "score": o["score"], "sequence": o["sequence"]}
        for o in output
    ]
    return sorted(rows, key=lambda r: -r["score"])


def entity_spans(output: Json, task_input: TaskInput) -> Json:
    """The input text with entity spans; spans without offsets are found by their word."""
    text: str = task_input.inputs
    spans, cursor = [], 0
    for o in output:
        label = str(o.get("entity_group") or o.get("entity") or "")
        start, end = o.get("start"), o.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            word = str(o.get("word", "")).replace("##", "")
            start = text.find(word, cursor) if word else -1
            if start < 0:
                continue
            end = start + len(word)
        cursor = end
        spans.append({"label": label, "score": o["score"], "start": start, "end": end})
    return {"text": text, "entities": spans}


def _alternatives(output: Json) -> list[dict[str, Any]]:
    """Every scored answer, likeliest first, for the bars under the best one."""
    scored = [o for o in output if isinstance(o.get("score"), (int, float))]
    rows = [{"label": str(o["answer"]), "score": o["score"]} for o in scored]
    return sorted(rows, key=lambda r: -r["score"])


def answer_in_context(output: Json, task_input: TaskInput) -> Json:
    best = max(output, key=lambda o: o["score"])
    inputs = task_input.inputs
    return {
        "question": inputs["question"],
        "context": inputs["context"],
        "answer": best["answer"],
        "score": best["score"],
        "start": best.get("start"),
        "end": best.get("end"),
        "alternatives": _alternatives(output),
    }


def image_answers(payload: Json) -> Json:
    """VQA and document QA: [{answer, score?, start?, end?}] (some models give no score)."""
    return _dicts([payload] if isinstance(payload, dict) else payload, ("answer",))


def best_answer(output: Json, task_input: TaskInput) -> Json:
    """The likeliest answer to a question about an image (there is no context text)."""
    scored = [o for o in output if isinstance(o.get("score"), (int, float))]
    best = max(scored, key=lambda o: o["score"]) if scored else output[0]
    return {
        "question": task_input.inputs["question"],
        "context": "",
        "answer": best["answer"],
        "score": best.get("score"),
        "start": None,
        "end": None,
        "alternatives": _alternatives(output),
    }


def _text_of(key: str) -> Any:
    def display(output: Json, _: TaskInput) -> Json:
        return {"text": output[key]}

    display.__name__ = f"text_of_{key}"
    return display


show_generated = _text_of("generated_text")
show_summary = _text_of("summary_text")
show_translation = _text_of("translation_text")
show_transcription = _text_of("text")


def detected_boxes(output: Json, _: TaskInput) -> Json:
    rows = [{"label": str(o["label"]), "score": o["score"], "box": o["box"]} for o in output]
    return sorted(rows, key=lambda r: -r["score"])


def embedding_strip(output: Json, _: TaskInput) -> Json:
    """Shape, norm and the (mean-pooled when there are many) vector for a heat strip."""
    rows = len(output)
    dims = len(output[0]) if rows else 0
    vector = [sum(col) / rows for col in zip(*output)] if rows > 1 else list(output[0])
    return {
        "shape": [rows, dims],
        "pooled": rows > 1,
        "norm": math.sqrt(sum(v * v for v in vector)),
        "vector": [round(v, 4) for v in vector],  # for drawing; `output` has the full values
    }


def similarity_rows(output: Json, task_input: TaskInput) -> Json:
    sentences = task_input.inputs["sentences"]
    return {
        "source": task_input.inputs["source_sentence"],
        "rows": [{"sentence": s, "score": score} for s, score in zip(sentences, output)],
    }
