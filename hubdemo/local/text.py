"""Text tasks on this machine: classification, entities, fill-mask, zero-shot, and (with the
model classes directly, as transformers 5 has no pipeline for them) question answering,
summarization, translation and text-to-text generation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UpstreamRejectedInput
from .common import Json, Runner, generate_kwargs, jsonable, make_pipeline, pick


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
