"""What the commands share: the two consoles, the one-line error, opening a model's backend,
and reporting a local model's loading."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

from ..errors import HubdemoError, UsageError
from ..settings import MODEL_HELP
from .terminal import labelled, plain

if TYPE_CHECKING:  # imported where used: `hubdemo --help` must not pay for them
    from ..resolve import ModelSpec
    from ..settings import BackendOptions, ServeOptions
    from ..upstream import Upstream

# Printed to a file or a pipe, a line is never wrapped (a URL cut at 80 columns is no URL).
out = Console(soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, soft_wrap=not sys.stderr.isatty())
MODEL_ARGUMENT = typer.Argument(..., help=MODEL_HELP, metavar="MODEL")


def fail(exc: HubdemoError) -> NoReturn:
    """Print ``exc`` as one red line and exit with its code."""
    err.print(labelled("error: ", "bold red", exc.message), soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def check_port(host: str, port: int) -> None:
    """Fail in one line, before anything else, when ``host:port`` cannot be listened on (in
    use, or not an address of this machine): not after the banner, in uvicorn's words."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(UsageError(
                f"cannot listen on {host}:{port} ({exc.strerror}): choose another --port, "
                "or stop what holds this one"
            ))  # fmt: skip


def open_backend(model: str, backend: BackendOptions) -> tuple[ModelSpec, Upstream]:
    """Resolve ``model`` and connect its backend (the saved token found when none is given);
    a failure is the one-line error."""
    from dataclasses import replace

    from ..hub import find_token
    from ..predictor import open_model

    try:
        return open_model(model, replace(backend, token=find_token(backend.token)))
    except HubdemoError as exc:
        fail(exc)


def warn_if_open(serve: ServeOptions) -> None:
    """Warn when the demo is reachable beyond this machine and asks for no password."""
    from ..server.security import is_loopback

    if not serve.auth and not is_loopback(serve.host):
        err.print(
            labelled(
                "warning: ",
                "bold yellow",
                f"serving on {serve.host} without --auth: anyone who can reach this machine can "
                "use the demo (and your token's inference quota). Pass --auth user:password, or "
                "bind 127.0.0.1.",
            )
        )


def space_token_line(sent: bool) -> str:
    """Whether the operator's token goes to the Space, in words."""
    if sent:
        return "Your token is sent to the Space (it is private, or you passed --space-token)."
    return "Your token is not sent to this public Space (pass --space-token to send it)."


def report_loading(upstream: Upstream, console: Console, wait: bool) -> None:
    """Show a local model's download (a progress bar) and loading: until it is ready
    (``wait``), else a line now and a line when it is done (the server answers meanwhile)."""
    download = upstream.download
    display = None
    if download is not None and download.files:
        from .downloads import DownloadDisplay, announce

        announce(download, console)
        display = DownloadDisplay(download, console).start()
    loaded = upstream.start()
    if loaded is None:
        return
    what = f"Loading {upstream.model_id or 'the model'} on the CPU"
    if wait:
        if display is not None:
            _wait_for_download(upstream, display)
        with console.status(f"{what}…"):
            try:
                loaded.result()
            except HubdemoError as exc:
                fail(exc)
        return
    if display is not None:
        what = "Then loading it on the CPU"
    console.print(plain(f"{what}… (the page says so until it is ready)"))

    def done(future: Any) -> None:
        if display is not None:
            display.stop()
        error = future.exception()
        if error is None:
            seconds = upstream.load_seconds or 0.0
            console.print(labelled("✓ ", "green", f"model ready in {seconds:.1f} s"))
        else:
            message = error.message if isinstance(error, HubdemoError) else str(error)
            console.print(labelled("error: ", "bold red", f"the model did not load: {message}"))

    loaded.add_done_callback(done)


def _wait_for_download(upstream: Upstream, display: Any) -> None:
    """Until the files are fetched (the bar and the loading spinner are never drawn together)."""
    import time

    while upstream.state == "downloading":
        time.sleep(0.05)
    display.stop()
