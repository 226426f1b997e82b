"""The page's Parameters panel: the task's parameters in the order people change them, the
settings of one object together under its name, help as text with links, and no controls the
spec itself calls unused. /api/info keeps its own order (the spec's, alphabetical): Gradio's
clients take the parameters in that order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

# The parameters people change first, per task; the others follow in the spec's order.
FIRST: dict[str, tuple[str, ...]] = {
    "chat-completion": ("temperature", "max_tokens", "top_p", "seed", "stop",
                        "frequency_penalty", "presence_penalty"),
    "text-generation": ("max_new_tokens", "temperature", "top_p", "top_k", "repetition_penalty",
                        "do_sample", "seed", "stop", "return_full_text"),
    "text-to-image": ("negative_prompt", "num_inference_steps", "guidance_scale",
                      "target_size.width", "target_size.height", "width", "height", "seed"),
    "image-to-image": ("prompt", "negative_prompt", "num_inference_steps", "guidance_scale",
                       "target_size.width", "target_size.height"),
    "automatic-speech-recognition": ("return_timestamps", "generation_parameters.max_new_tokens",
                                     "generation_parameters.temperature",
                                     "generation_parameters.do_sample"),
    "summarization": ("generate_parameters.max_length", "generate_parameters.min_length"),
    "text-classification": ("top_k", "function_to_apply"),
    "image-classification": ("top_k", "function_to_apply"),
    "audio-classification": ("top_k", "function_to_apply"),
    "object-detection": ("threshold",),
    "image-segmentation": ("threshold", "subtask", "mask_threshold"),
    "token-classification": ("aggregation_strategy", "ignore_labels"),
    "question-answering": ("top_k", "max_answer_len", "handle_impossible_answer"),
    "fill-mask": ("top_k", "targets"),
    "zero-shot-classification": ("multi_label", "hypothesis_template"),
    "translation": ("src_lang", "tgt_lang"),
}  # fmt: skip


@dataclass
class Group:
    """Controls shown together: an object's settings under its name, or loose parameters."""

    heading: str | None
    controls: list[dict[str, Any]] = field(default_factory=list)


def _unused(control: dict[str, Any]) -> bool:
    return str(control.get("description") or "").lstrip().upper().startswith("UNUSED")


def panel(info: dict[str, Any]) -> list[Group]:
    """``info``'s parameters as the panel shows them (a Space's keep the Space's order)."""
    controls = [c for c in info.get("parameters") or [] if not _unused(c)]
    if not info.get("space"):
        first = FIRST.get(info.get("task") or "", ())
        rank = {name: i for i, name in enumerate(first)}
        controls.sort(key=lambda c: rank.get(c["name"], len(rank)))  # stable: the rest in order
    groups: list[Group] = []
    by_heading: dict[str, Group] = {}
    for control in controls:
        heading = control["name"].split(".", 1)[0] if "." in control["name"] else None
        if heading is None:
            if not groups or groups[-1].heading is not None:
                groups.append(Group(None))
            groups[-1].controls.append(control)
        elif heading in by_heading:
            by_heading[heading].controls.append(control)
        else:
            by_heading[heading] = Group(heading, [control])
            groups.append(by_heading[heading])
    return groups


def help_html(text: str) -> Markup:
    """A parameter's description (Markdown in the Hub's specs) as HTML: links made links, raw
    HTML escaped, sanitized as a Space's Markdown is."""
    from ..spaces.markup import markdown_html

    return Markup(markdown_html(text))
