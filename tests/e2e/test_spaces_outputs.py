"""A Space's outputs drawn from files and lists (Gallery, AnnotatedImage, File, Chatbot), a File
input, and a full queue, against the real Gradio 6 apps tests/spaces/media_tools.py and busy.py.

Expected values are worked out here from what each app does (tests/spaces), never taken from
hubdemo's own answers."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor

import httpx

from support.gradio_spaces import written
from support.servers import Server, free_port, run_cli


def test_a_full_queue_is_429_with_the_spaces_words(emulator, spaces) -> None:
    """busy.py runs one job and holds one more: of three at once, the third finds it full."""
    server = Server(emulator, f"spaces/{spaces['busy']}")
    try:
        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(lambda t: server.predict({"data": [t]}), ["ab", "cd", "ef"]))
    finally:
        server.stop()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 200, 429], [a.text for a in answers]
    full = next(a for a in answers if a.status_code == 429)
    assert "Queue is full" in full.json()["error"]
    assert full.headers["Retry-After"].isdigit()
    done = [a.json()["output"] for a in answers if a.status_code == 200]
    assert len(set(done)) == 2 and set(done) <= {"ba", "dc", "fe"}  # slow(): the text reversed


def test_a_file_input_from_python_and_the_cli_refuses_a_missing_path(emulator, spaces) -> None:
    missing = run_cli(
        emulator, "predict", f"spaces/{spaces['media_tools']}", "no/such/file.txt",
        "--api-name", "/capitals",
    )  # fmt: skip
    assert missing.returncode == 2
    assert "no such file 'no/such/file.txt'; give the path of a file" in missing.stderr
    raw = written(b"\x00\x01binary\xff")
    said = run_cli(
        emulator, "predict", f"spaces/{spaces['media_tools']}", str(raw),
        "--api-name", "/capitals", "--json",
    )  # fmt: skip
    # upper_file() reads text: the Space's own error, in hubdemo's status for a refused input.
    assert said.returncode != 0
    assert "the Space" in said.stderr


def test_describe_lists_the_media_endpoints_with_their_kinds(emulator, spaces) -> None:
    shown = run_cli(
        emulator, "describe", f"spaces/{spaces['media_tools']}", "--api-name", "/regions"
    )
    assert shown.returncode == 0, shown.stderr
    for signature in (
        "/gallery(image: Image, count: Slider) -> Gallery",
        "/regions(image: Image) -> Annotatedimage",  # as view_api names it
        "/capitals(path: File) -> File",
        "/reply(message: Textbox) -> Chatbot",
    ):
        assert signature in shown.stdout, shown.stdout
    assert "annotated" in shown.stdout  # the chosen endpoint's output kind


def test_smoke_runs_each_media_endpoint_and_replays_its_files(emulator, spaces, tmp_path):
    """Built-in samples (a picture, a text file, a text) through each endpoint; a recording
    of the file-bearing answers replays with the Space and the Hub gone."""
    space = f"spaces/{spaces['media_tools']}"
    reports = {}
    for api_name in ("/gallery", "/regions", "/capitals", "/reply"):
        report = tmp_path / f"{api_name[1:]}.json"
        tape = ["--record", str(tmp_path / "tape")] if api_name == "/capitals" else []
        said = run_cli(
            emulator, "smoke", space, "--api-name", api_name, "--report", str(report), *tape
        )
        assert said.returncode == 0, said.stdout + said.stderr
        [model] = json.loads(report.read_text())["models"]
        reports[api_name] = model["examples"][0]
    assert len(reports["/gallery"]["output"]) == 3  # tints(): count defaults to 3
    assert [s["label"] for s in reports["/regions"]["output"]["segments"]] == ["left", "right"]
    made = reports["/capitals"]["output"]
    assert base64.b64decode(made.split(",", 1)[1]).decode() == (
        "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG.\n"  # smoke's sample text, in capitals
    )
    assert reports["/reply"]["output"][-1]["content"].startswith("You said 9 word(s)")

    nowhere = f"http://127.0.0.1:{free_port()}"
    replayed = tmp_path / "replayed.json"
    again = run_cli(
        emulator, "smoke", space, "--api-name", "/capitals", "--replay", str(tmp_path / "tape"),
        "--report", str(replayed), HF_ENDPOINT=nowhere, HUBDEMO_ROUTER=nowhere,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(replayed.read_text())["models"][0]["examples"][0]["output"] == made


def test_a_file_on_another_host_is_not_fetched(emulator, spaces) -> None:
    """A value shaped like a file whose URL is not the Space's: refused, not fetched (a
    Space's files are fetched with the token when one is given). The URL would answer 200."""
    elsewhere = (
        f"{emulator.url}/api/models/distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    )
    assert httpx.get(elsewhere).status_code == 200
    said = run_cli(
        emulator, "predict", f"spaces/{spaces['media_tools']}", elsewhere,
        "--api-name", "/elsewhere", "--json",
    )  # fmt: skip
    assert said.returncode != 0
    assert "hubdemo fetches a Space's files from the Space's own host only" in said.stderr


def test_gradio_client_uploads_a_file_to_a_space_served_by_hubdemo(media_space, tmp_path):
    """hubdemo's own Gradio API in front of a Space: the File input takes gradio_client's
    upload (under its name), and the Space's file comes back."""
    from gradio_client import Client, handle_file

    server = media_space("/capitals")
    given = tmp_path / "notes.txt"
    given.write_text("via gradio_client\n", encoding="utf-8")
    client = Client(server.url, verbose=False, analytics_enabled=False, download_files=False)
    answer = client.predict(handle_file(str(given)), api_name="/predict")
    client.close()
    header, payload = answer.split(",", 1)  # a JSON value: the data URL of hubdemo's output
    assert header == "data:text/plain;name=notes.txt.upper.txt;base64"
    assert base64.b64decode(payload).decode() == "VIA GRADIO_CLIENT\n"
