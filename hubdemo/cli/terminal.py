"""Printing what others wrote (upstream messages, model outputs, card titles) to a terminal.

Such text is never read as rich markup (a message holding ``[/]`` would crash the print, and
one holding ``[blink]`` would style the terminal) and loses its control characters (an escape
sequence could move the cursor, retitle the window or hide what follows).
"""

from __future__ import annotations

import re

from rich.table import Column, Table
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline


def plain(text: object, style: str = "") -> Text:
    """``text`` exactly as written, as a rich Text (markup-free), control characters removed."""
    return Text(_CONTROL.sub("", str(text)), style=style)


def labelled(label: str, label_style: str, text: object) -> Text:
    """``label`` in ``label_style`` followed by ``text`` as plain text: "error: …", "✓ …"."""
    return Text.assemble((label, label_style), plain(text))


def plain_row(table: Table, *cells: object) -> None:
    """Add a row of plain-text cells (a table cell given as a str would be read as markup)."""
    table.add_row(*(plain(cell) for cell in cells))


def plain_columns(*headers: object) -> list[Column]:
    """Columns whose headers are plain text (column names of a user's or a model's table)."""
    return [Column(header=plain(header)) for header in headers]
