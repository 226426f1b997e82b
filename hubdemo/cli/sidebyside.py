"""``hubdemo predict A B INPUT…``: every model's answer in one table, one column per model (a
row per output, then each one's time), as compact text per output kind."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from rich.table import Table

from .common import out
from .terminal import plain, plain_columns

Shown = Any  # one output's display value (the answer's "data"[i])


def _percent(score: Any) -> str:
    return f"{score:.2%}" if isinstance(score, float) else "—"


def _labels(shown: Shown) -> str:
    return "\n".join(f"{row['label']}  {_percent(row['score'])}" for row in shown[:5])


def _entities(shown: Shown) -> str:
    text = shown["text"]
    found = [
        f"{text[s['start'] : s['end']]}  {s['label']} {_percent(s.get('score'))}"
        for s in shown["entities"]
    ]
    return "\n".join(found) or "no entities found"


def _boxes(shown: Shown) -> str:
    return "\n".join(f"{row['label']}  {_percent(row['score'])}" for row in shown[:10])


def _similarity(shown: Shown) -> str:
    return "\n".join(f"{row['score']:.4f}  {row['sentence']}" for row in shown["rows"])


def _chat(shown: Shown) -> str:
    said = shown["messages"][-1].get("content") or ""
    if isinstance(said, list):  # OpenAI's parts: the text of them
        said = "\n".join(p.get("text", "[a picture]") for p in said)
    return str(said)


def _answer(shown: Shown) -> str:
    return f"{shown['answer']}  ({_percent(shown.get('score'))})"


def _file(shown: Shown) -> str:
    return f"{shown['mime']}, {shown['size'] / 1024:.1f} KB"


def _other(shown: Shown) -> str:
    text = json.dumps(shown, ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + "…"


CELLS: dict[str, Callable[[Shown], str]] = {
    "labels": _labels,
    "entities": _entities,
    "boxes": _boxes,
    "segments": _boxes,
    "similarity": _similarity,
    "chat": _chat,
    "answer": _answer,
    "text": lambda shown: str(shown["text"]),
    "image": _file,
    "audio": _file,
    "video": _file,
}


def show_compared(outputs: Sequence[Any], compared: dict[str, Any]) -> None:
    """/api/compare's answer as one table: a row per output, then the times (or the error)."""
    results = compared["results"]
    table = Table(*plain_columns("", *(r["model"] for r in results)), show_lines=True)
    for index, component in enumerate(outputs):
        row = [component.label if len(outputs) > 1 else component.kind]
        for result in results:
            if "error" in result:
                row.append("—")
                continue
            shown = result["data"][index]
            if isinstance(shown, dict) and isinstance(shown.get("nothing"), str):
                row.append(shown["nothing"])
            else:
                row.append(CELLS.get(component.kind, _other)(shown))
        table.add_row(*(plain(cell) for cell in row))
    times = [
        plain(f"failed after {r['duration']:.2f} s: {r['error']}", style="red")
        if "error" in r
        else plain(f"{r['duration']:.2f} s")
        for r in results
    ]
    table.add_row(plain("time"), *times)
    out.print(table)
    out.print(plain(f"wall time {compared['duration']:.2f} s (the slowest; they ran at once)"))
