"""predict -o: what an answer holds, as files, and where they go."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from hubdemo.cli.saving import answered_files, save
from hubdemo.errors import InputError

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


def test_each_output_becomes_a_file_named_for_it() -> None:
    outputs = [SimpleNamespace(label="Result image"), SimpleNamespace(label="Seed"),
               SimpleNamespace(label="Stats")]  # fmt: skip
    result = {
        "output": [URL, 42, {"n": 1}],
        "data": [{"url": URL, "mime": "image/png"}, {"text": "42"}, {"n": 1}],
    }
    files = answered_files(outputs, result)
    assert [(name, mime) for name, _, mime in files] == [
        ("Result-image.png", "image/png"), ("Seed.json", "application/json"),
        ("Stats.json", "application/json"),
    ]  # fmt: skip
    assert files[0][1] == PNG


def test_a_gallery_is_one_file_per_picture(tmp_path) -> None:
    named = "data:image/png;name=red.png;base64," + base64.b64encode(PNG).decode()
    result = {"output": [named, URL], "data": [{"items": [{"url": named}, {"url": URL}]}]}
    files = answered_files([SimpleNamespace(label="Gallery")], result)
    written = save(tmp_path / "out", files)
    assert [p.name for p, _ in written] == ["1-red.png", "2-Gallery.png"]
    assert all(p.read_bytes() == PNG for p, _ in written)


def test_where_the_files_cannot_go_is_said(tmp_path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x")
    two = [("a.txt", b"a", "text/plain"), ("b.txt", b"b", "text/plain")]
    with pytest.raises(InputError, match="is a file: the answer holds 2; give a folder"):
        save(taken, two)
    with pytest.raises(InputError, match="nothing to save"):
        save(tmp_path / "none", [])
    with pytest.raises(InputError, match="cannot write"):
        save(tmp_path / "missing" / "deeper" / "x.txt", two[:1])
