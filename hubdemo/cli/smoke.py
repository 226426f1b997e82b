"""The CI commands: ``hubdemo smoke`` and ``hubdemo serve --check``, and their printing (the
checks themselves are hubdemo/smoke/)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from ..errors import HubdemoError, UsageError
from ..settings import BackendOptions
from .common import err, fail, out
from .options import takes
from .terminal import labelled, plain

if TYPE_CHECKING:  # imported where used: `hubdemo --help` must not pay for them
    from ..smoke.reports import ModelResult


@takes("smoke", BackendOptions)
def smoke(
    models: list[str] = typer.Argument(..., help="One or more models (any MODEL form)."),
    examples: int = typer.Option(3, "--examples", min=0, help="Examples per model (0: all)."),
    report: list[Path] = typer.Option(
        [], "--report", help="Write a report: FILE.xml (JUnit) or FILE.json (repeatable)."
    ),
    record: Path | None = typer.Option(
        None, "--record", help="Save every Hub and inference exchange in this folder."
    ),
    replay: Path | None = typer.Option(
        None, "--replay", help="Answer every request from this folder: no network, no token."
    ),
    *,
    backend: BackendOptions,
) -> None:
    """Check that each model's demo works: page, examples, outputs against the task's schema."""
    try:
        status = run_smoke(models, examples, report, record, replay, backend)
    except HubdemoError as exc:
        fail(exc)
    raise typer.Exit(status)


def _summary(results: list[ModelResult]) -> Table:
    table = Table("model", "task", "backend", "examples", "time")
    table.add_column("first problem", overflow="ellipsis", no_wrap=True, max_width=60)
    for r in results:
        passed = sum(1 for e in r.examples if e.ok)
        problem = r.problems[:1] or [p for e in r.examples for p in e.problems][:1]
        mark = ("✓ ", "green") if r.ok else ("✗ ", "red")
        table.add_row(
            labelled(*mark, r.model),
            *(
                plain(cell)
                for cell in (
                    r.task or "—",
                    r.backend or "—",
                    f"{passed}/{len(r.examples)}",
                    f"{r.seconds:.2f} s",
                    problem[0] if problem else "",
                )
            ),
        )
    return table


def run_smoke(
    models: list[str],
    examples: int,
    reports: list[Path],
    record: Path | None,
    replay: Path | None,
    backend: BackendOptions,
) -> int:
    """Smoke-test each model; print live progress and a summary; return the exit status."""
    from ..hub import find_token
    from ..smoke.reports import write_report
    from ..smoke.run import smoke_model, transports_for

    for report in reports:
        if report.suffix.lower() not in (".xml", ".json"):
            raise UsageError(f"--report {report}: name a .xml (JUnit) or .json file")
    token = None if replay else find_token(backend.token)
    backend = replace(backend, token=token)
    cassette, hub_transport, http_transport, space_tape = transports_for(
        record, replay, token, models
    )
    results: list[ModelResult] = []
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    )

    async def run_all() -> None:
        overall = progress.add_task("models", total=len(models))
        for model in models:
            progress.update(overall, description=f"{model}: resolving")

            def told(title: str, model: str = model) -> None:
                progress.update(overall, description=f"{model}: {title}")

            result = await smoke_model(
                model,
                backend,
                limit=examples,
                hub_transport=hub_transport,
                http_transport=http_transport,
                progress=told,
                space_tape=space_tape,
            )
            results.append(result)
            for example in result.examples:
                mark = ("✓ ", "green") if example.ok else ("✗ ", "red")
                line = f"{result.model} · {example.title} ({example.seconds:.2f} s)"
                progress.console.print(labelled(*mark, line))
                for problem in example.problems:
                    progress.console.print(plain(f"    {problem}", style="red"))
            for problem in result.problems:
                progress.console.print(labelled("✗ ", "red", f"{result.model}: {problem}"))
            progress.advance(overall)

    with progress:
        asyncio.run(run_all())
    if record and cassette is not None:
        err.print(f"recorded {len(cassette.exchanges)} exchanges in {cassette.save()}")
    out.print(_summary(results))
    for report in reports:
        report.parent.mkdir(parents=True, exist_ok=True)
        write_report(report, results, [token])
        err.print(f"report written to {report}")
    failed = sum(1 for r in results if not r.ok)
    verdict = "[green]all passed[/]" if not failed else f"[red]{failed} failed[/]"
    out.print(f"{len(results) - failed}/{len(results)} models passed: {verdict}")
    return 1 if failed else 0


def shortened(value: Any, limit: int = 120) -> Any:
    """``value`` with long strings (data URLs) cut to ``limit`` characters, saying how long
    they were, and long lists to their first 20 items: still JSON, readable in a terminal."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}… ({len(value)} characters)"
    if isinstance(value, list):
        kept = [shortened(v, limit) for v in value[:20]]
        return [*kept, f"… ({len(value) - 20} more)"] if len(value) > 20 else kept
    if isinstance(value, dict):
        return {k: shortened(v, limit) for k, v in value.items()}
    return value


def run_check(web: Any, model: str) -> int:
    """`serve --check`: the app on a real port, its page, info and one example; 0 when fine."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    from ..smoke.run import check_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"

    async def check() -> tuple[Any, list[str], list[Any]]:
        async with httpx.AsyncClient(base_url=url, timeout=300) as client:
            return await check_app(client, limit=1)

    try:
        _, problems, examples = asyncio.run(check())
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    problems = problems + [p for e in examples for p in e.problems]
    if not problems and examples:
        out.print(
            labelled("✓ ", "green", f"{model}: page, /api/info and “{examples[0].title}” answered")
        )
        out.print_json(json.dumps(shortened(examples[0].output)))
        return 0
    for problem in problems or ["no example ran"]:
        err.print(labelled("error: ", "bold red", f"{model}: {problem}"))
    return 1
