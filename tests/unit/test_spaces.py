"""Spaces served in process from their recordings (tests/data/space-tapes, made from the real
Gradio apps of tests/spaces by support.record_spaces): the Hub's answer, the app's API and
config, each endpoint mapped to components and parameters, a call converted to the app's
arguments, and its values to hubdemo's outputs. Expected values are worked out from what each
app does (tests/spaces), not from hubdemo's answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hubdemo.predictor import open_model
from hubdemo.settings import BackendOptions
from hubdemo.smoke.run import transports_for
from hubdemo.web.app import create_app
from support.inprocess import NO_HUB, InProcess
from support.pictures import expected_colours, picture_of
from support.record_spaces import TAPES, space_of, tape_of

TEXT = "The quick brown fox jumps over the lazy dog."  # what hubdemo smoke sent


def served(app: str, api_name: str) -> InProcess:
    model = f"spaces/{space_of(app)}"
    _, hub, http, tape = transports_for(None, TAPES / tape_of(app, api_name), None, [model])
    options = BackendOptions.from_env({"HF_ENDPOINT": NO_HUB}, api_name=api_name)
    spec, upstream = open_model(
        model, options, hub_client=_hub_client(hub), http_transport=http, space_tape=tape
    )
    return InProcess(create_app(spec, upstream))


def _hub_client(transport: Any) -> Any:
    from hubdemo.hub import new_hub_client

    return new_hub_client(transport)


@pytest.fixture(scope="module")
def text_tools() -> Iterator[InProcess]:
    with served("text_tools", "/predict") as app:
        yield app


def test_a_spaces_components_become_inputs_and_parameters(text_tools: InProcess) -> None:
    info = text_tools.get("/api/info").json()
    assert info["upstream"]["kind"] == "space"
    assert [i["label"] for i in info["inputs"]] == ["Text"]
    controls = {c["name"]: c for c in info["parameters"]}
    assert set(controls) == {"times", "style", "exclaim"}
    times = controls["times"]  # gr.Slider(1, 5, value=2, step=1)
    assert (times["minimum"], times["maximum"], times["default"]) == (1, 5, 2)
    assert controls["style"]["options"] == ["upper", "lower"]
    (example,) = info["examples"]  # gr.Examples([["hello world", 3, "upper", True]])
    assert example["data"] == ["hello world"]
    assert example["parameters"] == {"times": 3, "style": "upper", "exclaim": True}


def test_a_call_goes_to_the_app_as_its_arguments(text_tools: InProcess) -> None:
    body = {"data": ["hello world"], "parameters": {"times": 3, "style": "upper", "exclaim": True}}
    answer = text_tools.post("/api/predict", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["output"] == "HELLO WORLD HELLO WORLD HELLO WORLD!"  # shout()


def test_a_parameter_outside_the_sliders_range_is_refused(text_tools: InProcess) -> None:
    body = {"data": ["hello world"], "parameters": {"times": 9}}
    answer = text_tools.post("/api/predict", json=body)
    assert answer.status_code == 422, answer.text
    assert "times" in answer.json()["error"] and "5" in answer.json()["error"]


def test_an_image_space_answers_the_hubs_classification_shape() -> None:
    with served("image_classifier", "/classify") as app:
        info = app.get("/api/info").json()
        (example,) = info["examples"]  # the app's one example: a red picture
        answer = app.post("/api/predict", json={"data": example["data"]})
    assert answer.status_code == 200, answer.text
    wanted = expected_colours((200, 30, 10))
    output = answer.json()["output"]
    assert [o["label"] for o in output] == sorted(wanted, key=wanted.get, reverse=True)
    assert {o["label"]: o["score"] for o in output} == pytest.approx(wanted, abs=1e-6)


def test_highlighted_text_becomes_entities_over_the_text() -> None:
    with served("text_tools", "/names") as app:
        answer = app.post("/api/predict", json={"data": [TEXT]})
    assert answer.status_code == 200, answer.text
    output = answer.json()["output"]
    named = [output["text"][e["start"] : e["end"]].strip() for e in output["entities"]]
    assert named == [w for w in TEXT.split(" ") if w[:1].isupper()]  # capitals()
    assert {e["label"] for e in output["entities"]} == {"NAME"}


def test_a_dataframe_is_headers_and_data() -> None:
    with served("text_tools", "/table") as app:
        answer = app.post("/api/predict", json={"data": [TEXT]})
    assert answer.status_code == 200, answer.text
    output = answer.json()["output"]
    assert output["headers"] == ["word", "letters"]
    assert output["data"] == [[w, len(w)] for w in TEXT.split()]  # words_table()


def recorded_picture() -> str:
    """The picture hubdemo smoke sent (its built-in sample, 96x64)."""
    from hubdemo.smoke.samples import sample_image

    return sample_image()


def test_a_gallery_is_pictures_with_their_captions() -> None:
    with served("media_tools", "/gallery") as app:
        body = {"data": [recorded_picture()], "parameters": {"count": 3}}
        answer = app.post("/api/predict", json=body)
    assert answer.status_code == 200, answer.text
    output = answer.json()["output"]
    assert [item["caption"] for item in output] == ["original", "grey", "mirrored"]  # tints()
    sizes = {picture_of(item["image"]).size for item in output}
    assert sizes == {(96, 64)}


def test_an_annotated_image_has_its_labelled_regions() -> None:
    with served("media_tools", "/regions") as app:
        answer = app.post("/api/predict", json={"data": [recorded_picture()]})
    assert answer.status_code == 200, answer.text
    output = answer.json()["output"]
    assert picture_of(output["image"]).size == (96, 64)
    assert [s["label"] for s in output["segments"]] == ["left", "right"]  # regions()
    left, right = (picture_of(s["mask"]) for s in output["segments"])
    assert left.getpixel((10, 10))[3] > 0 and left.getpixel((90, 10))[3] == 0
    assert right.getpixel((90, 10))[3] > 0 and right.getpixel((10, 10))[3] == 0


def test_a_call_that_was_not_recorded_says_so() -> None:
    with served("text_tools", "/table") as app:
        answer = app.post("/api/predict", json={"data": ["never sent to the app"]})
    assert answer.status_code >= 400 and answer.status_code != 500, answer.text
    assert "record" in answer.json()["error"]


def test_visitors_get_their_own_sessions_forgotten_by_age_and_number(monkeypatch) -> None:
    import asyncio

    from hubdemo.spaces import sessions

    now = [100.0]
    monkeypatch.setattr(sessions.time, "monotonic", lambda: now[0])
    visitors = sessions.Visitors(capacity=2, ttl=10)

    def session_for(visitor: str | None) -> str:
        return asyncio.run(visitors.session_for(visitor))

    alice = session_for("visitor:alice")
    assert session_for("visitor:alice") == alice
    bob = session_for("visitor:bob")
    assert bob != alice
    anonymous = {session_for(None) for _ in range(3)}
    assert len(anonymous) == 3 and not anonymous & {alice, bob}  # never shared, never kept
    now[0] += 9  # bob used last at 100, alice at 100: both still alive at 109
    assert session_for("visitor:alice") == alice
    now[0] += 2  # bob idle for 11 s > ttl: forgotten; alice for 2 s
    assert session_for("visitor:bob") != bob
    session_for("visitor:carol")  # a third: the least recently used (alice) goes
    assert session_for("visitor:alice") != alice
    assert len(visitors.known) == 2


def test_a_lent_client_is_pointed_at_its_session_once_its_last_stream_closed(
    monkeypatch,
) -> None:
    from hubdemo.spaces import sessions

    class Client:
        session_hash = "old"
        stream_open = True

    client = Client()
    monkeypatch.setattr(sessions, "SWITCH_WAIT", 0.05)
    assert sessions.point_at(client, "new") is False  # still reading the old session's events
    assert client.session_hash == "old"
    client.stream_open = False
    assert sessions.point_at(client, "new") is True
    assert client.session_hash == "new"
