"""The ``hubdemo`` command: argument parsing and printing only."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import HubdemoError, InputError, UsageError
from .terminal import labelled, plain, plain_columns, plain_row

if TYPE_CHECKING:  # imported where used: `hubdemo --help` must not pay for them
    from .resolve import ModelSpec
    from .upstream import Upstream

app = typer.Typer(
    help="Turn any Hugging Face Hub model into a web demo, an HTTP API and a CLI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

MODEL_HELP = (
    "Hub id (org/name), huggingface/org/name, models/org/name, a Hub URL, a saved model's "
    "directory, or module:function (with --task)."
)
TASK_HELP = "Pipeline task to use instead of the model's pipeline_tag."
TOKEN_OPT = typer.Option(
    None, "--token", help="Hub token (default: HF_TOKEN, then `hf auth login`)."
)
ROUTER_OPT = typer.Option(None, "--router", help="Inference router base (default: HUBDEMO_ROUTER).")
ENDPOINT_OPT = typer.Option(
    None, "--endpoint", help="Send every request to this URL (default: HUBDEMO_ENDPOINT)."
)
LOCAL_OPT = typer.Option(
    False, "--local", help="Run the model on this machine (from the HF cache or a directory)."
)
BATCH_OPT = typer.Option(16, "--batch-size", min=1, help="Local backend: largest batch.")
TIMEOUT_OPT = typer.Option(
    120.0,
    "--timeout",
    min=0.1,
    help="Seconds for the upstream's whole answer (a stream: between two events; 10x in all).",
)
HEADER_TIMEOUT_OPT = typer.Option(
    10.0, "--header-timeout", min=0.1, help="Seconds a client has to send a request's head."
)
MAX_CONNECTIONS_OPT = typer.Option(
    2048, "--max-connections", min=1, help="Open connections; past it the slowest is dropped."
)
PROVIDER_OPT = typer.Option(
    None,
    "--provider",
    help="Inference Provider: auto (the first live one the Hub lists) or a name "
    "(default: HUBDEMO_PROVIDER, else auto).",
)
API_NAME_OPT = typer.Option(
    None,
    "--api-name",
    help="A Space's endpoint to serve (default: /predict, else its first named one).",
)
WAIT_OPT = typer.Option(
    2.0, "--batch-wait-ms", min=0.0, help="Local backend: longest wait to fill a batch, in ms."
)


def _build(
    model: str,
    task: str | None,
    token: str | None,
    router: str | None,
    endpoint: str | None,
    *,
    local: bool = False,
    batch_size: int = 16,
    batch_wait_ms: float = 2.0,
    retry_budget: float = 10.0,
    timeout: float | None = None,
    provider: str | None = None,
    api_name: str | None = None,
) -> tuple[ModelSpec, Upstream]:
    from .hub import find_token
    from .predictor import open_model

    return open_model(
        model,
        task=task,
        token=find_token(token),
        router=router,
        endpoint=endpoint,
        local=local,
        batch_size=batch_size,
        batch_wait_ms=batch_wait_ms,
        retry_budget=retry_budget,
        timeout=timeout,
        provider=provider,
        api_name=api_name,
    )


def _answered_by(upstream: Upstream) -> str:
    """ "router", "local", … or, for an Inference Provider, its name."""
    choice = getattr(upstream, "provider_choice", None)
    if upstream.kind == "provider" and choice is not None:
        return f"{choice.provider} (Inference Provider)"
    return upstream.kind


def _report_loading(upstream: Upstream, console: Console, wait: bool) -> None:
    """Show a local model's loading: a spinner until it is ready (``wait``), else a line now
    and a line when it is done (the server answers meanwhile)."""
    start = getattr(upstream, "start", None)
    if start is None:
        return
    loaded = start()
    what = f"Loading {getattr(upstream, 'model_id', 'the model')} on the CPU"
    if wait:
        with console.status(f"{what}…"):
            try:
                loaded.result()
            except HubdemoError as exc:
                _fail(exc)
        return
    console.print(plain(f"{what}… (the page says so until it is ready)"))

    def done(future: Any) -> None:
        error = future.exception()
        if error is None:
            seconds = upstream.load_seconds  # type: ignore[attr-defined]
            console.print(labelled("✓ ", "green", f"model ready in {seconds:.1f} s"))
        else:
            message = getattr(error, "message", str(error))
            console.print(labelled("error: ", "bold red", f"the model did not load: {message}"))

    loaded.add_done_callback(done)


def _fail(exc: HubdemoError) -> None:
    err.print(labelled("error: ", "bold red", exc.message), soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@app.command()
def serve(
    model: str = typer.Argument(..., help=MODEL_HELP),
    task: str | None = typer.Option(None, "--task", help=TASK_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    port: int = typer.Option(7860, "--port", min=1, max=65535, help="Port to bind."),
    token: str | None = TOKEN_OPT,
    router: str | None = ROUTER_OPT,
    endpoint: str | None = ENDPOINT_OPT,
    max_upload_mb: int = typer.Option(20, "--max-upload-mb", help="Largest request body, in MB."),
    local: bool = LOCAL_OPT,
    batch_size: int = BATCH_OPT,
    batch_wait_ms: float = WAIT_OPT,
    check: bool = typer.Option(
        False, "--check", help="Start, fetch the page, run one example, print it, exit 0/1."
    ),
    retry_budget: float = typer.Option(
        10.0, "--retry-budget", min=0, help="Seconds a request may wait out 503 loading / 429."
    ),
    timeout: float = TIMEOUT_OPT,
    concurrency: int = typer.Option(32, "--concurrency", min=1, help="Predictions in flight."),
    max_queue: int = typer.Option(
        256, "--max-queue", min=0, help="Predictions waiting; beyond: 429 with Retry-After."
    ),
    queue_timeout: float = typer.Option(
        30.0, "--queue-timeout", min=0.1, help="Seconds a prediction may wait for its turn."
    ),
    body_timeout: float = typer.Option(
        120.0, "--body-timeout", min=0.1, help="Seconds a request body may take to arrive."
    ),
    body_memory_mb: int = typer.Option(
        160, "--body-memory-mb", min=1, help="MB of request bodies held at once (all clients)."
    ),
    header_timeout: float = HEADER_TIMEOUT_OPT,
    max_connections: int = MAX_CONNECTIONS_OPT,
    auth: str | None = typer.Option(
        None,
        "--auth",
        envvar="HUBDEMO_AUTH",
        help="Require credentials: user:password (HTTP Basic) or a token (Bearer).",
    ),
    cors: list[str] = typer.Option(
        [], "--cors", help="Let this browser origin call the API (repeatable; off by default)."
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Worker processes (each resolves the model itself)."
    ),
    provider: str | None = PROVIDER_OPT,
    api_name: str | None = API_NAME_OPT,
    gradio_api: bool = typer.Option(
        True, "--gradio-api/--no-gradio-api", help="Also speak Gradio's client protocol."
    ),
) -> None:
    """Serve the demo page and the HTTP API for MODEL; Ctrl-C stops."""
    import uvicorn

    from .app import create_app
    from .serving import uvicorn_settings

    try:
        spec, upstream = _build(
            model,
            task,
            token,
            router,
            endpoint,
            local=local,
            batch_size=batch_size,
            batch_wait_ms=batch_wait_ms,
            retry_budget=retry_budget,
            timeout=timeout,
            provider=provider,
            api_name=api_name,
        )
    except HubdemoError as exc:
        _fail(exc)
        return
    web = create_app(
        spec,
        upstream,
        max_upload_mb=max_upload_mb,
        concurrency=concurrency,
        max_queue=max_queue,
        queue_timeout=queue_timeout,
        body_timeout=body_timeout,
        body_memory_mb=body_memory_mb,
        auth=auth,
        cors=cors,
        gradio_api=gradio_api,
    )
    from .security import is_loopback

    if not auth and not is_loopback(host):
        err.print(
            labelled(
                "warning: ",
                "bold yellow",
                f"serving on {host} without --auth: anyone who can reach this machine can use "
                "the demo (and your token's inference quota). Pass --auth user:password, or "
                "bind 127.0.0.1.",
            )
        )
    if check:
        from .cli_smoke import run_check

        raise typer.Exit(run_check(web, spec.model_id))
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    out.print(
        labelled(
            spec.model_id,
            "bold",
            f" · {spec.task} · answered by {_answered_by(upstream)} ({upstream.url_for('')})",
        )
    )
    out.print(plain(f"Demo on http://{shown}:{port}  (API: POST /api/predict)"))
    if workers > 1:
        settings = {  # what hubdemo.asgi:app_from_env reads, in each worker
            "HUBDEMO_MODEL": model,
            "HUBDEMO_TASK": task or "",
            "HUBDEMO_LOCAL": "1" if local else "",
            "HUBDEMO_MAX_UPLOAD_MB": str(max_upload_mb),
            "HUBDEMO_CONCURRENCY": str(concurrency),
            "HUBDEMO_MAX_QUEUE": str(max_queue),
            "HUBDEMO_QUEUE_TIMEOUT": str(queue_timeout),
            "HUBDEMO_BODY_TIMEOUT": str(body_timeout),
            "HUBDEMO_BODY_MEMORY_MB": str(body_memory_mb),
            "HUBDEMO_RETRY_BUDGET": str(retry_budget),
            "HUBDEMO_TIMEOUT": str(timeout),
            "HUBDEMO_AUTH": auth or "",
            "HUBDEMO_CORS": ",".join(cors),
            "HF_TOKEN": token or "",
            "HUBDEMO_ROUTER": router or "",
            "HUBDEMO_ENDPOINT": endpoint or "",
            "HUBDEMO_PROVIDER": provider or "",
            "HUBDEMO_API_NAME": api_name or "",
            "HUBDEMO_GRADIO_API": "1" if gradio_api else "0",
        }
        _serve_workers(spec, workers, host, port, settings, header_timeout, max_connections)
        return
    _report_loading(upstream, out, wait=False)
    sys.stdout.flush()
    uvicorn.run(web, host=host, port=port, **uvicorn_settings(header_timeout, max_connections))


def _serve_workers(
    spec: ModelSpec,
    workers: int,
    host: str,
    port: int,
    settings: dict[str, str],
    header_timeout: float,
    max_connections: int,
) -> None:
    """N processes of hubdemo.asgi:app_from_env, configured through the environment. An empty
    token, router or endpoint is left out: the environment's own then still counts."""
    import os

    from .serving import run_workers, uvicorn_settings

    passed_through = ("HF_TOKEN", "HUBDEMO_ROUTER", "HUBDEMO_ENDPOINT", "HUBDEMO_PROVIDER")
    settings = {k: v for k, v in settings.items() if v or k not in passed_through}
    os.environ.update(settings)
    out.print(plain(f"{workers} worker processes for {spec.model_id}"))
    sys.stdout.flush()
    code = run_workers(
        "hubdemo.asgi:app_from_env",
        workers,
        host,
        port,
        uvicorn_settings(header_timeout, max_connections),
    )
    if code:
        raise typer.Exit(code)


@app.command()
def endpoint(
    model: str = typer.Argument(..., help=MODEL_HELP),
    task: str | None = typer.Option(None, "--task", help=TASK_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to bind."),
    max_upload_mb: int = typer.Option(20, "--max-upload-mb", help="Largest request body, in MB."),
    batch_size: int = BATCH_OPT,
    batch_wait_ms: float = WAIT_OPT,
    header_timeout: float = HEADER_TIMEOUT_OPT,
    max_connections: int = MAX_CONNECTIONS_OPT,
) -> None:
    """Serve a model on this machine over the hf-inference protocol (the router's routes)."""
    import uvicorn

    from .endpoint import create_endpoint_app
    from .serving import uvicorn_settings
    from .upstream.local import LocalUpstream

    try:
        spec, upstream = _build(
            model,
            task,
            None,
            None,
            None,
            local=True,
            batch_size=batch_size,
            batch_wait_ms=batch_wait_ms,
        )
        if not isinstance(upstream, LocalUpstream):
            raise UsageError(f"'{model}' is not a model hubdemo can run on this machine")
    except HubdemoError as exc:
        _fail(exc)
        return
    web = create_endpoint_app(spec, upstream, max_upload_mb=max_upload_mb)
    out.print(labelled(spec.model_id, "bold", f" · {spec.task} · hf-inference protocol"))
    out.print(plain(f"Endpoint on http://{host}:{port}  (POST / or /models/{spec.model_id})"))
    _report_loading(upstream, out, wait=False)
    sys.stdout.flush()
    uvicorn.run(web, host=host, port=port, **uvicorn_settings(header_timeout, max_connections))


@app.command()
def describe(
    model: str = typer.Argument(..., help=MODEL_HELP),
    task: str | None = typer.Option(None, "--task", help=TASK_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    token: str | None = TOKEN_OPT,
    router: str | None = ROUTER_OPT,
    endpoint: str | None = ENDPOINT_OPT,
    local: bool = LOCAL_OPT,
    provider: str | None = PROVIDER_OPT,
    api_name: str | None = API_NAME_OPT,
) -> None:
    """Show what hubdemo would serve for MODEL: task, inputs, outputs, handler chain, examples,
    and the Inference Providers the Hub lists for it (with the one chosen, and why)."""
    try:
        spec, upstream = _build(
            model, task, token, router, endpoint, local=local, provider=provider, api_name=api_name
        )
    except HubdemoError as exc:
        _fail(exc)
        return
    from .predictor import Predictor

    info = Predictor(spec, upstream).info()
    if as_json:
        print(json.dumps(info, indent=2))
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    plain_row(table, "model", info["model"])
    plain_row(table, "task", f"{info['task']} ({info['title']})")
    for key in ("library", "license"):
        plain_row(table, key, str(info[key] or "—"))
    if info["gated"]:
        plain_row(table, "gated", "yes: accept the terms on the model page and pass a token")
    plain_row(table, "inputs", ", ".join(f"{c['name']} ({c['kind']})" for c in info["inputs"]))
    plain_row(table, "outputs", ", ".join(c["kind"] for c in info["outputs"]))
    plain_row(table, "chain", " → ".join(info["chain"].values()))
    plain_row(table, "upstream", f"{info['upstream']['kind']}: {info['upstream']['url']}")
    chosen = info.get("provider")
    if chosen:
        plain_row(table, "provider", f"{chosen['name']} ({chosen['reason']})")
        for entry in chosen["mapping"]:
            mark = "→ " if entry["provider"] == chosen["name"] else "  "
            note = "" if entry["supported"] else ", not supported by hubdemo"
            plain_row(
                table,
                "",
                f"{mark}{entry['provider']}: {entry['provider_id']} ({entry['task']}, "
                f"{entry['status']}{note})",
            )
    space = info.get("space")
    if space:  # every endpoint with its signature; the arrow marks the one served
        for index, (name, found) in enumerate(space["endpoints"].items()):
            mark = "→ " if name == space["api_name"] else "  "
            takes = ", ".join(
                f"{p['parameter_name']}: {p['component']}" for p in found["parameters"]
            )
            gives = ", ".join(r["component"] for r in found["returns"])
            note = "" if found["drawable"] else "  (hubdemo cannot draw it)"
            plain_row(
                table, "" if index else "endpoints", f"{mark}{name}({takes}) -> {gives}{note}"
            )
    plain_row(table, "examples", "\n".join(e["title"] for e in info["examples"]) or "—")
    out.print(table)


def _input_value(text: str, kind: str, field: str, optional: bool = False) -> str:
    """A media input must be a file, sent as a data URL; a text input may be a text file."""
    from .cache import existing_path

    path = existing_path(text) if text else None
    is_file = path is not None and path.is_file()
    if kind in ("image", "audio", "video"):
        from .media import Media, a, sniff

        if optional and not text:
            return ""  # left out on purpose: ""
        if path is None or not is_file:
            raise InputError(f"{field}: no such file '{text}'; give the path of {a(kind)} file")
        data = _read(path, field)
        return Media(data, sniff(data) or "application/octet-stream").data_url()
    if kind == "file":  # any file, sent under its own name
        from .media import file_type, file_url

        if path is None or not is_file:
            raise InputError(f"{field}: no such file '{text}'; give the path of a file")
        data = _read(path, field)
        return file_url(data, file_type(data, path.name), path.name)
    if kind == "table" and path is not None and is_file:  # a CSV file; CSV text works too
        try:
            return _read(path, field).decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                f"{field}: {path} is not UTF-8 text; save the CSV as UTF-8 and try again"
            ) from None
    return text


def _read(path: Path, field: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{field}: cannot read {path} ({exc.strerror or exc}); check it") from None


def _parameters(pairs: list[str]) -> dict[str, Any]:
    from .parameters import named_values

    split = (pair.split("=", 1) for pair in pairs)
    return named_values((p[0], p[1]) if len(p) == 2 else (p[0], None) for p in split)


def _show(kind: str, result: dict[str, Any]) -> None:
    """One prediction, drawn for a terminal by its first output component's kind."""
    shown = result["data"][0]
    if kind in ("labels", "boxes"):
        table = Table("label", "score", "")
        for row in shown[:10]:
            bar = "█" * round(row["score"] * 30)
            extra = f"  {row['box']}" if "box" in row else ""
            plain_row(table, str(row["label"]) + extra, f"{row['score']:.2%}", bar)
        out.print(table)
    elif kind == "text":
        out.print(plain(shown["text"]))
    elif kind == "similarity":
        table = Table("sentence", "similarity", "")
        for row in shown["rows"]:
            plain_row(
                table,
                row["sentence"],
                f"{row['score']:.4f}",
                "█" * round(max(0, row["score"]) * 30),
            )
        out.print(table)
    elif kind in ("image", "audio", "video"):
        out.print(plain(f"{shown['mime']}, {shown['size'] / 1024:.1f} KB"))
        out.print("(--json prints it as a data URL)", style="dim")
    elif kind == "tracks":
        for track in shown:
            size = track["size"] / 1024
            out.print(plain(f"{track['label']}: {track['mime']}, {size:.1f} KB"))
        out.print("(--json prints them as data URLs)", style="dim")
    elif kind == "chat":
        said = shown["messages"][-1].get("content") or ""
        if isinstance(said, list):  # OpenAI's parts: the text of them
            said = "\n".join(p.get("text", "[a picture]") for p in said)
        out.print(plain(said))
    elif kind in ("gallery", "file"):
        for item in shown.get("items") or shown.get("files"):
            about = f"{item['name']}: {item['mime']}, {item['size'] / 1024:.1f} KB"
            out.print(plain(about + (f" · {item['caption']}" if item.get("caption") else "")))
        out.print("(--json prints them as data URLs)", style="dim")
    elif kind == "annotated":
        out.print(plain(f"{shown['image']['mime']}, {shown['image']['size'] / 1024:.1f} KB"))
        out.print(plain("regions: " + ", ".join(s["label"] for s in shown["segments"])))
    elif kind == "rows":
        table = Table(*plain_columns(*shown["table"], shown["column"]))
        for r, prediction in enumerate(shown["values"]):
            plain_row(table, *(cells[r] for cells in shown["table"].values()), str(prediction))
        out.print(table)
    elif kind == "segments":
        table = Table("segment", "score")
        for row in shown:
            score = row["score"]
            plain_row(table, str(row["label"]), f"{score:.2%}" if isinstance(score, float) else "—")
        out.print(table)
    elif kind == "embedding":
        vectors = result["output"]
        head = ", ".join(f"{v:.4f}" for v in vectors[0][:6])
        out.print(f"{len(vectors)} vector(s) of {len(vectors[0])} numbers: [{head}, …]")
        out.print("(--json prints them all)", style="dim")
    elif kind == "answer":
        score = f"  ({shown['score']:.2%})" if isinstance(shown["score"], float) else ""
        out.print(labelled(str(shown["answer"]), "bold", score))
    else:
        out.print_json(json.dumps(result["output"]))


@app.command()
def predict(
    model: str = typer.Argument(..., help=MODEL_HELP),
    inputs: list[str] = typer.Argument(..., help="One value per task input: text or a file path."),
    param: list[str] = typer.Option([], "--param", help="Task parameter name=value (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help='Print {"task": ..., "output": ...}.'),
    task: str | None = typer.Option(None, "--task", help=TASK_HELP),
    token: str | None = TOKEN_OPT,
    router: str | None = ROUTER_OPT,
    endpoint: str | None = ENDPOINT_OPT,
    local: bool = LOCAL_OPT,
    retry_budget: float = typer.Option(
        60.0, "--retry-budget", min=0, help="Seconds to wait out 503 loading / 429."
    ),
    timeout: float = TIMEOUT_OPT,
    provider: str | None = PROVIDER_OPT,
    api_name: str | None = API_NAME_OPT,
) -> None:
    """Run one prediction for MODEL through the same chain as the server."""
    try:
        spec, upstream = _build(
            model,
            task,
            token,
            router,
            endpoint,
            local=local,
            retry_budget=retry_budget,
            timeout=timeout,
            provider=provider,
            api_name=api_name,
        )
        from .predictor import Predictor

        predictor = Predictor(spec, upstream)
        fields = predictor.handler.inputs
        if len(inputs) != len(fields):
            names = " ".join(f"<{c.name}>" for c in fields)
            raise InputError(
                f"{spec.task} takes {len(fields)} input(s): hubdemo predict MODEL {names}"
            )
        data = [_input_value(v, c.kind, c.name, c.optional) for v, c in zip(inputs, fields)]
        body = {"data": data, "parameters": _parameters(param)}
        _report_loading(upstream, err, wait=True)

        # A chat answer is printed as it is written (the terminal's own stream).
        streamed = not as_json and getattr(predictor.handler, "streams", False)
        streamed = streamed and hasattr(upstream, "stream")

        async def run() -> dict[str, Any]:
            try:
                if not streamed:
                    return await predictor.predict(body)
                final: dict[str, Any] = {}
                async for event in predictor.stream(body):
                    if "delta" in event:
                        sys.stdout.write(event["delta"])
                        sys.stdout.flush()
                    else:
                        final = event
                print()
                return final
            finally:
                await upstream.aclose()

        import asyncio

        result = asyncio.run(run())
    except HubdemoError as exc:
        _fail(exc)
        return
    if as_json:
        print(json.dumps({"task": spec.task, "output": result["output"]}))
    elif not streamed:
        # Only the kind: info() would also build examples (and fetch media ones).
        _show(predictor.handler.outputs[0].kind, result)


@app.command()
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
    token: str | None = TOKEN_OPT,
    router: str | None = ROUTER_OPT,
    endpoint: str | None = ENDPOINT_OPT,
    local: bool = LOCAL_OPT,
    provider: str | None = PROVIDER_OPT,
    api_name: str | None = API_NAME_OPT,
) -> None:
    """Check that each model's demo works: page, examples, outputs against the task's schema."""
    from .cli_smoke import run_smoke

    try:
        status = run_smoke(
            models,
            examples,
            report,
            record,
            replay,
            token,
            router,
            endpoint,
            local,
            provider,
            api_name,
        )
    except HubdemoError as exc:
        _fail(exc)
        return
    raise typer.Exit(status)


@app.command()
def tasks(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the supported pipeline tasks, their components and parameters."""
    from .tasks import TASKS, hub_tags
    from .upstream.local import runs_locally

    described = {
        name: {
            **handler.describe(),
            "pipeline_tags": hub_tags(name),
            "runs_locally": runs_locally(name),
        }
        for name, handler in sorted(TASKS.items())
    }
    if as_json:
        print(json.dumps(described, indent=2))
        return
    from rich.table import Column

    table = Table(Column("task", no_wrap=True), "inputs", "output", "params", "--local")
    also = []
    for name, d in described.items():
        inputs = ", ".join(c["kind"] for c in d["inputs"])
        local = "yes" if d["runs_locally"] else ""
        plain_row(table, name, inputs, d["outputs"][0]["kind"], str(len(d["parameters"])), local)
        also += [f"{tag} → {name}" for tag in d["pipeline_tags"] if tag != name]
    out.print(table)
    out.print("Hub tags served by another task: " + "; ".join(also), style="dim")


def version_callback(value: bool) -> None:
    if value:
        print(f"hubdemo {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Print the version."
    ),
) -> None:
    """Turn any Hugging Face Hub model into a web demo, an HTTP API and a CLI."""


def main() -> None:
    """Run the CLI; a usage error (unknown option, value out of range) is one line, exit 2."""
    try:
        status = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        raise SystemExit(130) from None
    except typer.TyperException as exc:
        format_message = getattr(exc, "format_message", None)
        message = format_message() if format_message else str(exc)
        context = getattr(exc, "ctx", None)
        where = context.command_path if context is not None else "hubdemo"
        err.print(
            labelled("error: ", "bold red", f"{message} (see `{where} --help`)"), soft_wrap=True
        )
        raise SystemExit(getattr(exc, "exit_code", 2)) from None
    raise SystemExit(status if isinstance(status, int) else 0)
