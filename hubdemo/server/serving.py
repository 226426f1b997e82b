"""Running an app under uvicorn with the limits a server left running needs.

uvicorn bounds idle keep-alive connections but not a client that sends its request slowly: one
header line every few seconds holds a connection (and a file descriptor) for ever, and a
thousand such clients make the server unreachable. ``GuardedProtocol`` gives each request's
head ``header_timeout`` seconds to arrive, and keeps at most ``max_connections`` open: past
that, the connection that has waited longest for its head is dropped to make room. (A slow
body is the app's to bound: see bodies.read_body.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import sys
from typing import Any, NoReturn

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..settings import ServeOptions
from .memory import map_large_buffers

log = logging.getLogger("hubdemo")
GRACE = 1.0  # seconds answers still being sent get after Ctrl-C


class GuardedProtocol(HttpToolsProtocol):
    # uvicorn takes a class, not an instance: the limits are the class's (see configure).
    header_timeout = ServeOptions.header_timeout
    max_connections = ServeOptions.max_connections
    # Connections whose request head has not arrived yet, oldest first (dicts keep order).
    _awaiting_head: dict[GuardedProtocol, None] = {}  # noqa: RUF012 - shared on purpose

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    @classmethod
    def configure(cls, header_timeout: float, max_connections: int) -> None:
        """Set the limits of this process's connections (each worker sets its own)."""
        cls.header_timeout, cls.max_connections = header_timeout, max_connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            victim = next(iter(self._awaiting_head), None) or self
            log.warning("over %d connections: dropped the slowest to send", self.max_connections)
            victim._drop()
            if victim is self:
                return
        self._await_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:  # the next request on a kept-alive connection
            self._await_head()

    def on_headers_complete(self) -> None:
        self._head_arrived()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._awaiting_head[self] = None
        self._head_timer = self.loop.call_later(self.header_timeout, self._drop)

    def _head_arrived(self) -> None:
        self._awaiting_head.pop(self, None)
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _drop(self) -> None:
        self._head_arrived()
        if not self.transport.is_closing():
            self.transport.close()


def raise_open_file_limit() -> None:
    """Let this process hold as many sockets as the system allows it (the soft limit is often
    1,024, below what a busy server needs; the hard limit is the system's word)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = 65536 if hard == resource.RLIM_INFINITY else hard
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))


def uvicorn_settings(options: ServeOptions) -> dict[str, Any]:
    """What `hubdemo serve` and `hubdemo endpoint` pass to uvicorn.run."""
    raise_open_file_limit()
    map_large_buffers()
    # The event loop asks for the interpreter back after 1 ms instead of 5 while a body is
    # parsed in another thread: /healthz and small requests wait less behind big uploads.
    sys.setswitchinterval(0.001)
    GuardedProtocol.configure(options.header_timeout, options.max_connections)
    return {
        "http": GuardedProtocol,
        "timeout_keep_alive": 5,
        # Ctrl-C: answers still being sent get this long, then the server stops (a stream a
        # Space holds open for ever would hold it for ever).
        "timeout_graceful_shutdown": GRACE,
        "log_level": "warning",
    }


def serve_until_stopped(app: Any, options: ServeOptions) -> NoReturn:
    """uvicorn.run until Ctrl-C (SIGINT or SIGTERM), then ``leave``."""
    import uvicorn

    uvicorn.run(app, host=options.host, port=options.port, **uvicorn_settings(options))
    leave(0)


def leave(code: int) -> NoReturn:
    """Exit now that the server has stopped: a thread an upstream left waiting (gradio_client
    reading a Space's stream that never ends) must not hold the process past Ctrl-C, and the
    interpreter would wait for it at exit."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_workers(app: str, options: ServeOptions) -> int:
    """``options.workers`` uvicorn processes serving ``app`` (an import path to a factory),
    each on its own listening socket bound with SO_REUSEPORT, so that the kernel spreads new
    connections evenly over them. uvicorn's own --workers share one socket, and whichever
    process wakes first takes the connection: kept-alive clients piled onto one worker (2
    workers served 1.06-1.35x one). Returns the exit code (a worker that could not start
    makes it nonzero)."""
    import multiprocessing
    import signal
    import socket

    host, port, workers = options.host, options.port, options.workers
    if not hasattr(socket, "SO_REUSEPORT"):  # not on this platform: uvicorn's way
        import uvicorn

        settings = uvicorn_settings(options)
        uvicorn.run(app, factory=True, host=host, port=port, workers=workers, **settings)
        return 0
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_worker, args=(app, options)) for _ in range(workers)]
    for process in processes:
        process.start()

    def stop(signum: int, frame: object) -> None:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGINT)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for process in processes:
        process.join()
    return max((process.exitcode or 0) for process in processes)


def _worker(app: str, options: ServeOptions) -> None:
    import socket

    import uvicorn

    host, port = options.host, options.port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port} ({exc.strerror}); choose another --port")
        raise SystemExit(1) from None
    sock.listen(2048)
    config = uvicorn.Config(app, factory=True, **uvicorn_settings(options))
    uvicorn.Server(config).run(sockets=[sock])
    leave(0)
