"""One input value in the ``{"data": [...]}`` form, from whatever a front door was given.

The CLI gets text or a file path, the Python API a path, bytes or a PIL image, Gradio's
clients a file they uploaded: each becomes what ``POST /api/predict`` takes for the input's
component — text as it is, media as a data URL (checked by its format header), any file as a
data URL carrying its name.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .cache import existing_path
from .components import Component
from .errors import InputError
from .media import MEDIA_KINDS, Media, a, file_type, file_url, media_from_bytes, sniff


def read_file(path: Path, field: str) -> bytes:
    """The bytes of ``path``; an InputError that names the input when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{field}: cannot read {path} ({exc.strerror or exc}); check it") from None


def from_command_line(text: str, component: Component) -> str:
    """A command-line value: a media input must be a file (sent as a data URL), a File input
    any file (under its name); a table may be a CSV file; anything else is the text."""
    kind, field = component.kind, component.name
    path = existing_path(text) if text else None
    is_file = path is not None and path.is_file()
    if kind in MEDIA_KINDS:
        if component.optional and not text:
            return ""  # left out on purpose: ""
        if path is None or not is_file:
            raise InputError(f"{field}: no such file '{text}'; give the path of {a(kind)} file")
        data = read_file(path, field)
        return Media(data, sniff(data) or "application/octet-stream").data_url()
    if kind == "file":  # any file, sent under its own name
        if path is None or not is_file:
            raise InputError(f"{field}: no such file '{text}'; give the path of a file")
        data = read_file(path, field)
        return file_url(data, file_type(data, path.name), path.name)
    if kind == "table" and path is not None and is_file:  # a CSV file; CSV text works too
        try:
            return read_file(path, field).decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                f"{field}: {path} is not UTF-8 text; save the CSV as UTF-8 and try again"
            ) from None
    return text


def from_python(value: Any, component: Component) -> Any:
    """A Python API value: media as a path, bytes or a PIL image; sentences as a list."""
    kind, field = component.kind, component.name
    if kind in MEDIA_KINDS:
        return _media_url(value, kind, field)
    if kind == "sentences" and isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return value


def _media_url(value: Any, kind: str, field: str) -> str:
    if isinstance(value, str) and value.startswith("data:"):
        return value
    if kind == "image" and callable(getattr(value, "save", None)):  # a PIL image
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        value = buffer.getvalue()
    elif isinstance(value, (str, Path)):
        value = read_file(Path(value), field)
    if not isinstance(value, (bytes, bytearray)):
        raise InputError(
            f"{field}: give the {kind} as a file path, bytes"
            + (" or a PIL image" if kind == "image" else "")
        )
    return media_from_bytes(bytes(value), kind, field).data_url()


def from_upload(path: Path, name: str | None, component: dict[str, Any]) -> str:
    """A file a Gradio client uploaded to this server (``path``), under the ``name`` it was
    uploaded with: a File input's data URL carries that name; media are checked by kind."""
    data = read_file(path, component["name"])
    if component["kind"] == "file":
        shown = name or path.name
        return file_url(data, file_type(data, shown), shown)
    return media_from_bytes(data, component["kind"], component["name"]).data_url()
