"""``predict -o PATH``: what the model answered, saved as files. A picture, a sound, a video,
a file or gallery is saved as its bytes; text as text; anything else as JSON. One file goes to
PATH itself (or into PATH when it is a folder); several (a gallery, a Space's several outputs)
go into the folder PATH, numbered in the order they were answered."""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..media import data_url_bytes, file_name

Saved = tuple[str, bytes, str]  # a name to give it, its bytes, its MIME type


def answered_files(outputs: Sequence[Any], result: dict[str, Any]) -> list[Saved]:
    """Each thing the answer holds, as a file: ``outputs`` are the task's output components."""
    several = len(outputs) > 1
    found: list[Saved] = []
    for index, component in enumerate(outputs):
        output = result["output"][index] if several else result["output"]
        found += _files_of(result["data"][index], output, _slug(component.label) or "output")
    return found


def _files_of(shown: Any, output: Any, label: str) -> list[Saved]:
    if isinstance(shown, dict):
        if isinstance(shown.get("url"), str) and shown["url"].startswith("data:"):
            return [_decoded(shown["url"], shown.get("name") or label)]
        if isinstance(shown.get("image"), dict):  # an annotated image: the picture
            return _files_of(shown["image"], output, label)
        items = shown.get("items") or shown.get("files")
        if isinstance(items, list):  # a gallery, files
            return [f for item in items for f in _files_of(item, output, label)]
        if isinstance(shown.get("text"), str) and isinstance(output, str):
            return [(f"{label}.txt", output.encode(), "text/plain")]
    if isinstance(shown, list) and shown and all(isinstance(t, dict) and "url" in t for t in shown):
        return [f for t in shown for f in _files_of(t, output, _slug(t.get("label", label)))]
    if isinstance(output, str):
        return [(f"{label}.txt", output.encode(), "text/plain")]
    return [(f"{label}.json", json.dumps(output, indent=2).encode(), "application/json")]


def _decoded(url: str, name: str) -> Saved:
    data, mime = data_url_bytes(url, "output")
    mime = mime or "application/octet-stream"
    named = file_name(url) or name
    if "." not in named:
        named += mimetypes.guess_extension(mime) or ""
    return (Path(named).name, data, mime)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60]


def save(target: Path, files: list[Saved]) -> list[tuple[Path, Saved]]:
    """Write ``files`` to ``target``: the one file there (or into it, a folder), several into
    the folder ``target`` (made if needed). Never writes over a folder with a file."""
    if not files:
        raise InputError("the answer holds nothing to save: drop -o")
    folder = target.is_dir() or str(target).endswith(("/", "\\")) or len(files) > 1
    if folder and target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file: the answer holds {len(files)}; give a folder")
    written: list[tuple[Path, Saved]] = []
    if folder:
        target.mkdir(parents=True, exist_ok=True)
    for number, saved in enumerate(files, start=1):
        name = f"{number}-{saved[0]}" if len(files) > 1 else saved[0]
        path = target / name if folder else target
        try:
            path.write_bytes(saved[1])
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}") from None
        written.append((path, saved))
    return written
