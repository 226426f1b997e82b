"""A Space's answer in hubdemo's output form: each returned value normalized by its component
(a Label as the Hub's classification list, a Gallery as pictures with captions, a Chatbot as
messages…), files as the data URLs the upstream made of them."""

from __future__ import annotations

from typing import Any

from ..media import file_name, unnamed
from .components import MEDIA


def normalize_value(component: str, value: Any) -> Any:
    """One returned value in hubdemo's output form: a Label as [{label, score}] (the Hub's
    classification shape), files as data URLs (the upstream made them so), the rest as is.
    None (an app may answer no file, no picture) stays None: the page says so."""
    if value is None:
        return None
    if component == "label":
        if isinstance(value, dict) and isinstance(value.get("confidences"), list):
            return [
                {"label": str(item["label"]), "score": float(item["confidence"])}
                for item in value["confidences"]
            ]
        if isinstance(value, dict) and "label" in value:  # a Label given only its top class
            return [{"label": str(value["label"]), "score": 1.0}]
        raise ValueError("a Label value has label and confidences")
    if component == "highlightedtext":
        return highlighted_spans(value)
    if component == "dataframe":
        return dataframe(value)
    if component == "gallery":
        return gallery(value)
    if component == "annotatedimage":
        return annotated(value)
    if component == "chatbot":
        return chat_messages(value)
    if component == "file":
        return [_file(v) for v in value] if isinstance(value, list) else _file(value)
    if component in MEDIA:
        return unnamed(_file(value, component))
    return value


def _file(value: Any, family: str = "file") -> str:
    """A file the upstream fetched: a data URL (its type is the Space's word, as Gradio's)."""
    if not isinstance(value, str) or not value.startswith("data:"):
        raise ValueError(f"a {family} value is a file")
    return value


def gallery(value: Any) -> list[dict[str, Any]]:
    """A Gallery's [{image | video, caption}], each picture or film a data URL."""
    found = []
    for item in value:
        family = "video" if isinstance(item, dict) and "video" in item else "image"
        url = unnamed(_file(item[family], family))
        caption = item.get("caption")
        found.append({family: url, "caption": None if caption is None else str(caption)})
    return found


def annotated(value: Any) -> dict[str, Any]:
    """An AnnotatedImage's {image, annotations: [{image: mask, label}]} as the picture and its
    labelled masks (a mask is a PNG: painted where it is opaque and not black)."""
    segments = [
        {"label": str(note["label"]), "mask": unnamed(_file(note["image"], "image"))}
        for note in value["annotations"]
    ]
    return {"image": unnamed(_file(value["image"], "image")), "segments": segments}


def chat_messages(value: Any) -> list[dict[str, Any]]:
    """A Chatbot's conversation as [{role, content}]: content is the text, or OpenAI's parts
    when a turn holds a picture. Gradio 6's parts, Gradio 5's messages and tuples are read."""
    if value and all(isinstance(turn, (list, tuple)) for turn in value):  # [[user, bot], …]
        value = [
            {"role": role, "content": said}
            for pair in value
            for role, said in zip(("user", "assistant"), pair, strict=False)
            if said is not None
        ]
    found = []
    for turn in value:
        content = turn["content"]
        pieces = content if isinstance(content, list) else [content]
        parts = [_chat_part(piece) for piece in pieces]
        if all(p["type"] == "text" for p in parts):
            shown: Any = "\n".join(p["text"] for p in parts)
        else:
            shown = parts
        found.append({"role": str(turn["role"]), "content": shown})
    return found


def _chat_part(piece: Any) -> dict[str, Any]:
    if isinstance(piece, str):
        if piece.startswith("data:"):  # Gradio 5: a file as the whole content
            piece = {"type": "file", "file": piece}
        else:
            return {"type": "text", "text": piece}
    if isinstance(piece, dict) and piece.get("type") == "text":
        return {"type": "text", "text": str(piece.get("text", ""))}
    url = piece.get("file") if isinstance(piece, dict) else None
    if isinstance(url, dict):  # Gradio 5's {"file": {"path", "url"}}, fetched
        url = url.get("path") or url.get("url")
    if not (isinstance(url, str) and url.startswith("data:")):  # a component, a plot…
        kind = piece.get("type") if isinstance(piece, dict) else None
        return {"type": "text", "text": f"[{kind or 'a part'} that hubdemo does not show]"}
    if url.startswith("data:image/"):
        return {"type": "image_url", "image_url": {"url": unnamed(url)}}
    return {"type": "text", "text": f"[a file: {file_name(url) or url[5:].split(';')[0]}]"}


def dataframe(value: Any) -> dict[str, Any]:
    """A Dataframe's ``{headers, data}`` (gradio_client's form), checked: a header per column."""
    headers, rows = value["headers"], value["data"]
    if not isinstance(headers, list) or not isinstance(rows, list):
        raise ValueError("a Dataframe value has a list of headers and a list of rows")
    if any(not isinstance(row, list) or len(row) != len(headers) for row in rows):
        raise ValueError(f"a Dataframe row does not have its {len(headers)} columns")
    return {"headers": [str(h) for h in headers], "data": rows}


def highlighted_spans(value: Any) -> dict[str, Any]:
    """HighlightedText's [{token, class_or_confidence}] as the text with labelled spans (the
    entities view's shape); a numeric class is a confidence, shown as its label's score."""
    if isinstance(value, dict):  # {"text", "entities"} as some apps return it
        value = value.get("value", value)
    text, spans = "", []
    for piece in value:
        token, kind = str(piece["token"]), piece.get("class_or_confidence")
        if kind is not None:
            score = float(kind) if isinstance(kind, (int, float)) else 1.0
            label = "" if isinstance(kind, (int, float)) else str(kind)
            spans.append(
                {"label": label, "score": score, "start": len(text), "end": len(text) + len(token)}
            )
        text += token
    return {"text": text, "entities": spans}


def reply_text(value: Any, index: int, space: str) -> str:
    """The reply a chatbot built with gr.Blocks wrote: the text of the last turn of its
    Chatbot output (``index`` among the endpoint's outputs), in any of Gradio's forms."""
    from ..errors import UpstreamBadResponse

    chatbot = value[index] if isinstance(value, tuple) else value
    turns = chat_messages(chatbot or [])
    if not turns or turns[-1]["role"] != "assistant":
        raise UpstreamBadResponse(
            f"the Space {space}'s endpoint answered no reply (its conversation ends with the "
            "user's turn): the reply may come from another of its endpoints; `hubdemo "
            "describe` lists them, --api-name picks one"
        )
    content = turns[-1]["content"]
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content if part.get("type") == "text")


def history_form(parameter: dict[str, Any]) -> str:
    """How a Chatbot input takes its history, read from its example in view_api: "tuples"
    (Gradio 5's [[user, bot], …]), "parts" (Gradio 6: content as a list of parts) or
    "messages" (content as text)."""
    example = parameter.get("example_input")
    first = example[0] if isinstance(example, list) and example else None
    if isinstance(first, (list, tuple)):
        return "tuples"
    if isinstance(first, dict) and isinstance(first.get("content"), list):
        return "parts"
    return "messages"


def history_value(messages: list[dict[str, Any]], form: str) -> list[Any]:
    """hubdemo's [{role, content: text}] as a Chatbot input takes it (``history_form``)."""
    if form == "tuples":
        pairs: list[list[Any]] = []
        for message in messages:
            if message["role"] == "user" or not pairs:
                pairs.append([message["content"], None])
            else:
                pairs[-1][1] = message["content"]
        return pairs
    if form == "parts":
        return [
            {"role": m["role"], "content": [{"type": "text", "text": m["content"]}]}
            for m in messages
        ]
    return [{"role": m["role"], "content": m["content"]} for m in messages]
