"""One runner per task: a batch of task inputs in, the router's wire answers out.

A runner answers exactly what the hf-inference router would (text-classification's ``[[...]]``,
summarization's ``[{"summary_text"}]``, ...), so the task handlers' deserialize and postprocess
steps, the page and ``hubdemo endpoint`` treat local answers like remote ones.

transformers 5 has no summarization, translation, text2text, question-answering or image-to-text
pipeline: those runners use the Auto model classes directly. Everything here runs in the
backend's worker thread, never on the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, UpstreamRejectedInput
from ..media import Media

Json = Any
Runner = Callable[[list[Any], dict[str, Any]], list[Json]]

# Generation settings of the spec (hf-tasks generate_parameters / text-generation parameters)
# that map one to one onto transformers' generate() arguments.
GENERATE_KEYS = (
    "max_new_tokens",
    "min_new_tokens",
    "max_length",
    "min_length",
    "do_sample",
    "temperature",
    "top_k",
    "top_p",
    "typical_p",
    "repetition_penalty",
    "num_beams",
    "no_repeat_ngram_size",
    "early_stopping",
)
DEFAULT_NEW_TOKENS = 50


def jsonable(value: Any) -> Json:
    """numpy/torch scalars and arrays to plain JSON values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value


def generate_kwargs(parameters: dict[str, Any]) -> dict[str, Any]:
    nested = parameters.get("generate_parameters") or parameters.get("generation_parameters") or {}
    merged = {**parameters, **(nested if isinstance(nested, dict) else {})}
    kwargs = {key: merged[key] for key in GENERATE_KEYS if merged.get(key) is not None}
    if "max_new_tokens" not in kwargs and "max_length" not in kwargs:
        kwargs["max_new_tokens"] = DEFAULT_NEW_TOKENS
    # Greedy unless asked otherwise, as the router does (transformers' pipeline would sample).
    kwargs.setdefault("do_sample", bool(merged.get("temperature") or merged.get("top_p")))
    return kwargs


def make_pipeline(task: str, model_dir: Path, **kwargs: Any) -> Any:
    from transformers import pipeline

    return pipeline(task, model=str(model_dir), device="cpu", **kwargs)


def pil_images(inputs: list[Media]) -> list[Any]:
    import io

    from PIL import Image, UnidentifiedImageError

    images = []
    for media in inputs:
        try:
            image = Image.open(io.BytesIO(media.data))
            images.append(image.convert("RGB"))
        except (UnidentifiedImageError, OSError) as exc:
            raise InputError(f"image: cannot decode this {media.mime} image ({exc})") from None
    return images


def pick(parameters: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: parameters[name] for name in names if parameters.get(name) is not None}


# -- pipelines transformers 5 still has ------------------------------------------------------


def text_classification(model_dir: Path) -> Runner:
    pipe = make_pipeline("text-classification", model_dir)

    def run(inputs: list[str], parameters: dict[str, Any]) -> list[Json]:
        # top_k=None: every label, best first, as the router answers.
        kwargs = {"top_k": parameters.get("top_k"), **pick(parameters, "function_to_apply")}
        results = pipe(inputs, batch_size=len(inputs), **kwargs)
        return [[jsonable(r)] for r in results]

    return run


def token_classification(model_dir: Path) -> Runner:
    pipe = make_pipeline("token-classification", model_dir)

    def run(inputs: list[str], parameters: dict[str, Any]) -> list[Json]:
        kwargs = {
            "aggregation_strategy": parameters.get("aggregation_strategy") or "simple",
            **pick(parameters, "ignore_labels", "stride"),
        }
        results = pipe(inputs, batch_size=len(inputs), **kwargs)
        return [jsonable(r) for r in results]

    return run


def fill_mask(model_dir: Path) -> Runner:
    pipe = make_pipeline("fill-mask", model_dir)
    mask = pipe.tokenizer.mask_token

    def run(inputs: list[str], parameters: dict[str, Any]) -> list[Json]:
        for text in inputs:
            if mask not in text:
                raise UpstreamRejectedInput(f"the text must contain the mask token {mask}")
        kwargs = {"top_k": parameters.get("top_k") or 5, **pick(parameters, "targets")}
        results = pipe(inputs, batch_size=len(inputs), **kwargs)
        if len(inputs) == 1 and results and isinstance(results[0], dict):
            results = [results]
        return [jsonable(r) for r in results]

    return run


def zero_shot_classification(model_dir: Path) -> Runner:
    pipe = make_pipeline("zero-shot-classification", model_dir)

    def run(inputs: list[str], parameters: dict[str, Any]) -> list[Json]:
        labels = parameters.get("candidate_labels")
        if not labels:
            raise UpstreamRejectedInput("give candidate_labels to choose from")
        kwargs = pick(parameters, "hypothesis_template", "multi_label")
        results = pipe(inputs, candidate_labels=labels, **kwargs)
        results = [results] if isinstance(results, dict) else results
        return [jsonable(r) for r in results]

    return run


def image_classification(model_dir: Path) -> Runner:
    pipe = make_pipeline("image-classification", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        kwargs = {"top_k": parameters.get("top_k") or 5, **pick(parameters, "function_to_apply")}
        results = pipe(pil_images(inputs), **kwargs)
        if len(inputs) == 1 and results and isinstance(results[0], dict):
            results = [results]
        return [jsonable(r) for r in results]

    return run


def object_detection(model_dir: Path) -> Runner:
    pipe = make_pipeline("object-detection", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        threshold = parameters.get("threshold", 0.5)
        results = pipe(pil_images(inputs), threshold=threshold)
        if len(inputs) == 1 and (not results or isinstance(results[0], dict)):
            results = [results]
        return [jsonable(r) for r in results]

    return run


def _audio_pipeline(task: str, model_dir: Path) -> tuple[Any, int]:
    pipe = make_pipeline(task, model_dir)
    return pipe, int(pipe.feature_extractor.sampling_rate)


def audio_classification(model_dir: Path) -> Runner:
    from .audio import load_for

    pipe, rate = _audio_pipeline("audio-classification", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        sounds = [{"raw": load_for(m, rate), "sampling_rate": rate} for m in inputs]
        kwargs = {"top_k": parameters.get("top_k") or 5, **pick(parameters, "function_to_apply")}
        return [jsonable(pipe(sound, **kwargs)) for sound in sounds]

    return run


def automatic_speech_recognition(model_dir: Path) -> Runner:
    from .audio import load_for

    pipe, rate = _audio_pipeline("automatic-speech-recognition", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        answers = []
        for media in inputs:
            result = pipe({"raw": load_for(media, rate), "sampling_rate": rate})
            answers.append({"text": result["text"]})
        return answers

    return run


# -- the model classes directly, where transformers 5 has no pipeline ------------------------


def question_answering(model_dir: Path) -> Runner:
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForQuestionAnswering.from_pretrained(model_dir).eval()

    def answer(question: str, context: str, parameters: dict[str, Any]) -> Json:
        encoded = tokenizer(
            question,
            context,
            truncation="only_second",
            max_length=min(512, tokenizer.model_max_length),
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping")[0].tolist()
        in_context = [s == 1 for s in encoded.sequence_ids(0)]
        with torch.inference_mode():
            out = model(**encoded)
        start = out.start_logits[0].softmax(-1)
        end = out.end_logits[0].softmax(-1)
        longest = int(parameters.get("max_answer_len") or 15)
        # Best span (s <= e < s + longest) inside the context, scored p(start) * p(end).
        scores = start[:, None] * end[None, :]
        allowed = torch.zeros_like(scores, dtype=torch.bool)
        context_ids = torch.tensor(in_context)
        allowed |= context_ids[:, None] & context_ids[None, :]
        allowed &= torch.ones_like(allowed).triu() & ~torch.ones_like(allowed).triu(longest)
        scores = scores.masked_fill(~allowed, 0.0)
        best = int(scores.argmax())
        s, e = divmod(best, scores.shape[1])
        char_start, char_end = offsets[s][0], offsets[e][1]
        return {
            "answer": context[char_start:char_end],
            "score": float(scores[s, e]),
            "start": char_start,
            "end": char_end,
        }

    def run(inputs: list[dict[str, str]], parameters: dict[str, Any]) -> list[Json]:
        return [answer(i["question"], i["context"], parameters) for i in inputs]

    return run


def _seq2seq(model_dir: Path, key: str, task_prefix: str | None) -> Runner:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()
    # T5-style checkpoints keep their task prefix ("summarize: ") in config.task_specific_params.
    specific = getattr(model.config, "task_specific_params", None) or {}
    prefix = ""
    if task_prefix:
        for name, settings in specific.items():
            if name.startswith(task_prefix) and isinstance(settings, dict):
                prefix = settings.get("prefix", "") or ""
                break

    def run(inputs: list[str], parameters: dict[str, Any]) -> list[Json]:
        encoded = tokenizer(
            [prefix + text for text in inputs],
            padding=True,
            truncation=True,
            max_length=min(1024, tokenizer.model_max_length),
            return_tensors="pt",
        )
        with torch.inference_mode():
            generated = model.generate(
                input_ids=encoded["input_ids"],
                attention_mask=encoded["attention_mask"],
                **generate_kwargs(parameters),
            )
        clean = parameters.get("clean_up_tokenization_spaces", True)
        texts = tokenizer.batch_decode(
            generated, skip_special_tokens=True, clean_up_tokenization_spaces=clean
        )
        return [[{key: text.strip()}] for text in texts]

    return run


def summarization(model_dir: Path) -> Runner:
    return _seq2seq(model_dir, "summary_text", "summarization")


def translation(model_dir: Path) -> Runner:
    return _seq2seq(model_dir, "translation_text", "translation")


def text2text_generation(model_dir: Path) -> Runner:
    return _seq2seq(model_dir, "generated_text", None)


def image_to_text(model_dir: Path) -> Runner:
    import torch
    from transformers import AutoImageProcessor, AutoModelForImageTextToText, AutoTokenizer

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") == "vision-encoder-decoder":
        from transformers import VisionEncoderDecoderModel

        model = VisionEncoderDecoderModel.from_pretrained(model_dir).eval()
    else:
        model = AutoModelForImageTextToText.from_pretrained(model_dir).eval()
    images_in = AutoImageProcessor.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        pixels = images_in(images=pil_images(inputs), return_tensors="pt")["pixel_values"]
        with torch.inference_mode():
            generated = model.generate(pixel_values=pixels, **generate_kwargs(parameters))
        texts = tokenizer.batch_decode(generated, skip_special_tokens=True)
        return [[{"generated_text": text.strip()}] for text in texts]

    return run


def _vision(name: str) -> Callable[[Path], Runner]:
    def make(model_dir: Path) -> Runner:
        from . import vision

        runner: Runner = getattr(vision, name)(model_dir)
        return runner

    return make


RUNNERS: dict[str, Callable[[Path], Runner]] = {
    "audio-classification": audio_classification,
    "automatic-speech-recognition": automatic_speech_recognition,
    "depth-estimation": _vision("depth_estimation"),
    "fill-mask": fill_mask,
    "image-classification": image_classification,
    "image-segmentation": _vision("image_segmentation"),
    "image-to-text": image_to_text,
    "object-detection": object_detection,
    "question-answering": question_answering,
    "summarization": summarization,
    "text-classification": text_classification,
    "text2text-generation": text2text_generation,
    "token-classification": token_classification,
    "translation": translation,
    "zero-shot-classification": zero_shot_classification,
    "zero-shot-image-classification": _vision("zero_shot_image_classification"),
}
# feature-extraction and sentence-similarity: see embeddings.py (one model serves both);
# chat-completion, text-generation and completions: chat.py and completions.py (one causal LM).
