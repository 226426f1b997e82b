"""Gradio Spaces as upstreams, against real Gradio 6 apps (tests/spaces/, run with Gradio from
PyPI in its own venv, .venv-gradio, each on a loopback port) that the emulated Hub names as the
Spaces' hosts: the page's API, describe, predict, the Space's states and its refusals."""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from support import REPO
from support.checks import validate_output
from support.gradio_spaces import OWNER, data_url, png, space_info, started_apps, written
from support.pictures import expected_colours
from support.servers import Server, free_port, run_cli


def test_an_image_classifier_space_answers_the_hubs_classification_shape(classifier) -> None:
    colour = (200, 40, 10)
    response = classifier.predict({"data": [data_url(png(colour))]})
    assert response.status_code == 200, response.text
    output = response.json()["output"]
    validate_output("image-classification", output)  # the Hub's [{label, score}]
    wanted = expected_colours(colour)
    assert {o["label"]: o["score"] for o in output} == pytest.approx(wanted, abs=1e-6)
    bars = response.json()["data"][0]
    assert [b["label"] for b in bars] == ["red", "green", "blue"]  # highest first

    info = httpx.get(f"{classifier.url}/api/info").json()
    assert info["task"] == "space" and info["library"] == "gradio"
    assert info["inputs"] == [
        {"name": "image", "kind": "image", "label": "Picture", "placeholder": "", "optional": False}
    ]
    assert [o["kind"] for o in info["outputs"]] == ["labels"]
    assert info["space"]["api_name"] == "/classify"  # no /predict: the first named endpoint
    assert info["hub_url"].endswith(f"/spaces/{OWNER}/image-classifier")
    [example] = info["examples"]  # the Space's gr.Examples file, fetched into a data URL
    assert example["title"] == "red.png"  # the example file's own name
    with Image.open(io.BytesIO(base64.b64decode(example["data"][0].split(",", 1)[1]))) as shown:
        assert shown.convert("RGB").getpixel((3, 3)) == (200, 30, 10)
    page = httpx.get(classifier.url)
    assert page.status_code == 200 and "Picture" in page.text
    assert "answered by <strong>the Space</strong> (/classify, through gradio_client)" in page.text


def test_the_same_contract_as_a_model_native_body_and_bad_input(classifier) -> None:
    colour = (10, 20, 220)
    native = classifier.predict({"inputs": data_url(png(colour))})
    assert native.status_code == 200, native.text
    top = max(native.json()["output"], key=lambda o: o["score"])
    assert top["label"] == "blue"
    not_an_image = classifier.predict({"data": [data_url(b"not an image at all", "image/png")]})
    assert not_an_image.status_code in (400, 415), not_an_image.text
    assert "error" in not_an_image.json()
    spec = httpx.get(f"{classifier.url}/openapi.json").json()
    assert "/api/predict" in spec["paths"]


def test_several_inputs_with_parameters_converted_to_each_components_type(emulator, spaces):
    server = Server(emulator, f"spaces/{spaces['text_tools']}")
    try:
        info = httpx.get(f"{server.url}/api/info").json()
        controls = {c["name"]: c for c in info["parameters"]}
        assert controls["times"] == {
            "name": "times", "description": "Times", "kind": "integer",
            "minimum": 1, "maximum": 5, "default": 2,
        }  # fmt: skip
        assert controls["style"]["kind"] == "choice"
        assert controls["style"]["options"] == ["upper", "lower"]
        assert controls["exclaim"]["kind"] == "boolean"
        assert [c["name"] for c in info["inputs"]] == ["text"]
        assert info["examples"] == [  # the gr.Examples row: text, then the parameters it sets
            {
                "title": "hello world",
                "data": ["hello world"],
                "parameters": {"times": 3, "style": "upper", "exclaim": True},
            }
        ]

        body = {"data": ["Hello"], "parameters": {"times": "3", "style": "lower", "exclaim": True}}
        answer = server.predict(body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["output"] == "hello hello hello!"
        assert answer.json()["data"] == [{"text": "hello hello hello!"}]
        defaults = server.predict({"inputs": "Hi"})
        assert defaults.json()["output"] == "HI HI"  # the Space's defaults: 2, upper, no "!"

        for parameters, words in (
            ({"times": 9}, "from 1 to 5"),
            ({"style": "sideways"}, "upper, lower"),
            ({"loudness": 3}, "not a parameter"),
            ({"exclaim": "maybe"}, "true or false"),
        ):
            refused = server.predict({"data": ["x"], "parameters": parameters})
            assert refused.status_code == 422, parameters
            assert words in refused.json()["error"], refused.json()
        said = server.predict({"data": ["boom"]})
        assert said.status_code == 422
        assert "no booms here" in said.json()["error"]  # the Space's own message
    finally:
        server.stop()


def test_describe_lists_every_endpoint_and_predict_takes_params(emulator, spaces) -> None:
    space = f"spaces/{spaces['text_tools']}"
    shown = run_cli(emulator, "describe", space)
    assert shown.returncode == 0, shown.stderr
    assert "→ /predict(text: Textbox, times: Slider, style: Dropdown, exclaim: Checkbox)" in (
        shown.stdout
    )
    assert "/count(text: Textbox) -> Number" in shown.stdout
    described = json.loads(run_cli(emulator, "describe", space, "--json").stdout)
    assert set(described["space"]["endpoints"]) == {"/predict", "/count", "/names", "/table"}

    said = run_cli(emulator, "predict", space, "Hi", "--param", "times=3", "--json")
    assert said.returncode == 0, said.stderr
    assert json.loads(said.stdout)["output"] == "HI HI HI"
    counted = run_cli(emulator, "predict", space, "one two three", "--api-name", "/count", "--json")
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout)["output"] == 3


def test_the_space_url_forms_resolve_through_the_hub(emulator, spaces) -> None:
    from hubdemo.spaces.connect import SpaceRef, space_ref

    form = f"{emulator.url}/spaces/{spaces['text_tools']}"  # a Hub URL on HF_ENDPOINT
    shown = run_cli(emulator, "describe", form, "--json")
    assert shown.returncode == 0, (form, shown.stderr)
    assert json.loads(shown.stdout)["model"] == spaces["text_tools"]
    # The public Hub's URL form names the same Space: only parsed here, so no test can reach
    # the network; a Space id is looked up on HF_ENDPOINT, as the form above shows.
    public = f"https://huggingface.co/spaces/{spaces['text_tools']}"
    assert space_ref(public) == SpaceRef(spaces["text_tools"], None)


def test_an_endpoint_hubdemo_cannot_draw_is_refused_naming_what_would_work(emulator, spaces):
    space = f"spaces/{spaces['undrawable']}"
    refused = run_cli(emulator, "describe", space)
    assert refused.returncode == 2
    line = refused.stderr.strip()
    assert (
        "/predict has what hubdemo cannot draw: Model3d (Shape)" in line
        and "/echo" in line
        and "--api-name" in line
    )
    assert "Traceback" not in refused.stderr and len(line.splitlines()) == 1
    echoed = run_cli(emulator, "predict", space, "hello", "--api-name", "echo", "--json")
    assert echoed.returncode == 0, echoed.stderr
    assert json.loads(echoed.stdout)["output"] == "hello"


@pytest.mark.parametrize(
    ("stage", "sdk", "code", "words"),
    [
        ("PAUSED", "gradio", 1, "paused"),
        ("RUNTIME_ERROR", "gradio", 1, "runtime error"),
        ("RUNNING", "docker", 2, "docker Space"),
        ("BUILDING", "gradio", 1, "building"),
    ],
)
def test_a_space_that_cannot_answer_is_one_line_naming_its_state(
    emulator, gradio_apps, stage, sdk, code, words
) -> None:
    space_id = f"{OWNER}/state-{stage.lower()}"
    emulator.spaces[space_id] = [space_info(space_id, gradio_apps["text_tools"], stage, sdk)]
    try:
        started = time.monotonic()
        command = ["predict", f"spaces/{space_id}", "x", "--retry-budget", "3"]
        said = run_cli(emulator, *command)
        took = time.monotonic() - started
    finally:
        emulator.spaces.pop(space_id)
    assert said.returncode == code, said.stderr
    assert words in said.stderr and "Traceback" not in said.stderr
    assert len(said.stderr.strip().splitlines()) == 1
    assert took < 30  # never a hang: the budget was 3 s


def test_a_sleeping_space_is_waited_for_until_it_runs(emulator, gradio_apps) -> None:
    space_id = f"{OWNER}/sleepy"
    host = gradio_apps["text_tools"]
    emulator.spaces[space_id] = [
        space_info(space_id, host, "SLEEPING"),
        space_info(space_id, host, "APP_STARTING"),
        space_info(space_id, host, "RUNNING"),
    ]
    try:
        said = run_cli(emulator, "predict", f"spaces/{space_id}", "wake", "--json")
    finally:
        emulator.spaces.pop(space_id)
    assert said.returncode == 0, said.stderr
    assert json.loads(said.stdout)["output"] == "WAKE WAKE"
    looks = [e for e in emulator.log if e.path == f"/api/spaces/{space_id}"]
    assert len(looks) == 3  # asked until it ran, then no more


def test_an_unknown_space_and_a_bad_space_string(emulator) -> None:
    missing = run_cli(emulator, "describe", f"spaces/{OWNER}/nothing-here")
    assert missing.returncode == 2 and "Space 'hubdemo-test/nothing-here' was not found" in (
        missing.stderr
    )
    bad = run_cli(emulator, "describe", "spaces/not a space")
    assert bad.returncode == 2 and "not a Space id" in bad.stderr
    with_task = run_cli(emulator, "describe", f"spaces/{OWNER}/x", "--task", "text-classification")
    assert with_task.returncode == 2 and "drop --task" in with_task.stderr


def test_smoke_checks_each_space_against_its_own_output_schema(emulator, spaces, tmp_path):
    report = tmp_path / "report.json"
    models = [f"spaces/{spaces['image_classifier']}", f"spaces/{spaces['text_tools']}"]
    said = run_cli(emulator, "smoke", *models, "--report", str(report))
    assert said.returncode == 0, said.stdout + said.stderr
    results = json.loads(report.read_text())
    checked = {m["model"]: m for m in results["models"]}
    assert set(checked) == {spaces["image_classifier"], spaces["text_tools"]}
    classifier = checked[spaces["image_classifier"]]["examples"]
    # The Space's own example, a red picture fetched from it, not a built-in sample.
    assert classifier[0]["title"] == "red.png" and classifier[0]["ok"]
    scores = {o["label"]: o["score"] for o in classifier[0]["output"]}
    assert scores == pytest.approx(expected_colours((200, 30, 10)), abs=1e-6)
    tools = checked[spaces["text_tools"]]["examples"]
    # The gr.Examples row ["hello world", 3, "upper", True]: its text and its parameters.
    assert tools[0]["output"] == "HELLO WORLD HELLO WORLD HELLO WORLD!"


def test_smoke_records_a_space_and_replays_it_with_the_space_gone(emulator, spaces, tmp_path):
    tape, live, replayed = tmp_path / "tape", tmp_path / "live.json", tmp_path / "replayed.json"
    models = [f"spaces/{spaces['image_classifier']}", f"spaces/{spaces['text_tools']}"]
    recorded = run_cli(emulator, "smoke", *models, "--record", str(tape), "--report", str(live))
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    kept = json.loads((tape / "cassette.json").read_text())["exchanges"]
    paths = [e["request"]["path"] for e in kept]
    assert f"/api/spaces/{spaces['text_tools']}" in paths  # the Hub's answer
    assert f"/{spaces['text_tools']}/api" in paths and f"/{spaces['text_tools']}/call" in paths
    # Replayed with no Hub and no Space: nothing answers on the network.
    nowhere = f"http://127.0.0.1:{free_port()}"
    again = run_cli(
        emulator, "smoke", *models, "--replay", str(tape), "--report", str(replayed),
        HF_ENDPOINT=nowhere, HUBDEMO_ROUTER=nowhere,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr

    def outputs(report: Path) -> list[Any]:
        return [
            e["output"] for m in json.loads(report.read_text())["models"] for e in m["examples"]
        ]

    assert outputs(replayed) == outputs(live)
    chat = run_cli(emulator, "smoke", f"spaces/{spaces['chat']}", "--record", str(tmp_path / "c"))
    assert chat.returncode != 0 and "smoke-test it live" in chat.stdout + chat.stderr


def test_a_chat_interface_space_is_a_chat_demo_that_keeps_the_conversation(emulator, spaces):
    """The stand-in ChatInterface answers "You said: <message> (turn N)", N from the history
    its session holds: a second turn must land in the first turn's session."""
    server = Server(emulator, f"spaces/{spaces['chat']}")
    try:
        info = httpx.get(f"{server.url}/api/info").json()
        assert [c["kind"] for c in info["inputs"]] == ["chat"]
        assert [c["kind"] for c in info["outputs"]] == ["chat"]
        first = [{"role": "user", "content": "hello there"}]
        answer = server.predict({"messages": first})
        assert answer.status_code == 200, answer.text
        output = answer.json()["output"]
        validate_output("chat-completion", output)
        said = output["choices"][0]["message"]["content"]
        assert said == "You said: hello there (turn 1)"
        second = [
            *first,
            {"role": "assistant", "content": said},
            {"role": "user", "content": "again"},
        ]
        again = server.predict({"messages": second}).json()["output"]
        assert again["choices"][0]["message"]["content"] == "You said: again (turn 2)"
        # A conversation this server never saw (an edited answer): replayed, still turn 2.
        edited = [
            *first,
            {"role": "assistant", "content": "edited"},
            {"role": "user", "content": "and"},
        ]
        replayed = server.predict({"messages": edited}).json()["output"]
        assert replayed["choices"][0]["message"]["content"] == "You said: and (turn 2)"
        # Streamed: the answer arrives in pieces that add up to it.
        streamed = httpx.post(
            f"{server.url}/api/predict?stream=true", json={"messages": first}, timeout=60
        )
        events = [
            json.loads(line[6:]) for line in streamed.text.splitlines() if line.startswith("data: ")
        ]
        deltas = [e["delta"] for e in events if "delta" in e]
        assert len(deltas) >= 3 and "".join(deltas) == "You said: hello there (turn 1)"
        assert events[-1]["output"]["choices"][0]["message"]["content"] == "".join(deltas)
    finally:
        server.stop()


def wav(samples: list[int], rate: int = 8000) -> bytes:
    import struct
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def test_an_audio_space_takes_a_sound_and_answers_one(emulator, spaces) -> None:
    import base64
    import math
    import struct
    import wave

    loud = [int(20000 * math.sin(i / 5)) for i in range(4000)]
    server = Server(emulator, f"spaces/{spaces['audio_tools']}")
    try:
        judged = server.predict({"data": [data_url(wav(loud), "audio/wav")]})
        assert judged.status_code == 200, judged.text
        verdict = {o["label"]: o["score"] for o in judged.json()["output"]}
        assert verdict["loud"] > 0.9  # RMS 0.43 of full scale
    finally:
        server.stop()
    ramp = [i * 7 - 14000 for i in range(4000)]
    backwards = run_cli(
        emulator,
        "predict",
        f"spaces/{spaces['audio_tools']}",
        "--api-name",
        "/reverse",
        "--json",
        str(written(wav(ramp))),
    )
    assert backwards.returncode == 0, backwards.stderr
    answered = json.loads(backwards.stdout)["output"]
    assert answered.startswith("data:audio/")
    with wave.open(io.BytesIO(base64.b64decode(answered.split(",", 1)[1]))) as sound:
        frames = sound.readframes(sound.getnframes())
    assert list(struct.unpack(f"<{len(frames) // 2}h", frames)) == ramp[::-1]


def test_highlighted_text_is_drawn_as_entities(emulator, spaces) -> None:
    said = run_cli(
        emulator, "predict", f"spaces/{spaces['text_tools']}", "Ada met Bob",
        "--api-name", "/names", "--json",
    )  # fmt: skip
    assert said.returncode == 0, said.stderr
    output = json.loads(said.stdout)["output"]
    text = output["text"]
    assert text.strip() == "Ada met Bob"
    assert [text[e["start"] : e["end"]].strip() for e in output["entities"]] == ["Ada", "Bob"]
    assert {e["label"] for e in output["entities"]} == {"NAME"}


def test_spaces_still_on_gradio_5_are_served_the_same(emulator) -> None:
    """gradio_client 2 reads Gradio 5 apps too: the text app, the chat, the classifier and
    the media app (a Gallery; a Chatbot in Gradio 5's tuples form), run with Gradio 5 from its
    own venv (.venv-gradio5)."""
    python = REPO / ".venv-gradio5" / "bin" / "python"
    with started_apps(python, ("text_tools", "chat", "image_classifier", "media_tools")) as apps:
        version = httpx.get(f"{apps['text_tools']}/config").json()["version"]
        assert version.startswith("5."), version
        for name, url in apps.items():
            emulator.spaces[f"{OWNER}/g5-{name}"] = [space_info(f"{OWNER}/g5-{name}", url)]
        try:
            said = run_cli(
                emulator, "predict", f"spaces/{OWNER}/g5-text_tools", "Hi",
                "--param", "times=3", "--param", "exclaim=true", "--json",
            )  # fmt: skip
            assert said.returncode == 0, said.stderr
            assert json.loads(said.stdout)["output"] == "HI HI HI!"
            chat = run_cli(emulator, "predict", f"spaces/{OWNER}/g5-chat", "hello", "--json")
            assert chat.returncode == 0, chat.stderr
            answer = json.loads(chat.stdout)["output"]["choices"][0]["message"]["content"]
            assert answer == "You said: hello (turn 1)"
            picture = written(png((10, 200, 10)))
            seen = run_cli(
                emulator, "predict", f"spaces/{OWNER}/g5-image_classifier", str(picture), "--json"
            )
            assert seen.returncode == 0, seen.stderr
            top = max(json.loads(seen.stdout)["output"], key=lambda o: o["score"])
            assert top["label"] == "green"
            copies = run_cli(
                emulator, "predict", f"spaces/{OWNER}/g5-media_tools", str(picture),
                "--api-name", "/gallery", "--param", "count=2", "--json",
            )  # fmt: skip
            assert copies.returncode == 0, copies.stderr
            gallery = json.loads(copies.stdout)["output"]
            assert [item["caption"] for item in gallery] == ["original", "grey"]
            said = run_cli(
                emulator, "predict", f"spaces/{OWNER}/g5-media_tools", "a b",
                "--api-name", "/reply", "--json",
            )  # fmt: skip
            assert said.returncode == 0, said.stderr
            assert json.loads(said.stdout)["output"] == [  # Gradio 5's tuples, read as turns
                {"role": "user", "content": "a b"},
                {"role": "assistant", "content": "You said 2 word(s)."},
            ]
        finally:
            for name in apps:
                emulator.spaces.pop(f"{OWNER}/g5-{name}", None)


def test_the_recordings_the_unit_layer_replays_are_what_the_apps_answer(
    emulator, gradio_apps, tmp_path
):
    """tests/data/space-tapes (support.record_spaces) against the apps as they are now: the
    same calls get the same answers (the text endpoints: pictures differ by Gradio's encoder)."""
    from support.record_spaces import TAPES, calls, record, tape_of

    pairs = [("text_tools", "/predict"), ("text_tools", "/names"), ("text_tools", "/table")]
    assert record(emulator, gradio_apps, pairs, tmp_path) == ""
    for pair in pairs:
        assert calls(tmp_path / tape_of(*pair)) == calls(TAPES / tape_of(*pair)), (
            f"{pair}: re-record with `PYTHONPATH=tests .venv/bin/python -m support.record_spaces`"
        )
