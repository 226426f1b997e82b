"""The ``hubdemo`` command line: argument parsing and printing only; the work is the library's.

One module per command (serve, endpoint, describe, predict, smoke, tasks), their flags made
from the settings (options.py), outputs printed per kind (render.py).
"""

from __future__ import annotations

from . import commands  # noqa: F401 - registers the commands on ``app``
from .app import app, main

__all__ = ["app", "main"]
