"""``hubdemo predict``: one prediction through the same chain as the server, printed."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from ..errors import HubdemoError, InputError
from ..settings import BackendOptions
from .common import MODEL_ARGUMENT, err, fail, open_backend, report_loading
from .options import takes
from .render import show_all
from .terminal import plain


@takes("predict", BackendOptions)
def predict(
    model: str = MODEL_ARGUMENT,
    inputs: list[str] = typer.Argument(..., help="One value per task input: text or a file path."),
    param: list[str] = typer.Option([], "--param", help="Task parameter name=value (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help='Print {"task": ..., "output": ...}.'),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Save the answer here: generated media as its file (several: into this folder).",
    ),
    *,
    backend: BackendOptions,
) -> None:
    """Run one prediction for MODEL through the same chain as the server."""
    from ..compare.contenders import contender_of
    from ..predictor import Predictor
    from .waiting import status_line

    first = contender_of(model, backend)  # org/name:provider, or --provider p1,p2's first
    with status_line(err, f"Looking up {model}"):  # a Space may take a while to wake
        spec, upstream = open_backend(first.model, first.backend)
    predictor = Predictor(spec, upstream)
    more = leading_models(inputs, predictor.handler.inputs)
    if more or "," in backend.provider:  # `predict A B INPUT…`: every model, side by side
        from .compare import predict_compare

        given = inputs[len(more) :]
        try:
            body = request_body(predictor, given, param)
        except HubdemoError as exc:
            fail(exc)
        predict_compare([model, *more], body, as_json, (first, spec, upstream), backend)
        return
    try:
        body = request_body(predictor, inputs, param)
        report_loading(upstream, err, wait=True)
        # A chat answer is printed as it is written (the terminal's own stream).
        streamed = not as_json and predictor.handler.streams and upstream.can_stream
        import asyncio

        # Until the answer (a streamed one: its first words), a status line on a terminal.
        waiting = status_line(err, f"Waiting for {spec.model_id}")
        result = asyncio.run(_answer(predictor, body, streamed, waiting))
    except HubdemoError as exc:
        fail(exc)
    warnings = result.get("warnings") or []
    if as_json:
        printed = {"task": spec.task, "output": result["output"]}
        print(json.dumps(printed | ({"warnings": warnings} if warnings else {})))
    elif not streamed:
        # Only the kinds: info() would also build examples (and fetch media ones).
        show_all(predictor.handler.outputs, result)
    for warning in warnings:  # a Space's gr.Warning, beside its answer
        err.print(plain(f"warning: {warning}"), style="yellow")
    if output is not None:
        _save(output, predictor.handler.outputs, result)


def request_body(predictor: Any, inputs: list[str], param: list[str]) -> dict[str, Any]:
    """The /api/predict body of the command line's inputs and ``--param name=value``s."""
    from ..inputs import from_command_line
    from ..parameters import named_values

    # Parameters first: `--param top_k 3` says how to write it, not that 3 is one input too many.
    split = (pair.split("=", 1) for pair in param)
    parameters = named_values((p[0], p[1]) if len(p) == 2 else (p[0], None) for p in split)
    fields = predictor.handler.inputs
    data = [
        [from_command_line(v, c) for v in given] if c.multiple else from_command_line(given, c)
        for given, c in zip(grouped(inputs, fields, predictor.spec.task), fields, strict=True)
    ]
    return {"data": data, "parameters": parameters}


def leading_models(inputs: list[str], fields: Sequence[Any]) -> list[str]:
    """The values before the task's inputs when there are more than it takes and each names
    a model (``predict A B INPUT…``); else none."""
    from ..compare.contenders import names_a_model

    extra = len(inputs) - len(fields)
    if extra <= 0 or any(c.multiple for c in fields):
        return []
    lead = inputs[:extra]
    return lead if all(names_a_model(v) for v in lead) else []


def _save(target: Path, outputs: Sequence[Any], result: dict[str, Any]) -> None:
    from .saving import answered_files, save

    try:
        written = save(target, answered_files(outputs, result))
    except HubdemoError as exc:
        fail(exc)
    for path, (_, content, mime) in written:
        err.print(plain(f"saved {mime}, {len(content) / 1024:.1f} KB to {path}"))


async def _answer(
    predictor: Any, body: dict[str, Any], streamed: bool, waiting: Any
) -> dict[str, Any]:
    """The answer to ``body``; a streamed one is written out as it comes. ``waiting``: a
    context shown until the answer (or its first words) arrives."""
    try:
        if not streamed:
            with waiting:
                answer: dict[str, Any] = await predictor.predict(body)
            return answer
        final: dict[str, Any] = {}
        with contextlib.ExitStack() as wait:
            wait.enter_context(waiting)
            async for event in predictor.stream(body):
                wait.close()  # the first words: the wait is over (closing twice is nothing)
                if "delta" in event:
                    sys.stdout.write(event["delta"])
                    sys.stdout.flush()
                else:
                    final = event
        print()
        return final
    finally:
        await predictor.upstream.aclose()


def grouped(inputs: list[str], fields: Sequence[Any], task: str) -> list[Any]:
    """The command line's values, one per input; an input taking several files (a Space's
    gr.File(file_count="multiple")) takes the values left over, in its place."""
    several = [i for i, c in enumerate(fields) if c.multiple]
    extra = len(inputs) - len(fields)
    if len(several) == 1 and extra >= 0:
        at = several[0]
        return [*inputs[:at], inputs[at : at + extra + 1], *inputs[at + extra + 1 :]]
    if extra != 0:
        names = " ".join(f"<{c.name}>" + ("…" if c.multiple else "") for c in fields)
        raise InputError(f"{task} takes {len(fields)} input(s): hubdemo predict MODEL {names}")
    return list(inputs)
