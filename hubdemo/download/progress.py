"""A download's progress, shared by the threads that fetch and the ones that show it.

huggingface_hub reports each file's bytes through a tqdm-like class it is given
(``tqdm_class``); ``bar_class`` makes one that adds them here instead of drawing a bar, so
the terminal (cli/progress.py) and the page (/healthz) show one total for every file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class DownloadProgress:
    """Bytes and files of one model's download; every method may be called from any thread."""

    def __init__(self, model_id: str, total: int, files: int, already: int = 0) -> None:
        self.model_id = model_id
        self.total = total  # bytes of the chosen files not yet in the cache
        self.files = files
        self.already = already  # bytes of the chosen files found in the cache
        self.done = 0
        self.files_done = 0
        self.started = time.monotonic()
        self.finished: float | None = None
        self._lock = threading.Lock()
        self._listeners: list[Callable[[str, int], None]] = []

    def on_file(self, listener: Callable[[str, int], None]) -> None:
        """Call ``listener(path, size)`` as each file completes."""
        self._listeners.append(listener)

    def add(self, count: int) -> None:
        with self._lock:
            self.done = max(0, self.done + count)

    def file_done(self, path: str, size: int) -> None:
        with self._lock:
            self.files_done += 1
        for listener in self._listeners:
            listener(path, size)

    def finish(self) -> None:
        self.finished = time.monotonic()

    def as_dict(self) -> dict[str, Any]:
        """For /healthz: what the page draws its bar from."""
        done = min(self.done, self.total)
        elapsed = (self.finished or time.monotonic()) - self.started
        return {
            "model": self.model_id,
            "bytes": done,
            "total": self.total,
            "files": self.files_done,
            "of_files": self.files,
            "seconds": round(elapsed, 1),
        }


def bar_class(progress: DownloadProgress) -> type:
    """A class huggingface_hub takes as ``tqdm_class``: it counts into ``progress``."""

    class CountingBar:
        def __init__(self, *args: Any, initial: int = 0, **kwargs: Any) -> None:
            if initial:  # bytes of an earlier attempt kept on disk: already fetched
                progress.add(int(initial))

        def __enter__(self) -> CountingBar:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def update(self, n: float | None = 1) -> None:
            progress.add(int(n or 0))

        def close(self) -> None:
            return None

        def set_description(self, *args: Any, **kwargs: Any) -> None:
            return None

        def set_postfix_str(self, *args: Any, **kwargs: Any) -> None:
            return None

        def refresh(self, *args: Any, **kwargs: Any) -> None:
            return None

    return CountingBar
