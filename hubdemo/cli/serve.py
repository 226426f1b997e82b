"""``hubdemo serve``: the demo page and the HTTP API for a model, until Ctrl-C."""

from __future__ import annotations

import sys

import typer

from ..errors import UsageError
from ..settings import MODEL_HELP, BackendOptions, ServeOptions
from .common import (
    check_port,
    err,
    fail,
    open_backend,
    out,
    report_loading,
    space_token_line,
    warn_if_open,
)
from .options import takes
from .terminal import labelled, plain


@takes("serve", BackendOptions, ServeOptions)
def serve(
    models: list[str] = typer.Argument(
        ..., help=MODEL_HELP + " Two to four: compare them side by side.", metavar="MODEL..."
    ),
    check: bool = typer.Option(
        False, "--check", help="Start, fetch the page, run one example, print it, exit 0/1."
    ),
    *,
    backend: BackendOptions,
    serve: ServeOptions,
) -> None:
    """Serve the demo page and the HTTP API for MODEL (several: side by side); Ctrl-C stops."""
    if len(models) > 1 or "," in backend.provider:
        from .compare import serve_compare

        serve_compare(models, backend, serve, check)
        return
    from ..compare.contenders import contender_of
    from ..hub import find_token

    if serve.arena:
        fail(UsageError("--arena compares 2 to 4 models: hubdemo serve A B --arena"))
    one = contender_of(models[0], backend)  # org/name:provider: that provider
    model, backend = one.model, one.backend
    from ..server.serving import serve_until_stopped
    from ..web.app import create_app

    if not check:  # --check serves no port
        check_port(serve.host, serve.port)
    spec, upstream = open_backend(model, backend)
    web = create_app(spec, upstream, serve)
    warn_if_open(serve)
    if spec.gated and not find_token(backend.token) and not backend.local:
        err.print(
            labelled(
                "warning: ",
                "bold yellow",
                f"{spec.model_id} is gated and no token is set: the router refuses it until you "
                f"accept its terms at {spec.hub_url} and pass a token of that account with "
                "--token or HF_TOKEN (or run `hf auth login`).",
            )
        )
    if check:
        from .smoke import run_check

        raise typer.Exit(run_check(web, spec.model_id))
    shown = "localhost" if serve.host in ("127.0.0.1", "0.0.0.0") else serve.host
    out.print(
        labelled(
            spec.model_id,
            "bold",
            f" · {spec.task} · answered by {upstream.answered_by()} ({upstream.url_for('')})",
        )
    )
    if spec.space is not None and backend.token:
        out.print(plain(space_token_line(spec.space.token is not None)))
    out.print(plain(f"Demo on http://{shown}:{serve.port}  (API: POST /api/predict)"))
    if serve.workers > 1:
        _serve_workers(model, spec.model_id, backend, serve)
        return
    report_loading(upstream, out, wait=False)
    sys.stdout.flush()
    serve_until_stopped(web, serve)


def _serve_workers(model: str, model_id: str, backend: BackendOptions, serve: ServeOptions) -> None:
    """N processes of hubdemo.web.asgi:app_from_env, configured through the environment; their
    Gradio sessions in --state's Redis, else in a private redis-server when there is one."""
    import contextlib
    import dataclasses
    import os

    from ..server.serving import run_workers
    from ..state import NO_STATE
    from ..state.private import private_redis

    with contextlib.ExitStack() as stack:
        if not serve.state:  # Gradio's clients and Space visitors keep sessions
            url = stack.enter_context(private_redis())
            if url is None:
                out.print(plain(f"Note: {NO_STATE}.", style="yellow"))
            else:
                out.print(
                    plain(
                        "Gradio's client sessions: in a private redis-server, shared by the workers"
                    )
                )
                serve = dataclasses.replace(serve, state=url)
        os.environ.update({"HUBDEMO_MODEL": model, **backend.to_env(), **serve.to_env()})
        out.print(plain(f"{serve.workers} worker processes for {model_id}"))
        sys.stdout.flush()
        code = run_workers("hubdemo.web.asgi:app_from_env", serve)
    if code:
        raise typer.Exit(code)
