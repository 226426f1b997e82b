"""A status line on the terminal while the CLI waits: what it waits for, the seconds so far,
and what the backend says meanwhile (a model loading and the retry to come, a Space waking).

Only on a terminal (stderr): printed to a file or a pipe, a wait leaves no trace. The backend's
words come from the "hubdemo" logger, where the HTTP client says each retry and the Space
connection each look at a waking Space.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.text import Text

from .terminal import plain


class _Said(logging.Handler):
    """Keeps the last INFO-or-above line the backend logged while the wait lasts."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.last = record.getMessage()


@contextmanager
def status_line(console: Console, what: str) -> Iterator[None]:
    """``what`` with the elapsed seconds and the backend's latest word, until the block ends."""
    if not console.is_terminal:
        yield
        return
    logger = logging.getLogger("hubdemo")
    said, level = _Said(), logger.level
    logger.addHandler(said)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    started = time.monotonic()
    done = threading.Event()
    with console.status(plain(f"{what}…")) as status:

        def tick() -> None:
            while not done.wait(0.2):
                line = Text.assemble(plain(f"{what}… {time.monotonic() - started:.0f} s"))
                if said.last:
                    line.append_text(plain(f" · {said.last}", style="yellow"))
                status.update(line)

        ticker = threading.Thread(target=tick, name="hubdemo-status", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join(timeout=1)
            logger.removeHandler(said)
            logger.setLevel(level)
