"""Every core task's four steps in process, on the recorded traffic: the request a handler
serializes is one the router was recorded answering (the tapes are looked up by it), and the
recorded answer deserializes to the spec's output, as docs/design.md reads it (support.cases),
valid against the Hub's output.json, with one display value per output component."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from hubdemo.errors import InputError, InvalidParameter, UpstreamBadResponse
from hubdemo.tasks import TASKS
from hubdemo.wire import WireRequest, WireResponse
from support.cases import CASES, Case
from support.checks import validate_output
from support.emulator import Tapes


def body_of(request: WireRequest) -> tuple[bytes, str]:
    if request.content is not None:
        return request.content, request.content_type or "application/octet-stream"
    return json.dumps(request.json).encode(), "application/json"


def data_of(case: Case, media: dict[str, bytes]) -> list[Any]:
    files = {
        "IMAGE": "data:image/png;base64," + base64.b64encode(media["image"]).decode(),
        "AUDIO": "data:audio/flac;base64," + base64.b64encode(media["audio"]).decode(),
        "VIDEO": "data:video/mp4;base64," + base64.b64encode(media["video"]).decode(),
    }
    return [files.get(v, v) if isinstance(v, str) else v for v in case.data]


def route_of(task: str, request: WireRequest) -> str:
    return f"pipeline/{task}" if request.route == "pipeline" else request.route


@pytest.mark.parametrize("task", sorted(CASES))
def test_the_four_steps_on_the_recorded_traffic(task: str, tapes: Tapes, media) -> None:
    case, handler = CASES[task], TASKS[task]
    body: dict[str, Any] = {"data": data_of(case, media)}
    if case.parameters:
        body["parameters"] = case.parameters

    task_input = handler.preprocess(body)  # 1
    request = handler.serialize(task_input)  # 2
    content, content_type = body_of(request)
    recorded = tapes.find(case.model, route_of(task, request), content, content_type)
    assert recorded is not None and recorded.status == 200, "no recording answers this request"

    answer = WireResponse(200, recorded.content_type, recorded.body)
    output = handler.deserialize(answer)  # 3
    if getattr(case.expect, "binary", False):
        output = {k: v for k, v in output.items() if k != "sampling_rate"}
        assert output == case.expect(recorded.body)
    else:
        assert output == case.expect(recorded.json())
        validate_output(handler.spec, output)
    shown = handler.postprocess(handler.deserialize(answer), task_input)  # 4
    assert len(shown) == len(handler.outputs)
    printed = printed_by_the_cli(handler.outputs[0].kind, handler.deserialize(answer), shown)
    assert printed.strip() and "Traceback" not in printed
    top = shown[0][0] if isinstance(shown[0], list) and shown[0] else shown[0]
    if isinstance(top, dict) and isinstance(top.get("label"), str):  # labels, boxes: the best
        assert top["label"] in printed


def printed_by_the_cli(kind: str, output: Any, shown: list[Any]) -> str:
    """What `hubdemo predict` prints for this answer (cli/render.py)."""
    from hubdemo.cli import render
    from hubdemo.cli.common import out

    with out.capture() as captured:
        render.show(kind, {"output": output, "data": shown, "duration": 0.1})
    return captured.get()


@pytest.mark.parametrize("task", [t for t, c in sorted(CASES.items()) if c.native])
def test_the_tasks_own_body_reads_as_the_data_form(task: str) -> None:
    case, handler = CASES[task], TASKS[task]
    assert handler.preprocess(case.native) == handler.preprocess({"data": case.data})


@pytest.mark.parametrize("task", sorted(TASKS))
def test_an_empty_body_is_an_input_error_that_names_the_fix(task: str) -> None:
    with pytest.raises(InputError) as refused:
        TASKS[task].preprocess({"data": []})
    assert str(refused.value).strip(), "an error with no words"


@pytest.mark.parametrize("task", ["text-classification", "summarization", "fill-mask"])
def test_a_parameter_out_of_its_spec_is_refused_before_sending(task: str) -> None:
    handler = TASKS[task]
    with pytest.raises(InvalidParameter) as refused:
        handler.preprocess({"data": ["x [MASK]"], "parameters": {"no_such_parameter": 1}})
    assert "no_such_parameter" in str(refused.value)


@pytest.mark.parametrize(
    ("task", "answer"),
    [
        ("text-classification", b"not json"),
        ("token-classification", b'{"unexpected": "shape"}'),
        ("image-classification", b"[1, 2, 3]"),
    ],
)
def test_an_answer_of_the_wrong_shape_is_a_bad_response(task: str, answer: bytes) -> None:
    with pytest.raises(UpstreamBadResponse):
        TASKS[task].deserialize(WireResponse(200, "application/json", answer))


@pytest.mark.parametrize("task", sorted(TASKS))
def test_each_task_describes_itself_and_documents_its_api(task: str) -> None:
    handler = TASKS[task]
    described = handler.describe()
    assert described["task"] == task
    assert list(described["chain"]) == ["preprocess", "serialize", "deserialize", "postprocess"]
    assert len(described["inputs"]) == len(handler.inputs) > 0
    document = handler.api_document({"model": "org/model", **described})
    operation = document["paths"]["/api/predict"]["post"]
    assert "200" in operation["responses"] and "requestBody" in operation


def test_every_core_task_has_a_case() -> None:
    assert sorted(CASES) == sorted(TASKS)
