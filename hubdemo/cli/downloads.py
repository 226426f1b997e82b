"""A model's download on the terminal: what was chosen and why, then one progress bar (bytes,
speed, time left) with each file listed as it finishes; to a file or a pipe, a line per file."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.console import Console

from .terminal import labelled, plain

if TYPE_CHECKING:
    from ..download.fetch import Plan
    from ..download.progress import DownloadProgress


def choice_lines(found: Plan) -> list[str]:
    """What a download of ``found`` fetches, and what it leaves out and why."""
    from ..download.fetch import human

    choice = found.choice
    at = f"{found.revision} (commit {found.commit[:7]})"
    lines = [
        f"{found.model_id} @ {at}: {len(choice.files)} files, {human(choice.size)} "
        f"({choice.weights} weights, configs and tokenizer files) of the repository's "
        f"{human(found.repo_size)}"
    ]
    if choice.skipped:
        left = ", ".join(f"{fmt} {human(size)}" for fmt, size in sorted(choice.skipped.items()))
        lines.append(f"left out: {left} (the local backend loads one weight format)")
    if not found.missing:
        lines.append("already in the cache: nothing to download")
    elif len(found.missing) < len(choice.files):
        cached = human(choice.size - found.needed)
        lines.append(f"{cached} already in the cache; {human(found.needed)} to download")
    return lines


class DownloadDisplay:
    """Shows ``progress`` on ``console`` from ``start()`` until ``stop()``."""

    def __init__(self, progress: DownloadProgress, console: Console) -> None:
        self.progress = progress
        self.console = console
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        progress.on_file(self._file_done)

    def _file_done(self, path: str, size: int) -> None:
        from ..download.fetch import human

        self.console.print(labelled("  ✓ ", "green", f"{path} ({human(size)})"))

    def start(self) -> DownloadDisplay:
        if not self.console.is_terminal:
            return self
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        bar = Progress(
            TextColumn("Downloading"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
        )
        task = bar.add_task("download", total=self.progress.total or None)
        bar.start()

        def follow() -> None:
            while not self._stopped.wait(0.1) and self.progress.finished is None:
                bar.update(task, completed=min(self.progress.done, self.progress.total))
            bar.update(task, completed=min(self.progress.done, self.progress.total))
            bar.stop()

        self._thread = threading.Thread(target=follow, name="hubdemo-progress", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=2)


def announce(progress: DownloadProgress, console: Console) -> None:
    """The line serve, endpoint and predict print before they download."""
    from ..download.fetch import human

    console.print(
        plain(
            f"Downloading {progress.model_id}: {human(progress.total)} in {progress.files} "
            "files (one weight format only; the cache keeps them for the next start)"
        )
    )
