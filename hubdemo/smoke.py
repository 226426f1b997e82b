"""`hubdemo smoke` and `serve --check`: prove that a model's demo works, example by example.

For each model: resolve it, build its app in process, fetch the page and ``/api/info``, run each
example through ``POST /api/predict`` (preprocess → backend → deserialize → postprocess), check
the output against the task's output.json and that it means something (labels with scores in
[0, 1], boxes inside the image, text that is not empty, media that decodes). Printing is the
CLI's business; this module returns results and writes the JUnit XML and JSON reports.
"""

from __future__ import annotations

import base64
import io
import math
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .errors import HubdemoError
from .media import sniff_as
from .schemas import output_errors, schema_errors
from .tasks import get_task

Progress = Callable[[str], None]  # told the title of each example as it starts
EPSILON = 1e-6


@dataclass
class ExampleResult:
    title: str
    ok: bool
    seconds: float
    problems: list[str] = field(default_factory=list)
    output: Any = None


@dataclass
class ModelResult:
    model: str
    task: str | None = None
    backend: str | None = None
    problems: list[str] = field(default_factory=list)  # before any example: resolve, page
    examples: list[ExampleResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.examples) and all(e.ok for e in self.examples)


# -- built-in samples for media tasks whose card has no example ------------------------------


def sample_image() -> str:
    """A 96x64 PNG (a red disc and a blue bar on white), as a data URL."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 64), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 48, 48), fill=(200, 30, 30))
    draw.rectangle((56, 20, 90, 44), fill=(30, 60, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def sample_audio() -> str:
    """One second of a 440 Hz tone, 16 kHz mono WAV, as a data URL."""
    import struct
    import wave

    rate = 16000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(rate)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode()


SAMPLE_TEXT = "The quick brown fox jumps over the lazy dog."


def sample_file() -> str:
    """A small text file under its name (a Space's File input), as a data URL."""
    from .media import file_url

    return file_url(f"{SAMPLE_TEXT}\n".encode(), "text/plain", "sample.txt")


def examples_of(info: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """The page's examples (card, else the Hub defaults), else a built-in sample for tasks
    with one image, one sound, one file or one text as input."""
    examples: list[dict[str, Any]] = list(info.get("examples") or [])
    kinds = [c["kind"] for c in info["inputs"]]
    if (
        not examples
        and len(kinds) == 1
        and kinds[0] in ("image", "audio", "file", "text", "textarea", "chat")
    ):
        samples = {"image": sample_image, "audio": sample_audio, "file": sample_file}
        sample = samples[kinds[0]]() if kinds[0] in samples else SAMPLE_TEXT
        examples = [{"title": f"built-in sample {kinds[0]}", "data": [sample]}]
    elif not examples and kinds in (["image", "text"], ["image", "labels"]):
        second = "What is in the picture?" if kinds[1] == "text" else "disc, bar, triangle"
        examples = [{"title": "built-in sample image", "data": [sample_image(), second]}]
    return examples[:limit] if limit > 0 else examples


# -- what an output must mean ------------------------------------------------------------


def _score(value: Any, where: str, low: float = 0.0) -> list[str]:
    if not isinstance(value, (int, float)) or math.isnan(value):
        return [f"{where}: the score is not a number ({value!r})"]
    if not low - EPSILON <= value <= 1 + EPSILON:
        return [f"{where}: the score {value} is outside [{low:g}, 1]"]
    return []


def _media_problems(value: Any, where: str = "output") -> list[str]:
    """Every data URL in the output must hold a file of the kind it says."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _media_problems(v, f"{where}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _media_problems(v, f"{where}/{i}")]
    if not (isinstance(value, str) and value.startswith("data:") and ";base64," in value):
        return []
    declared = value[5:].split(";", 1)[0].split(",", 1)[0]
    try:
        data = base64.b64decode(value.split(",", 1)[1], validate=True)
    except ValueError:
        return [f"{where}: the data URL is not valid base64"]
    if declared.startswith("image/"):
        from PIL import Image

        try:
            Image.open(io.BytesIO(data)).load()
        except Exception as exc:
            return [f"{where}: the image does not decode ({exc})"]
    elif declared.startswith(("audio/", "video/")):
        family = declared.split("/")[0]
        if not (sniff_as(data, family) or "").startswith(family + "/"):
            return [f"{where}: the {family} is not a {family} file hubdemo recognises"]
    return []


def _image_size(data_url: str) -> tuple[int, int] | None:
    from PIL import Image

    try:
        raw = base64.b64decode(data_url.split(",", 1)[1])
        size: tuple[int, int] = Image.open(io.BytesIO(raw)).size
        return size
    except Exception:
        return None


def meaning_problems(task: str, kind: str, output: Any, data: list[Any]) -> list[str]:
    """Beyond the schema: what a person would call a broken answer."""
    problems = _media_problems(output)
    items = output if isinstance(output, list) else [output]
    if kind in ("labels", "answer") and not items:
        problems.append("the answer is empty: no labels")
    for i, item in enumerate(items):
        where = f"output/{i}"
        if not isinstance(item, dict):
            continue
        if "score" in item:
            problems += _score(item["score"], where)
        if kind == "labels" and task != "fill-mask" and not str(item.get("label", "")).strip():
            problems.append(f"{where}: the label is empty")
        if task == "zero-shot-classification" and len(data) > 1:
            asked = {label.strip() for label in str(data[1]).split(",")}
            if item.get("label") not in asked:
                problems.append(f"{where}: '{item.get('label')}' is not one of the labels asked")
        if kind == "answer":
            answer, context = item.get("answer"), data[-1] if data else None
            if not str(answer or "").strip():
                problems.append(f"{where}: the answer is empty")
            start, end = item.get("start"), item.get("end")
            spans = isinstance(start, int) and isinstance(end, int)
            if isinstance(context, str) and spans and context[start:end] != answer:
                problems.append(f"{where}: start/end do not point at the answer in its context")
        if kind == "boxes" and data and isinstance(item.get("box"), dict):
            size = _image_size(str(data[0]))
            box = item["box"]
            if size and not (
                0 <= box["xmin"] <= box["xmax"] <= size[0] + 1
                and 0 <= box["ymin"] <= box["ymax"] <= size[1] + 1
            ):
                problems.append(
                    f"{where}: the box {box} lies outside the {size[0]}×{size[1]} image"
                )
    if kind == "text":  # a task's {"generated_text": ...}, or a Space's plain text
        first = items[0] if items else ""
        text = (
            next((v for v in first.values() if isinstance(v, str)), "")
            if isinstance(first, dict)
            else str(first)
        )
        if not text.strip():
            problems.append("the generated text is empty")
    if kind == "embedding":
        numbers = [v for row in output for v in row] if output else []
        if not numbers or not all(
            isinstance(v, (int, float)) and math.isfinite(v) for v in numbers
        ):
            problems.append("the embedding is empty or has non-finite numbers")
    if kind == "similarity":
        expected = len([s for s in str(data[1]).splitlines() if s.strip()]) if len(data) > 1 else 0
        if expected and len(output) != expected:
            problems.append(f"{len(output)} scores for {expected} sentences")
        for i, value in enumerate(output):
            problems += _score(value, f"output/{i}", low=-1.0)
    return problems


# -- one app, checked over HTTP ------------------------------------------------------------


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


# -- reports -------------------------------------------------------------------------------


def junit_xml(results: list[ModelResult]) -> str:
    """One <testsuite> per model, one <testcase> per example (plus "resolve and page" when
    the model failed before its examples)."""
    root = ET.Element("testsuites", name="hubdemo smoke")
    total = failures = 0
    for model in results:
        suite = ET.SubElement(root, "testsuite", name=model.model)
        cases: list[tuple[str, float, list[str]]] = []
        if model.problems:
            cases.append(("resolve and page", model.seconds, model.problems))
        cases += [(f"example: {e.title}", e.seconds, e.problems) for e in model.examples]
        for name, seconds, problems in cases:
            case = ET.SubElement(
                suite, "testcase", classname=model.model, name=name, time=f"{seconds:.3f}"
            )
            if problems:
                failure = ET.SubElement(case, "failure", message=problems[0])
                failure.text = "\n".join(problems)
        broken = sum(1 for _, _, p in cases if p)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(broken))
        suite.set("errors", "0")
        suite.set("time", f"{model.seconds:.3f}")
        total, failures = total + len(cases), failures + broken
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def json_report(results: list[ModelResult]) -> dict[str, Any]:
    models = []
    for model in results:
        entry = asdict(model)
        entry["ok"] = model.ok
        models.append(entry)
    passed = sum(1 for m in results if m.ok)
    return {"passed": passed, "failed": len(results) - passed, "models": models}


def write_report(path: Path, results: list[ModelResult], secrets: list[str | None]) -> None:
    """Write the JUnit XML or JSON report; ``secrets`` are redacted in any form they take
    (an output or an error may quote what the upstream echoed)."""
    import json

    from .redact import Redactor

    if path.suffix.lower() == ".xml":
        text = junit_xml(results)
    else:
        text = json.dumps(json_report(results), indent=2) + "\n"
    path.write_text(Redactor(secrets).text(text), encoding="utf-8")


# -- a whole model ---------------------------------------------------------------------------


async def smoke_model(
    model: str,
    *,
    limit: int,
    token: str | None = None,
    router: str | None = None,
    endpoint: str | None = None,
    local: bool = False,
    provider: str | None = None,
    api_name: str | None = None,
    hub_transport: httpx.BaseTransport | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
    progress: Progress | None = None,
    space_tape: Any = None,
) -> ModelResult:
    """Resolve ``model``, build its app in process and check it (see check_app).
    ``space_tape`` keeps or replays a Space's calls (see space_tape.py)."""
    from .app import create_app
    from .hub import new_hub_client
    from .predictor import open_model
    from .upstream import Upstream

    started = time.perf_counter()
    result = ModelResult(model)
    upstream: Upstream | None = None
    try:
        spec, upstream = open_model(
            model,
            token=token,
            router=router,
            endpoint=endpoint,
            local=local,
            hub_client=new_hub_client(hub_transport),
            http_transport=http_transport,
            provider=provider,
            api_name=api_name,
            space_tape=space_tape,
        )
        result.model, result.task = spec.model_id, spec.task
        result.backend = upstream.kind
        transport = httpx.ASGITransport(app=create_app(spec, upstream))
        async with httpx.AsyncClient(transport=transport, base_url="http://smoke.test") as client:
            _, result.problems, result.examples = await check_app(client, limit, progress)
    except HubdemoError as exc:
        result.problems.append(exc.message)
    finally:
        if upstream is not None:
            await upstream.aclose()
    result.seconds = time.perf_counter() - started
    return result
