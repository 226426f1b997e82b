"""``hubdemo serve A B`` and ``--provider p1,p2``: a compare demo (hubdemo/compare/)."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import typer

from ..errors import HubdemoError, UsageError
from .common import err, fail, out, report_loading, warn_if_open
from .terminal import labelled, plain

if TYPE_CHECKING:
    from ..compare import Contender, Opened
    from ..resolve import ModelSpec
    from ..settings import BackendOptions, ServeOptions
    from ..upstream import Upstream


def open_contenders(models: list[str], backend: BackendOptions) -> list[Opened]:
    """The compared models resolved and connected (the saved token found when none is
    given); a failure is the one-line error."""
    from ..compare import contenders_of, open_all
    from ..hub import find_token
    from ..predictor import open_model

    backend = replace(backend, token=find_token(backend.token))
    try:
        return open_all(contenders_of(models, backend), open_model)
    except HubdemoError as exc:
        fail(exc)


def serve_compare(
    models: list[str], backend: BackendOptions, serve: ServeOptions, check: bool
) -> None:
    from ..server.serving import serve_until_stopped
    from ..web.compare import create_compare_app
    from .common import check_port

    if serve.arena:
        from ..compare.leaderboard import leaderboard

        try:
            leaderboard([{"models": ["a", "b"], "winner": "A"}])  # choix is there, or say so
        except HubdemoError as exc:
            fail(exc)
    if check or serve.workers > 1:
        flag = "--check" if check else "--workers"
        fail(UsageError(f"{flag} takes one model; a compare demo runs in one process"))
    check_port(serve.host, serve.port)
    opened = open_contenders(models, backend)
    web = create_compare_app(opened, serve)
    for each in opened:
        upstream = each.predictor.upstream
        out.print(
            labelled(each.name, "bold", f" · answered by {upstream.answered_by()} "
                     f"({upstream.url_for('')})")
        )  # fmt: skip
    shown = "localhost" if serve.host in ("127.0.0.1", "0.0.0.0") else serve.host
    task = opened[0].predictor.spec.task
    out.print(
        plain(
            f"Compare demo ({task}, {len(opened)} models) on http://{shown}:{serve.port}  "
            "(API: POST /api/compare, POST /api/predict?model=NAME)"
        )
    )
    warn_if_open(serve)
    if serve.arena:
        out.print(
            plain(f"Arena: two models per round, names hidden; votes appended to {serve.votes}")
        )
    for each in opened:
        report_loading(each.predictor.upstream, out, wait=False)
    sys.stdout.flush()
    serve_until_stopped(web, serve)


def predict_compare(
    models: list[str],
    body: dict[str, Any],
    as_json: bool,
    first: tuple[Contender, ModelSpec, Upstream],
    backend: BackendOptions,
) -> None:
    """``predict A B INPUT…``: ``body`` asked of every model at once, printed side by side (or
    /api/compare's JSON); exit 1 when any model failed. ``first``: the model already opened
    (to learn the task's inputs), reused rather than looked up again."""
    import asyncio
    import json

    from ..compare import Comparison, contenders_of, open_all
    from ..hub import find_token
    from ..predictor import open_model
    from .sidebyside import show_compared
    from .waiting import status_line

    backend = replace(backend, token=find_token(backend.token))
    opened_first, spec, upstream = first

    def opener(model: str, options: BackendOptions) -> tuple[ModelSpec, Upstream]:
        if (model, options.provider) == (opened_first.model, opened_first.backend.provider):
            return spec, upstream
        return open_model(model, options)

    try:
        opened = open_all(contenders_of(models, backend), opener)
    except HubdemoError as exc:
        fail(exc)
    for each in opened:
        report_loading(each.predictor.upstream, err, wait=True)
    comparison = Comparison(opened)

    async def ask() -> dict[str, Any]:
        try:
            return await comparison.predict(body)
        finally:
            for each in opened:
                await each.predictor.upstream.aclose()

    with status_line(err, f"Waiting for {len(opened)} models"):
        compared = asyncio.run(ask())
    if as_json:
        print(json.dumps({"task": opened[0].predictor.spec.task, **compared}))
    else:
        show_compared(opened[0].predictor.handler.outputs, compared)
    if any("error" in r for r in compared["results"]):
        raise typer.Exit(1)
