"""One prediction drawn for a terminal, by its first output's kind: one function per kind
(hubdemo/components.py lists the kinds; tests/unit/test_registry.py checks each has one here)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from rich.table import Table

from .common import out
from .terminal import labelled, plain, plain_columns, plain_row

Result = dict[str, Any]  # /api/predict's answer: output, data, duration


def show(kind: str, result: Result) -> None:
    """Print ``result`` as its kind is printed; an unknown kind as its JSON output."""
    RENDERERS.get(kind, _as_json)(result)


def show_all(outputs: Sequence[Any], result: Result) -> None:
    """Each output of ``result`` in order; with several (a Space's), each under its label."""
    several = len(outputs) > 1
    for index, component in enumerate(outputs):
        one = result
        if several:
            out.print(plain(f"{component.label}:"), style="bold")
            one = {**result, "output": result["output"][index], "data": [result["data"][index]]}
        shown = one["data"][0]
        if isinstance(shown, dict) and isinstance(shown.get("nothing"), str):  # a Space's None
            out.print(plain(shown["nothing"]), style="dim")
        else:
            show(component.kind, one)


def _as_json(result: Result) -> None:
    out.print_json(json.dumps(result["output"]))


def _labels(result: Result) -> None:
    table = Table("label", "score", "")
    for row in result["data"][0][:10]:
        plain_row(table, str(row["label"]), f"{row['score']:.2%}", _bar(row["score"]))
    out.print(table)


def _bar(score: float) -> str:
    return "█" * round(max(0.0, min(score, 1.0)) * 30)


def _boxes(result: Result) -> None:
    """One row per box: its label, score and place in pixels (x from-to, y from-to)."""
    table = Table("label", "score", "box (pixels)", "")
    for row in result["data"][0][:30]:
        box = row.get("box") or {}
        where = (
            f"x {box.get('xmin')}–{box.get('xmax')}, y {box.get('ymin')}–{box.get('ymax')}"
            if box
            else "—"
        )
        plain_row(table, str(row["label"]), f"{row['score']:.2%}", where, _bar(row["score"]))
    out.print(table)


def _entities(result: Result) -> None:
    """One row per entity found: the words, their type, the score and where in the text."""
    shown = result["data"][0]
    table = Table("entity", "type", "score", "characters")
    for span in shown["entities"]:
        score = span.get("score")
        plain_row(
            table,
            shown["text"][span["start"] : span["end"]],
            span["label"],
            f"{score:.2%}" if isinstance(score, float) else "—",
            f"{span['start']}–{span['end']}",
        )
    out.print(table if shown["entities"] else plain("no entities found"))


def _table_answer(result: Result) -> None:
    """The answer, then the table with the cells it came from marked."""
    shown = result["data"][0]
    how = f"  ({shown['aggregator']} of the marked cells)" if shown.get("aggregator") else ""
    if shown.get("aggregator") in (None, "NONE"):
        how = ""
    out.print(labelled(str(shown["answer"]), "bold", how))
    marked = {tuple(c) for c in shown.get("coordinates") or [] if isinstance(c, list)}
    columns = list(shown["table"])
    table = Table(*plain_columns(*columns))
    cells = list(shown["table"].values())
    for r in range(len(cells[0]) if cells else 0):
        row = [("▶ " if (r, c) in marked else "") + str(col[r]) for c, col in enumerate(cells)]
        plain_row(table, *row)
    out.print(table)


def _text(result: Result) -> None:
    out.print(plain(result["data"][0]["text"]))


def _similarity(result: Result) -> None:
    table = Table("sentence", "similarity", "")
    for row in result["data"][0]["rows"]:
        bar = "█" * round(max(0, row["score"]) * 30)
        plain_row(table, row["sentence"], f"{row['score']:.4f}", bar)
    out.print(table)


def _media(result: Result) -> None:  # image, audio, video
    shown = result["data"][0]
    out.print(plain(f"{shown['mime']}, {shown['size'] / 1024:.1f} KB"))
    out.print("(--json prints it as a data URL)", style="dim")


def _tracks(result: Result) -> None:
    for track in result["data"][0]:
        out.print(plain(f"{track['label']}: {track['mime']}, {track['size'] / 1024:.1f} KB"))
    out.print("(--json prints them as data URLs)", style="dim")


def _chat(result: Result) -> None:
    said = result["data"][0]["messages"][-1].get("content") or ""
    if isinstance(said, list):  # OpenAI's parts: the text of them
        said = "\n".join(p.get("text", "[a picture]") for p in said)
    out.print(plain(said))


def _files(result: Result) -> None:  # gallery and file
    shown = result["data"][0]
    for item in shown.get("items") or shown.get("files"):
        about = f"{item['name']}: {item['mime']}, {item['size'] / 1024:.1f} KB"
        out.print(plain(about + (f" · {item['caption']}" if item.get("caption") else "")))
    out.print("(--json prints them as data URLs)", style="dim")


def _annotated(result: Result) -> None:
    shown = result["data"][0]
    out.print(plain(f"{shown['image']['mime']}, {shown['image']['size'] / 1024:.1f} KB"))
    out.print(plain("regions: " + ", ".join(s["label"] for s in shown["segments"])))


def _rows(result: Result) -> None:
    """A table with the model's column of predictions; a Space's Dataframe has none."""
    shown = result["data"][0]
    predicted = shown["values"] is not None
    names = [*shown["table"], shown["column"]] if predicted else list(shown["table"])
    table = Table(*plain_columns(*names))
    cells = list(shown["table"].values())
    for r in range(len(cells[0]) if cells else 0):
        extra = [str(shown["values"][r])] if predicted else []
        plain_row(table, *(column[r] for column in cells), *extra)
    out.print(table)


def _segments(result: Result) -> None:
    table = Table("segment", "score")
    for row in result["data"][0]:
        score = row["score"]
        plain_row(table, str(row["label"]), f"{score:.2%}" if isinstance(score, float) else "—")
    out.print(table)


def _embedding(result: Result) -> None:
    vectors = result["output"]
    head = ", ".join(f"{v:.4f}" for v in vectors[0][:6])
    out.print(f"{len(vectors)} vector(s) of {len(vectors[0])} numbers: [{head}, …]")
    out.print("(--json prints them all)", style="dim")


def _answer(result: Result) -> None:
    shown = result["data"][0]
    score = f"  ({shown['score']:.2%})" if isinstance(shown["score"], float) else ""
    out.print(labelled(str(shown["answer"]), "bold", score))


RENDERERS: dict[str, Callable[[Result], None]] = {
    "labels": _labels,
    "entities": _entities,
    "answer": _answer,
    "text": _text,
    "boxes": _boxes,
    "embedding": _embedding,
    "similarity": _similarity,
    "image": _media,
    "audio": _media,
    "video": _media,
    "tracks": _tracks,
    "segments": _segments,
    "table": _table_answer,
    "rows": _rows,
    "chat": _chat,
    "gallery": _files,
    "annotated": _annotated,
    "file": _files,
}
