"""`hubdemo smoke` and `serve --check`: prove that a model's demo works, example by example.

For each model: resolve it, build its app in process, fetch the page and ``/api/info``, run each
example through ``POST /api/predict`` (preprocess → backend → deserialize → postprocess), check
the output against the task's output.json and that it means something (labels with scores in
[0, 1], boxes inside the image, text that is not empty, media that decodes). Printing is the
CLI's business; this module returns results and writes the JUnit XML and JSON reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from ..cassette import Cassette
from ..errors import HubdemoError, UsageError
from ..schemas import output_errors, schema_errors
from ..settings import BackendOptions
from ..spaces.tape import SpaceTape
from ..tasks import get_task
from .checks import meaning_problems
from .reports import ExampleResult, ModelResult
from .samples import examples_of

Progress = Callable[[str], None]  # told the title of each example as it starts


async def check_app(
    client: httpx.AsyncClient, limit: int, progress: Progress | None = None
) -> tuple[dict[str, Any] | None, list[str], list[ExampleResult]]:
    """Fetch the page and the info, then run the examples. ``client`` is bound to the app
    (in process for smoke, a real port for ``serve --check``)."""
    page = await client.get("/")
    if page.status_code != 200 or 'id="hubdemo-info"' not in page.text:
        return None, [f"GET / answered {page.status_code} without the demo page"], []
    answer = await client.get("/api/info")
    if answer.status_code != 200:
        return None, [f"GET /api/info answered {answer.status_code}"], []
    info: dict[str, Any] = answer.json()
    examples = examples_of(info, limit)
    if not examples:
        problem = (
            "no example to run: add gr.Examples to the Space's endpoint, or pick one with "
            "--api-name whose inputs are one text, image, sound or file"
            if info.get("space")
            else "no example to run: add `widget:` examples to the model card, or use a task "
            "that has default examples"
        )
        return info, [problem], []
    check = await _output_check(client, info)
    kind = info["outputs"][0]["kind"]
    results = []
    for example in examples:
        if progress:
            progress(example["title"])
        started = time.perf_counter()
        body = {"data": example["data"], "parameters": example.get("parameters") or {}}
        response = await client.post("/api/predict", json=body)
        seconds = time.perf_counter() - started
        result = ExampleResult(example["title"], ok=False, seconds=seconds)
        try:
            payload = response.json()
        except ValueError:
            payload = {"error": response.text[:200]}
        if response.status_code != 200:
            error = payload.get("error", "") if isinstance(payload, dict) else ""
            result.problems.append(f"POST /api/predict answered {response.status_code}: {error}")
        else:
            result.output = payload["output"]
            broken = check(result.output)
            result.problems += broken[:3]
            if not broken:
                result.problems += meaning_problems(
                    info["task"], kind, result.output, example["data"]
                )
        result.ok = not result.problems
        results.append(result)
    return info, [], results


async def _output_check(
    client: httpx.AsyncClient, info: dict[str, Any]
) -> Callable[[Any], list[str]]:
    """What an output must validate against: the Hub's output.json of the task, or for a
    Space (no Hub task) the output schema its /openapi.json gives."""
    if info["task"] != "space":
        spec_folder = get_task(info["task"]).spec
        return lambda output: [
            f"breaks {spec_folder}/output.json at {e}" for e in output_errors(spec_folder, output)
        ]
    document = (await client.get("/openapi.json")).json()
    answer = document["paths"]["/api/predict"]["post"]["responses"]["200"]["content"]
    schema = answer["application/json"]["schema"]["properties"]["output"]
    return lambda output: [
        f"breaks /openapi.json's output at {e}" for e in schema_errors(schema, output)
    ]


async def smoke_model(
    model: str,
    backend: BackendOptions,
    *,
    limit: int,
    hub_transport: httpx.BaseTransport | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
    progress: Progress | None = None,
    space_tape: SpaceTape | None = None,
) -> ModelResult:
    """Resolve ``model``, build its app in process and check it (see check_app).
    ``space_tape`` keeps or replays a Space's calls (see hubdemo/spaces/tape.py)."""
    from ..hub import new_hub_client
    from ..predictor import open_model
    from ..upstream import Upstream
    from ..web.app import create_app

    started = time.perf_counter()
    result = ModelResult(model)
    upstream: Upstream | None = None
    try:
        spec, upstream = open_model(
            model,
            backend,
            hub_client=new_hub_client(hub_transport),
            http_transport=http_transport,
            space_tape=space_tape,
        )
        result.model, result.task = spec.model_id, spec.task
        result.backend = upstream.kind
        transport = httpx.ASGITransport(app=create_app(spec, upstream))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            _, result.problems, result.examples = await check_app(client, limit, progress)
    except HubdemoError as exc:
        result.problems.append(exc.message)
    finally:
        if upstream is not None:
            await upstream.aclose()
    result.seconds = time.perf_counter() - started
    return result


def transports_for(
    record: Path | None, replay: Path | None, token: str | None, models: list[str]
) -> tuple[Cassette | None, Any, Any, SpaceTape | None]:
    """The cassette of ``--record`` or ``--replay`` (None for neither), the Hub's and the
    upstreams' transports through it, and a Space tape when a model is a Space."""
    from ..cassette import AsyncRecordingTransport, RecordingTransport, ReplayTransport
    from ..spaces.connect import space_ref

    if record and replay:
        raise UsageError("--record and --replay exclude each other: record once, then replay")
    if record:
        cassette = Cassette(record, secrets=[token])
        hub: Any = RecordingTransport(cassette)
        http: Any = AsyncRecordingTransport(cassette)
    elif replay:
        cassette = Cassette.load(replay)
        hub = http = ReplayTransport(cassette)
    else:
        return None, None, None, None
    tape = None
    if any(space_ref(m) is not None for m in models):
        tape = SpaceTape(cassette, replaying=replay is not None)
    return cassette, hub, http, tape
