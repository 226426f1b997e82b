"""Every core task's recorded case: the model, the request, and how the recorded wire answer
reads as the spec's output (written from docs/design.md, apart from hubdemo's own normalizers,
so that the two are checked against each other)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from support.emulator import SYNTHESIZED_WIDGETS


def same(x: Any) -> Any:
    return x


def unwrap(x: Any) -> Any:  # [[...]] -> [...]; [{...}] -> {...}
    return x[0]


def as_list(x: Any) -> Any:
    return x if isinstance(x, list) else [x]


def pivot(x: Any) -> Any:
    x = x[0] if isinstance(x, list) else x
    return [{"label": lab, "score": s} for lab, s in zip(x["labels"], x["scores"])]


def rows(x: Any) -> Any:  # a sentence embedding [d] is one row
    return [x] if not isinstance(x[0], list) else x


def masks_as_urls(x: Any) -> Any:  # DESIGN: binary values (masks too) are data URLs
    return [{**s, "mask": "data:image/png;base64," + s["mask"]} for s in x]


def depth_as_url(x: Any) -> Any:
    return {**x, "depth": "data:image/png;base64," + x["depth"]}


def tracks_as_urls(x: Any) -> Any:
    return [{**t, "blob": f"data:{t['content-type']};base64," + t["blob"]} for t in x]


def file_as(key: str, mime: str) -> Callable[[Any], Any]:
    """The recorded answer is the file itself (the test gets its bytes, not JSON)."""

    def expect(data: bytes) -> Any:
        return {key: f"data:{mime};base64," + base64.b64encode(data).decode()}

    expect.binary = True  # type: ignore[attr-defined]
    return expect


@dataclass
class Case:
    model: str
    data: list[Any]  # the {"data": [...]} form; "IMAGE"/"AUDIO"/"VIDEO" stand for a file
    expect: Callable[[Any], Any]
    native: Any = None  # the task's own body, when the case also checks that form
    parameters: dict[str, Any] | None = None  # as in the recorded request


# The emulated tabular models' card rows (three each: the emulator answers three predictions).
DIABETES = SYNTHESIZED_WIDGETS["hubdemo-emulated/tabular-classification"][0]["structured_data"]
FISH = SYNTHESIZED_WIDGETS["hubdemo-emulated/tabular-regression"][0]["structured_data"]

CASES: dict[str, Case] = {
    "audio-classification": Case(
        "alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech", ["AUDIO"], same
    ),
    "audio-to-audio": Case("speechbrain/sepformer-wham", ["AUDIO"], tracks_as_urls),
    "automatic-speech-recognition": Case(
        "facebook/wav2vec2-large-960h-lv60-self", ["AUDIO"], same
    ),
    "feature-extraction": Case(
        "sentence-transformers/distilbert-base-nli-mean-tokens", ["That is a happy person"], rows,
        native={"inputs": "That is a happy person"},
    ),
    "chat-completion": Case(
        "mistralai/Mistral-7B-Instruct-v0.2",
        ["Complete the this sentence with words one plus one is equal "], same,
        parameters={"max_tokens": 500, "temperature": 0.1, "seed": 0},
    ),
    "depth-estimation": Case("hubdemo-emulated/depth-estimation", ["IMAGE"], depth_as_url),
    "document-question-answering": Case(
        "impira/layoutlm-document-qa", ["IMAGE", "What is the invoice number?"], same,
    ),
    "fill-mask": Case("google-bert/bert-base-uncased", ["[MASK] world!"], same),
    "image-classification": Case("google/vit-base-patch16-224", ["IMAGE"], same),
    "image-segmentation": Case("facebook/detr-resnet-50-panoptic", ["IMAGE"], masks_as_urls),
    "image-text-to-image": Case(
        "hubdemo-emulated/image-text-to-image", ["", "a red bicycle, watercolour"],
        file_as("image", "image/png"),
    ),
    "image-text-to-video": Case(
        "hubdemo-emulated/image-text-to-video", ["IMAGE", "the cat walks away"],
        file_as("video", "video/mp4"),
    ),
    "image-to-image": Case(
        "lllyasviel/sd-controlnet-canny", ["IMAGE", ""], file_as("image", "image/jpeg"),
    ),
    "image-to-video": Case(
        "hubdemo-emulated/image-to-video", ["IMAGE", ""], file_as("video", "video/mp4"),
    ),
    "image-to-text": Case("Salesforce/blip-image-captioning-base", ["IMAGE"], unwrap),
    "object-detection": Case("facebook/detr-resnet-50", ["IMAGE"], same),
    "question-answering": Case(
        "deepset/roberta-base-squad2",
        ["What is the capital of France?", "The capital of France is Paris."], as_list,
        native={"inputs": {"question": "What is the capital of France?",
                           "context": "The capital of France is Paris."}},
    ),
    "sentence-similarity": Case(
        "sentence-transformers/paraphrase-xlm-r-multilingual-v1",
        ["That is a happy person",
         "That is a happy dog\nThat is a very happy person\nToday is a sunny day"],
        same,
    ),
    "summarization": Case("google/pegasus-xsum", [
        "The tower is 324 metres (1,063 ft) tall, about the same height as an 81-storey "
        "building, and the tallest structure in Paris. Its base is square, measuring 125 metres "
        "(410 ft) on each side. During its construction, the Eiffel Tower surpassed the "
        "Washington Monument to become the tallest man-made structure in the world, a title it "
        "held for 41 years until the Chrysler Building in New York City was finished in 1930."
    ], unwrap, parameters={"max_length": 100}),
    "tabular-classification": Case("hubdemo-emulated/tabular-classification", [DIABETES], same),
    "tabular-regression": Case("hubdemo-emulated/tabular-regression", [FISH], same),
    "table-question-answering": Case(
        "google/tapas-base-finetuned-wtq",
        [{"Repository": ["Transformers", "Datasets", "Tokenizers"],
          "Stars": ["36542", "4512", "3934"], "Contributors": ["651", "77", "34"],
          "Programming language": ["Python", "Python", "Rust, Python and NodeJS"]},
         "How many stars does the transformers repository have?"], as_list,
    ),
    "text-classification": Case(
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english", ["I like you"], unwrap,
        native={"inputs": "I like you"},
    ),
    "text-generation": Case("gpt2", ["The answer to the universe is"], unwrap),
    "text2text-generation": Case("google/flan-t5-xxl", ["one plus two equals"], unwrap),
    "text-to-audio": Case(
        "hubdemo-emulated/text-to-audio", ["a dog barking in the rain"],
        file_as("audio", "audio/flac"),
    ),
    "text-to-image": Case(
        "stabilityai/stable-diffusion-2",
        ["award winning high resolution photo of a giant tortoise/((ladybird)) hybrid, "
         "[trending on artstation]"], file_as("image", "image/jpeg"),
    ),
    "text-to-speech": Case(
        "espnet/kan-bayashi_ljspeech_vits", ["hello there!"], file_as("audio", "audio/flac"),
    ),
    "text-to-video": Case(
        "hubdemo-emulated/text-to-video", ["a dog running on the beach"],
        file_as("video", "video/mp4"),
    ),
    "token-classification": Case(
        "dbmdz/bert-large-cased-finetuned-conll03-english",
        ["My name is Sarah Jessica Parker but you can call me Jessica"], same,
    ),
    "translation": Case("google-t5/t5-base", ["My name is Wolfgang and I live in Berlin"], unwrap),
    "video-classification": Case("hubdemo-emulated/video-classification", ["VIDEO"], same),
    "visual-question-answering": Case(
        "dandelin/vilt-b32-finetuned-vqa", ["IMAGE", "How many cats are lying down?"], same,
    ),
    "zero-shot-classification": Case(
        "facebook/bart-large-mnli",
        ["A new model offers an explanation for how the Galilean satellites formed around the "
         "solar system'slargest world. Konstantin Batygin did not set out to solve one of the "
         "solar system's most puzzling mysteries when he went for a run up a hill in Nice, "
         "France.", "space & cosmos, scientific discovery, microbiology, robots, archeology"],
        pivot, parameters={"multi_label": False},
    ),
    "zero-shot-object-detection": Case(
        "hubdemo-emulated/zero-shot-object-detection", ["IMAGE", "cat, remote"], same,
    ),
    "zero-shot-image-classification": Case(
        "openai/clip-vit-large-patch14-336", ["IMAGE", "animal, toy, car"], same,
    ),
}  # fmt: skip


CHAT_MODEL = "mistralai/Mistral-7B-Instruct-v0.2"
CHAT_SETTINGS = {"max_tokens": 500, "temperature": 0.1, "seed": 0}
