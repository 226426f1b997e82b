"""A Space's normalized output as the page's display values, per output kind (a file as a
named download, a table as the rows view's grid, nothing as one line saying so)."""

from __future__ import annotations

import json
from typing import Any

from ..media import decode_base64, file_name, unnamed
from ..tasks import outputs as o
from ..tasks.base import TaskInput
from ..tasks.generated import file_shown
from .markup import markdown_html, safe_html


def display_value(component: str, kind: str, value: Any, label: str) -> Any:
    if value is None:  # drawn as a line saying so, in place of the output's view
        return {"nothing": f"The Space answered nothing for {label}."}
    if kind == "labels":
        return o.label_bars(value, TaskInput(None))
    if kind == "entities":
        return value
    if kind == "rows":
        return table_shown(value)
    stem = label.lower().replace(" ", "-") or kind
    if kind in ("image", "audio", "video"):
        return file_shown(value, stem)
    if kind == "gallery":
        items = []
        for i, item in enumerate(value):
            family = "video" if "video" in item else "image"
            shown = file_shown(item[family], f"{stem}-{i + 1}")
            items.append({"kind": family, "caption": item["caption"], **shown})
        return {"items": items}
    if kind == "annotated":
        return {"image": file_shown(value["image"], stem), "segments": value["segments"]}
    if kind == "file":
        files = value if isinstance(value, list) else [value]
        return {"files": [file_listed(url, f"{stem}-{i + 1}") for i, url in enumerate(files)]}
    if kind == "chat":
        return {"messages": value}
    if component == "json" or not isinstance(value, str):
        return {"text": json.dumps(value, indent=2, ensure_ascii=False)}
    if component == "markdown":
        return {"text": value, "html": markdown_html(value)}
    if component == "html":
        return {"text": value, "html": safe_html(value)}
    return {"text": value}


def table_shown(value: dict[str, Any]) -> dict[str, Any]:
    """The rows view's grid: column name -> the column's cells as text (a repeated name is
    numbered, so no column hides another)."""
    names: list[str] = []
    for header in value["headers"]:
        name, n = header, 2
        while name in names:
            name, n = f"{header} ({n})", n + 1
        names.append(name)
    table = {
        name: ["" if row[i] is None else str(row[i]) for row in value["data"]]
        for i, name in enumerate(names)
    }
    return {"table": table, "column": None, "values": None}


PREVIEW_CHARS = 2000  # of a text file answered, shown on the page


def file_listed(url: str, stem: str) -> dict[str, Any]:
    """A File output as the page lists it: under its own name, with the start of its text
    when it is a text file."""
    plain = unnamed(url)
    shown = file_shown(plain, stem)
    shown["name"] = file_name(url) or shown["name"]
    mime = shown["mime"]
    textual = mime.startswith("text/") or mime in ("application/json", "application/xml")
    if textual:
        head = decode_base64(plain.split(",", 1)[1][: PREVIEW_CHARS * 8 // 3 // 4 * 4], "file")
        shown["preview"] = head.decode("utf-8", errors="replace")[:PREVIEW_CHARS]
    return shown
