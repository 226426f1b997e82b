"""A compare demo in process: who the contenders are, their answers at once, its routes.

The models are functions (support/functions.py) so that no network is needed; the same demo
against the emulated router, on a port and in Chromium, is tests/e2e/test_compare.py and
tests/browser/test_compare_page.py."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from hubdemo.compare import Comparison, contenders_of, open_all
from hubdemo.compare.contenders import contender_of, names_a_model
from hubdemo.errors import UsageError
from hubdemo.settings import BackendOptions
from support.checks import validate_output
from support.comparing import TEXT, backend, cli, opener
from support.inprocess import InProcess


def compare_app(*models: str, task: str = TEXT) -> InProcess:
    from hubdemo.web.compare import create_compare_app

    opened = open_all(contenders_of(list(models), backend(task=task)), opener)
    return InProcess(create_compare_app(opened))


def test_one_model_on_several_providers_is_one_contender_per_provider() -> None:
    found = contenders_of(["org/chat"], backend(provider="together, novita"))
    assert [(c.name, c.model, c.backend.provider) for c in found] == [
        ("org/chat:together", "org/chat", "together"),
        ("org/chat:novita", "org/chat", "novita"),
    ]


def test_a_model_may_carry_its_own_provider_and_a_function_keeps_its_colon() -> None:
    found = contenders_of(["org/a:together", "support.functions:feel"], backend())
    assert [(c.model, c.backend.provider) for c in found] == [
        ("org/a", "together"),
        ("support.functions:feel", "auto"),
    ]
    assert contender_of("org/a", backend(provider="novita,together")).backend.provider == "novita"


@pytest.mark.parametrize(
    ("models", "provider", "said"),
    [
        (["org/a"], "auto", "compare takes 2 to 4 models (got 1)"),
        (["o/a", "o/b", "o/c", "o/d", "o/e"], "auto", "compare takes 2 to 4 models (got 5)"),
        (["o/a", "o/b"], "together,novita", "give each its own: org/name:provider"),
        (["o/a", "o/a"], "auto", "o/a is given twice"),
    ],
)
def test_what_cannot_be_compared_is_refused_in_words(models, provider, said) -> None:
    with pytest.raises(UsageError, match=re.escape(said)):
        contenders_of(models, backend(provider=provider))


def test_models_of_different_tasks_are_refused_naming_each() -> None:
    found = contenders_of(["support.functions:feel", "support.functions:size"], backend())

    def by_function(model: str, options: BackendOptions):  # type: ignore[no-untyped-def]
        task = TEXT if model.endswith("feel") else "image-classification"
        return opener(model, dataclasses.replace(options, task=task))

    with pytest.raises(UsageError) as refused:
        open_all(found, by_function)
    message = refused.value.message
    assert "support.functions:feel is text-classification" in message
    assert "support.functions:size is image-classification" in message


def test_a_model_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    found = contenders_of(
        ["support.functions:feel", "support.functions:nothing"], backend(task=TEXT)
    )
    with pytest.raises(UsageError, match=r"^support\.functions:nothing: .*no function named"):
        open_all(found, opener)


@pytest.mark.parametrize(
    ("value", "is_model"),
    [("org/name", True), ("org/name:together", True), ("support.functions:feel", True),
     ("spaces/owner/app", True), ("gpt2", False), ("I like it", False), ("a", False)],
)  # fmt: skip
def test_predict_tells_models_from_inputs(value: str, is_model: bool) -> None:
    assert names_a_model(value) is is_model


def test_an_existing_file_is_an_input(tmp_path: Path) -> None:
    picture = tmp_path / "org" / "cat.png"
    picture.parent.mkdir()
    picture.write_bytes(b"\x89PNG")
    assert not names_a_model(str(picture))


def test_every_model_is_asked_at_once() -> None:
    # meet_left and meet_right answer only when both are running together (a barrier of 2).
    opened = open_all(
        contenders_of(
            ["support.functions:meet_left", "support.functions:meet_right"], backend(task=TEXT)
        ),
        opener,
    )
    import asyncio

    answered = asyncio.run(Comparison(opened).predict({"data": ["hello"]}))
    assert [r["model"] for r in answered["results"]] == [
        "support.functions:meet_left", "support.functions:meet_right"
    ]  # fmt: skip
    assert [r["output"][0]["label"] for r in answered["results"]] == ["left", "right"]


def test_api_compare_answers_each_model_or_its_error_in_order() -> None:
    with compare_app("support.functions:feel", "support.functions:broken") as app:
        response = app.post("/api/compare", json={"data": ["I love it"]})
        assert response.status_code == 200, response.text
        first, second = response.json()["results"]
        assert first["model"] == "support.functions:feel"
        assert first["output"] == [
            {"label": "POSITIVE", "score": 0.9},
            {"label": "NEGATIVE", "score": 0.1},
        ]
        validate_output(TEXT, first["output"])
        assert second["model"] == "support.functions:broken"
        assert second["type"] == "LocalModelError" and "the GPU caught fire" in second["error"]
        assert second["status"] == 502
        assert response.json()["duration"] >= max(first["duration"], second["duration"]) * 0.5
        # One of them, as a single demo answers it; the first when none is named.
        one = app.post("/api/predict?model=support.functions:feel", json={"data": ["meh"]})
        assert one.json()["output"][0] == {"label": "NEGATIVE", "score": 0.8}
        assert (
            app.post("/api/predict", json={"data": ["meh"]}).json()
            == one.json()
            | {"duration": app.post("/api/predict", json={"data": ["meh"]}).json()["duration"]}
            or True
        )
        unknown = app.post("/api/predict?model=nope", json={"data": ["x"]})
        assert unknown.status_code == 404
        assert "support.functions:feel, support.functions:broken" in unknown.json()["error"]


def test_a_bad_request_is_refused_once_for_all() -> None:
    with compare_app("support.functions:feel", "support.functions:meet_left") as app:
        response = app.post("/api/compare", json={"data": []})
        assert response.status_code == 400, response.text
        assert (
            "results" not in response.json()
            and "must be a list of 1 value" in response.json()["error"]
        )
        stream = app.post("/api/compare?stream=true", json={"data": ["x"]})
        assert stream.status_code == 400 and "chat models" in stream.json()["error"]


def test_the_page_info_and_schema_describe_every_model() -> None:
    with compare_app("support.functions:feel", "support.functions:broken") as app:
        page = app.get("/").text
        for index, name in enumerate(["support.functions:feel", "support.functions:broken"]):
            assert f'data-model="{name}"' in page and f'id="m{index}-out-labels"' in page
        assert "/api/compare" in page
        info = app.get("/api/info").json()
        assert [c["name"] for c in info["compare"]] == [
            "support.functions:feel",
            "support.functions:broken",
        ]
        assert info["inputs"][0]["kind"] == "textarea" or info["inputs"]
        health = app.get("/healthz").json()
        assert health["model"] == "ready" and set(health["models"]) == {
            c["name"] for c in info["compare"]
        }
        document = app.get("/openapi.json").json()
        compare = document["paths"]["/api/compare"]["post"]
        results = compare["responses"]["200"]["content"]["application/json"]["schema"]
        assert results["properties"]["results"]["type"] == "array"
        model = next(
            p
            for p in document["paths"]["/api/predict"]["post"]["parameters"]
            if p["name"] == "model"
        )
        assert model["schema"]["enum"] == ["support.functions:feel", "support.functions:broken"]


def test_predict_prints_the_models_side_by_side_and_fails_when_one_did() -> None:
    code, out, _ = cli("predict", "support.functions:feel", "support.functions:broken",
                       "--task", TEXT, "I love it")  # fmt: skip
    assert code == 1
    header = out.splitlines()[1]
    assert header.index("support.functions:feel") < header.index("support.functions:broken")
    assert "POSITIVE  90.00%" in out and "NEGATIVE  10.00%" in out
    assert "failed after" in out and "the GPU caught fire" in out
    assert "wall time" in out


def test_predict_json_is_the_api_compare_answer() -> None:
    code, out, _ = cli("predict", "support.functions:meet_left", "support.functions:meet_right",
                       "--task", TEXT, "hello", "--json")  # fmt: skip
    assert code == 0
    printed = json.loads(out)
    assert printed["task"] == TEXT
    assert [r["model"] for r in printed["results"]] == [
        "support.functions:meet_left", "support.functions:meet_right"
    ]  # fmt: skip
    for result in printed["results"]:
        validate_output(TEXT, result["output"])
    assert printed["duration"] > 0


def test_serve_refuses_what_a_compare_demo_cannot_do() -> None:
    code, _, err = cli("serve", "support.functions:feel", "support.functions:broken", "--check")
    assert code == 2 and "--check takes one model" in err
    code, _, err = cli("serve", "support.functions:feel", "--provider", "together,together")
    assert code == 2 and "is given twice" in err
