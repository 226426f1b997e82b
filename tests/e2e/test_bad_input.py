"""Bad input, table-driven: each is a 4xx whose message names the field and the fix; never a
500, never a traceback, and nothing is sent upstream."""

from __future__ import annotations

import base64
import io
import json
import struct
import wave
import zlib
from typing import Any

import httpx
import pytest

from support.emulator import synthesized_media

TEXT = "distilbert-base-uncased-finetuned-sst-2-english"
IMAGE = "google/vit-base-patch16-224"
AUDIO = "alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech"
QA = "deepset/roberta-base-squad2"
ZERO_SHOT = "facebook/bart-large-mnli"
SIMILARITY = "sentence-transformers/paraphrase-xlm-r-multilingual-v1"
GENERATION = "gpt2"
FEATURES = "sentence-transformers/distilbert-base-nli-mean-tokens"
VIDEO = "hubdemo-emulated/video-classification"
TABULAR = "hubdemo-emulated/tabular-regression"
TABLE_QA = "google/tapas-base-finetuned-wtq"
IMAGE_TEXT = "hubdemo-emulated/image-text-to-image"
TO_VIDEO = "hubdemo-emulated/image-to-video"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{b64(data)}"


def png(width: int = 8, height: int = 8) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def bomb() -> bytes:
    """A valid PNG whose header claims 100 000 x 100 000 pixels (10 gigapixels)."""
    data = bytearray(png(1, 1))
    ihdr = struct.pack(">II", 100_000, 100_000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def wav(frames: int = 1600, cut: int = 0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x01" * frames)
    data = buffer.getvalue()
    return data[: len(data) - cut] if cut else data


GOOD_PNG = png()
BAD_WAV = b"RIFF" + struct.pack("<I", 100) + b"WAVE" + b"junk" * 20

# (id, model, body: JSON value or raw bytes, status, words the message must contain)
CASES: list[tuple[str, str, Any, int, str]] = [
    # -- the body itself
    ("not-json", TEXT, b"{oops", 400, "not valid JSON"),
    ("nan", TEXT, b'{"inputs": "hi", "parameters": {"top_k": NaN}}', 400, "NaN is not a JSON"),
    ("not-utf8", TEXT, b'{"inputs": "\xff\xfe"}', 400, "not UTF-8"),
    ("empty-body", TEXT, b"", 400, "body is empty"),
    ("json-array", TEXT, ["hello"], 400, "must be a JSON object"),
    ("json-string", TEXT, "hello", 400, "must be a JSON object"),
    ("json-null", TEXT, None, 400, "must be a JSON object"),
    ("neither-key", TEXT, {"text": "hello"}, 400, 'needs "data"'),
    ("data-not-list", TEXT, {"data": "hello"}, 400, '"data" must be a list of 1'),
    ("data-empty", TEXT, {"data": []}, 400, '"data" must be a list of 1'),
    ("data-too-many", TEXT, {"data": ["a", "b"]}, 400, "in this order: text"),
    ("inputs-number", TEXT, {"inputs": 5}, 400, "text: expected text, got int"),
    ("inputs-null", TEXT, {"inputs": None}, 400, "expected text, got NoneType"),
    ("inputs-empty", TEXT, {"inputs": ""}, 400, "the text is empty"),
    ("inputs-blank", TEXT, {"data": ["   \n "]}, 400, "the text is empty"),
    ("inputs-list-one-text-task", GENERATION, {"inputs": ["a", "b"]}, 400, "expected one text"),
    ("inputs-list-empty", TEXT, {"inputs": []}, 400, "the list of texts is empty"),
    ("inputs-list-not-text", TEXT, {"inputs": ["a", 5]}, 400, "text[1]: expected text, got int"),
    ("inputs-list-blank", TEXT, {"inputs": ["a", " "]}, 400, "text[1]: the text is empty"),
    ("inputs-list-too-long", TEXT, {"inputs": ["a"] * 257}, 413, "at most 256"),
    # -- parameters
    ("params-string", TEXT, {"inputs": "hi", "parameters": "top_k=3"}, 422, "JSON object"),
    ("params-list", TEXT, {"inputs": "hi", "parameters": [1]}, 422, "JSON object"),
    ("param-unknown", TEXT, {"inputs": "hi", "parameters": {"topk": 3}}, 422, "parameters.topk"),
    ("param-type", TEXT, {"inputs": "hi", "parameters": {"top_k": "3"}}, 422, "parameters.top_k"),
    ("param-float", TEXT, {"inputs": "hi", "parameters": {"top_k": 2.5}}, 422, "'integer'"),
    (
        "param-range",
        TEXT,
        {"inputs": "hi", "parameters": {"top_k": 0}},
        422,
        "less than the minimum of 1",
    ),
    (
        "param-enum",
        TEXT,
        {"inputs": "hi", "parameters": {"function_to_apply": "cube"}},
        422,
        "function_to_apply: 'cube' is not one of",
    ),
    (
        "param-temperature",
        GENERATION,
        {"inputs": "hi", "parameters": {"temperature": -1}},
        422,
        "parameters.temperature: -1 is",
    ),
    (
        "param-top-p",
        GENERATION,
        {"inputs": "hi", "parameters": {"top_p": 1.5}},
        422,
        "parameters.top_p: 1.5 is",
    ),
    ("param-normalize", FEATURES, {"inputs": "hi", "normalize": "yes"}, 422, "'boolean'"),
    # -- multi-input tasks
    ("zero-shot-no-labels", ZERO_SHOT, {"inputs": "hi"}, 422, "candidate_labels"),
    ("zero-shot-empty-labels", ZERO_SHOT, {"data": ["hi", " , "]}, 422, "at least one label"),
    (
        "zero-shot-labels-number",
        ZERO_SHOT,
        {"inputs": "hi", "parameters": {"candidate_labels": 5}},
        422,
        "candidate_labels",
    ),
    ("qa-string", QA, {"inputs": "where?"}, 400, '"question": ..., "context"'),
    ("qa-no-context", QA, {"inputs": {"question": "where?"}}, 400, "context"),
    ("qa-empty-question", QA, {"data": ["", "Paris is nice"]}, 400, "question: the text is empty"),
    ("similarity-no-sentences", SIMILARITY, {"data": ["a", "  \n "]}, 400, "sentences"),
    (
        "similarity-not-list",
        SIMILARITY,
        {"inputs": {"source_sentence": "a", "sentences": "b"}},
        400,
        "sentences",
    ),
    # -- images
    ("image-not-base64", IMAGE, {"data": ["!!not base64!!"]}, 400, "not valid base64"),
    ("image-url-not-base64", IMAGE, {"data": ["data:image/png,abc"]}, 400, "base64 data URLs"),
    ("image-empty", IMAGE, {"data": [""]}, 400, "as a data URL or base64"),
    ("image-number", IMAGE, {"inputs": 42}, 400, "as a data URL or base64"),
    ("image-empty-base64", IMAGE, {"inputs": "data:image/png;base64,"}, 400, "empty"),
    ("image-is-text", IMAGE, {"inputs": b64(b"just some text")}, 415, "send an image"),
    ("image-is-pdf", IMAGE, {"inputs": b64(b"%PDF-1.4 fake")}, 415, "send an image"),
    ("image-is-audio", IMAGE, {"data": [url(wav(), "audio/wav")]}, 415, "audio/wav file"),
    ("image-truncated-png", IMAGE, {"data": [url(GOOD_PNG[:60])]}, 400, "damaged or cut off"),
    ("image-truncated-jpeg", IMAGE, {"data": [url(jpeg()[:-40])]}, 400, "jpeg image is damaged"),
    ("image-bomb", IMAGE, {"data": [url(bomb())]}, 413, "million pixels"),
    ("image-raw-garbage", IMAGE, b"\x00\x01\x02garbage", 400, "JSON"),
    # -- audio
    ("audio-is-image", AUDIO, {"data": [url(GOOD_PNG)]}, 415, "send an audio"),
    ("audio-bad-wav", AUDIO, {"data": [url(BAD_WAV, "audio/wav")]}, 400, "cannot read this WAV"),
    ("audio-cut-wav", AUDIO, {"data": [url(wav(cut=1000), "audio/wav")]}, 400, "cut off"),
    ("audio-empty", AUDIO, {"inputs": ""}, 400, "audio as a data URL"),
    # -- video
    ("video-is-image", VIDEO, {"data": [url(GOOD_PNG)]}, 415, "send a video (MP4"),
    ("video-is-text", VIDEO, {"inputs": b64(b"not a film at all")}, 415, "send a video"),
    ("video-empty", VIDEO, {"data": [""]}, 400, "a video as a data URL"),
    (
        "video-param",
        VIDEO,
        {"inputs": b64(synthesized_media("video/mp4") or b""), "parameters": {"num_frames": "8"}},
        422,
        "parameters.num_frames",
    ),
    # -- tables
    ("table-ragged", TABULAR, {"data": [{"a": ["1", "2"], "b": ["3"]}]}, 400, "same number"),
    ("table-empty", TABULAR, {"data": [{}]}, 400, '{"column": ["cell", ...]'),
    ("table-one-line-csv", TABULAR, {"data": ["a,b"]}, 400, "at least one row (CSV)"),
    ("table-cells-not-list", TABULAR, {"inputs": {"data": {"a": "1"}}}, 400, "column 'a'"),
    ("table-qa-no-question", TABLE_QA, {"data": [{"a": ["1"]}, " "]}, 400, "question"),
    # -- an image, a prompt or both
    ("image-text-neither", IMAGE_TEXT, {"data": ["", ""]}, 400, "an image, a prompt or both"),
    ("image-text-no-prompt", IMAGE_TEXT, {"parameters": {}}, 400, "parameters.prompt"),
    ("image-to-video-no-image", TO_VIDEO, {"data": ["", "go"]}, 400, "as a data URL or base64"),
    (
        "target-size-type",
        TO_VIDEO,
        {"inputs": b64(GOOD_PNG), "parameters": {"target_size": {"width": "wide"}}},
        422,
        "target_size",
    ),
]


@pytest.mark.parametrize(
    ("model", "body", "status", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_a_clear_4xx(servers, emulator, model, body, status, words) -> None:
    server = servers[model]
    before = len(emulator.log)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = httpx.post(
        f"{server.url}/api/predict",
        content=content,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == status, response.text
    payload = response.json()
    assert words in payload["error"], payload["error"]
    assert payload["type"] and "Traceback" not in payload["error"]
    assert len(emulator.log) == before, "nothing went upstream"


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
