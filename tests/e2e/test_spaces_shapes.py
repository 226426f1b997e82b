"""The shapes of the most copied Spaces, on Gradio 6 and Gradio 5 (stand-ins in tests/spaces):
the Hub's chatbot template (a ChatInterface with additional inputs), …; each through describe,
predict and the API."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from support import REPO
from support.gradio_spaces import OWNER, data_url, png, space_info, started_apps
from support.servers import Server, run_cli

Space = Callable[[str], str]


@pytest.fixture(params=["6", "5"])
def space(request, emulator, spaces) -> Iterator[Space]:
    """app name -> the id of a Space running it on Gradio 6 (the shared apps) or Gradio 5."""
    if request.param == "6":
        yield spaces.__getitem__
        return
    python = REPO / ".venv-gradio5" / "bin" / "python"
    with started_apps(python, ()) as apps:
        registered: list[str] = []

        def on_gradio_5(name: str) -> str:
            space_id = f"{OWNER}/g5-{name.replace('_', '-')}"
            if space_id not in registered:
                emulator.spaces[space_id] = [space_info(space_id, apps[name])]
                registered.append(space_id)
            return space_id

        yield on_gradio_5
        for space_id in registered:
            emulator.spaces.pop(space_id, None)


def reply(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    return str(answer.json()["output"]["choices"][0]["message"]["content"])


def test_the_chatbot_templates_additional_inputs_reach_the_space(emulator, space) -> None:
    space_id = space("chatbot_template")
    server = Server(emulator, f"spaces/{space_id}")
    try:
        controls = {c["name"]: c for c in httpx.get(f"{server.url}/api/info").json()["parameters"]}
        assert list(controls) == ["system_message", "max_tokens", "temperature", "top_p"]
        assert controls["system_message"]["kind"] == "text"
        # Each slider's own range (read one slot off before: temperature got max tokens').
        assert {k: controls["max_tokens"].get(k) for k in ("kind", "minimum", "maximum")} == {
            "kind": "integer", "minimum": 1, "maximum": 2048,
        }  # fmt: skip
        assert {k: controls["temperature"].get(k) for k in ("kind", "minimum", "maximum")} == {
            "kind": "number", "minimum": 0.1, "maximum": 4.0,
        }  # fmt: skip
        assert (controls["top_p"]["minimum"], controls["top_p"]["maximum"]) == (0.1, 1.0)

        hello = [{"role": "user", "content": "hello"}]
        defaults = reply(server.predict({"messages": hello}))
        assert defaults == (
            "[You are a friendly Chatbot.] max_tokens=512 temperature=0.7 top_p=0.95 turn=1: hello"
        )
        # By name at the top level (as the page sends them) or in "parameters": both reach it.
        top = {"messages": hello, "temperature": 0.5, "system_message": "Be brief."}
        assert reply(server.predict(top)) == (
            "[Be brief.] max_tokens=512 temperature=0.5 top_p=0.95 turn=1: hello"
        )
        nested = {"messages": hello, "parameters": {"max_tokens": 64, "top_p": 0.5}}
        assert "max_tokens=64 temperature=0.7 top_p=0.5" in reply(server.predict(nested))
        for wrong, words in (
            ({"temperature": 9}, "from 0.1 to 4.0"),
            ({"top_k": 3}, "not a parameter"),
        ):
            refused = server.predict({"messages": hello, **wrong})
            assert refused.status_code == 422, refused.text
            assert words in refused.json()["error"]
    finally:
        server.stop()

    said = run_cli(
        emulator, "predict", f"spaces/{space_id}", "hi", "--param", "temperature=0.2", "--json"
    )
    assert said.returncode == 0, said.stderr
    answer = json.loads(said.stdout)["output"]["choices"][0]["message"]["content"]
    assert "temperature=0.2" in answer and answer.endswith(": hi")


def test_the_text_to_image_template_answers_the_picture_and_the_seed(emulator, space) -> None:
    """(image, seed) out, the seed a Slider as an output: a value to show, not a refusal."""
    space_id = space("text_to_image_template")
    server = Server(emulator, f"spaces/{space_id}")
    try:
        info = httpx.get(f"{server.url}/api/info").json()
        assert [(o["kind"], o["label"]) for o in info["outputs"]] == [
            ("image", "Result"), ("text", "Seed"),
        ]  # fmt: skip
        body = {
            "data": ["a red fox"],
            "parameters": {"seed": 300, "randomize_seed": False, "width": 64, "height": 32},
        }
        answer = server.predict(body)
        assert answer.status_code == 200, answer.text
        picture, seed = answer.json()["output"]
        assert seed == 300
        with Image.open(io.BytesIO(base64.b64decode(picture.split(",", 1)[1]))) as shown:
            assert shown.size == (64, 32)
            # Gradio 6 sends WebP (lossy): near the seed's colour
            assert shown.convert("RGB").getpixel((5, 5)) == pytest.approx((44, 1, 128), abs=6)
        assert answer.json()["data"][1] == {"text": "300"}
        random_seed = server.predict({"data": ["a fox"]}).json()["output"][1]
        assert isinstance(random_seed, int) and 0 <= random_seed < 2**31
    finally:
        server.stop()


def test_several_outputs_drawn_alike_are_each_their_own_value(emulator, space) -> None:
    space_id = space("reports")
    server = Server(emulator, f"spaces/{space_id}", "--api-name", "/report")
    try:
        info = httpx.get(f"{server.url}/api/info").json()
        assert [(o["kind"], o["label"]) for o in info["outputs"]] == [
            ("text", "Card"), ("text", "Upper"), ("text", "Notes"),
        ]  # fmt: skip
        answer = server.predict({"data": ["fox"]})
        assert answer.status_code == 200, answer.text
        card, upper, notes = answer.json()["output"]  # the Space's own values, as it sent them
        assert (upper, card) == ("FOX", "<h4>Card</h4><p>fox in <em>HTML</em></p>")
        assert notes == "## Notes\n\n- **fox**\n- `3` letters"
        shown = answer.json()["data"]
        assert shown[1] == {"text": "FOX"}
        assert shown[0]["html"] == card  # already safe: kept as it is
        assert shown[2]["html"] == (  # Markdown rendered by markdown-it
            "<h2>Notes</h2>\n<ul>\n<li><strong>fox</strong></li>\n<li><code>3</code> letters"
            "</li>\n</ul>\n"
        )
    finally:
        server.stop()
    pair = Server(emulator, f"spaces/{space_id}", "--api-name", "/pair")
    try:
        answer = pair.predict({"data": [data_url(png((200, 100, 50)))]})
        assert answer.status_code == 200, answer.text
        original, grey = answer.json()["output"]
        for url, wanted in ((original, (200, 100, 50)), (grey, (124, 124, 124))):
            with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as shown:
                assert shown.convert("RGB").getpixel((2, 2)) == pytest.approx(wanted, abs=6)
    finally:
        pair.stop()


def test_hostile_markup_answers_are_sanitized_before_the_page_sees_them(emulator, spaces) -> None:
    server = Server(emulator, f"spaces/{spaces['reports']}", "--api-name", "/hostile")
    try:
        answer = server.predict({"data": ["x"]})
        assert answer.status_code == 200, answer.text
        html, markdown = (shown["html"] for shown in answer.json()["data"])
        for markup in (html, markdown):
            tags = elements(markup)
            assert {t for t, _ in tags} <= {"p", "b", "img", "a", "h1", "strong", "code"}, tags
            for tag, attributes in tags:
                for name, value in attributes:
                    assert not name.startswith("on") and name not in ("style", "target"), tag
                    assert not (value or "").lower().startswith("javascript:"), (tag, value)
        assert '<a href="https://example.org/page" rel="noopener noreferrer">a site</a>' in html
        assert '<a href="https://example.org/md" rel="noopener noreferrer">a site</a>' in markdown
        assert "&lt;script&gt;" in markdown  # raw HTML in Markdown is shown as text
    finally:
        server.stop()


def elements(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Each element of ``markup`` with its attributes, as a browser's parser would find them."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Reader(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Reader().feed(markup)
    return found


def test_predict_prints_each_output_under_its_label_and_a_dataframe(emulator, spaces) -> None:
    shown = run_cli(emulator, "predict", f"spaces/{spaces['reports']}", "fox", "--api-name",
                    "/report")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    lines = [line.rstrip() for line in shown.stdout.splitlines() if line.strip()]
    assert lines[:2] == ["Card:", "<h4>Card</h4><p>fox in <em>HTML</em></p>"]
    assert lines[2:4] == ["Upper:", "FOX"]
    assert lines[4] == "Notes:" and "- **fox**" in lines
    table = run_cli(emulator, "predict", f"spaces/{spaces['text_tools']}", "one three",
                    "--api-name", "/table")  # fmt: skip
    assert table.returncode == 0, table.stderr  # was a TypeError traceback
    cells = [line.replace("│", " ").split() for line in table.stdout.splitlines()]
    assert [row for row in cells if row and row[-1].isdigit()] == [["one", "3"], ["three", "5"]]


def test_predict_saves_each_output_of_a_space(emulator, spaces, tmp_path) -> None:
    picture = tmp_path / "in.png"
    picture.write_bytes(png((200, 100, 50)))
    saved = run_cli(emulator, "predict", f"spaces/{spaces['reports']}", str(picture),
                    "--api-name", "/pair", "-o", str(tmp_path / "pair"))  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    files = sorted((tmp_path / "pair").iterdir())
    assert [f.name.split("-", 1)[0] for f in files] == ["1", "2"]  # in the Space's order
    for path, wanted in zip(files, ((200, 100, 50), (124, 124, 124)), strict=True):
        with Image.open(path) as shown:
            assert shown.convert("RGB").getpixel((2, 2)) == pytest.approx(wanted, abs=6)
    texts = run_cli(emulator, "predict", f"spaces/{spaces['reports']}", "fox", "--api-name",
                    "/report", "-o", str(tmp_path / "report"))  # fmt: skip
    assert texts.returncode == 0, texts.stderr
    upper = next(p for p in (tmp_path / "report").iterdir() if p.name.startswith("2-"))
    assert upper.read_text() == "FOX" and upper.suffix == ".txt"


def test_errors_come_back_as_the_space_meant_them(emulator, space) -> None:
    """Launched without show_error, as most Spaces are."""
    space_id = space("failing")
    servers = {name: Server(emulator, f"spaces/{space_id}", "--api-name", name)
               for name in ("/refuse", "/quota", "/crash", "/warn")}  # fmt: skip
    try:
        refused = servers["/refuse"].predict({"data": ["boom"]})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == (
            f"the Space {space_id} answered: Bad word: 'boom' is not allowed here."
        )
        quota = servers["/quota"].predict({"data": ["x"]})
        assert quota.status_code == 429, quota.text
        assert quota.headers["Retry-After"] == "90"
        # The link is text of the stand-in's message (ZeroGPU's words), never fetched.
        assert quota.json()["error"] == (
            f"the Space {space_id} answered: ZeroGPU quota exceeded: You have exceeded your GPU "
            "quota (60s requested vs. 45s left). Upgrade to PRO "
            "(https://huggingface.co/settings/billing) to get 5x more usage quota. Try again in "
            "0:01:30"
        )
        crash = servers["/crash"].predict({"data": ["x"]})
        assert crash.status_code == 502, crash.text  # the Space's failure, not the input's
        assert "keeps the error to itself" in crash.json()["error"]
        assert "show_error=True" not in crash.json()["error"]
        warned = servers["/warn"].predict({"data": ["one two three four five"]})
        assert warned.status_code == 200, warned.text
        assert warned.json()["output"] == "one two three"
        assert warned.json()["warnings"] == [
            "The text is long: only its first 3 words are used.",
            "Running on CPU: slower than usual.",
        ]
    finally:
        for server in servers.values():
            server.stop()

    crashed = run_cli(emulator, "predict", f"spaces/{space_id}", "x", "--api-name", "/crash")
    assert crashed.returncode == 1, crashed.stderr  # the Space failed: exit 1, not 2
    assert "Traceback" not in crashed.stderr and "keeps the error to itself" in crashed.stderr
    warned = run_cli(emulator, "predict", f"spaces/{space_id}", "a b c d", "--api-name", "/warn")
    assert warned.returncode == 0, warned.stderr
    assert warned.stdout.strip() == "a b c"
    assert "warning: The text is long: only its first 3 words are used." in warned.stderr


def test_endpoints_without_an_input_are_listed_as_not_servable(emulator, space) -> None:
    space_id = space("failing")
    described = run_cli(emulator, "describe", f"spaces/{space_id}", "--api-name", "/warn",
                        "--json")  # fmt: skip
    assert described.returncode == 0, described.stderr
    endpoints = json.loads(described.stdout)["space"]["endpoints"]
    assert endpoints["/count"]["drawable"] is False and endpoints["/clear"]["drawable"] is False
    assert endpoints["/warn"]["drawable"] is True
    picked = run_cli(emulator, "describe", f"spaces/{space_id}", "--api-name", "/count")
    assert picked.returncode == 2
    assert "no input (hubdemo draws a form for a text or a file)" in picked.stderr
    assert "/refuse" in picked.stderr  # the endpoints that would work


def test_a_chatbot_built_with_blocks_is_a_chat_demo(emulator, space) -> None:
    """/respond (message + history -> "", history) and the two-step /user then /bot (history
    in, the reply streamed into it): hubdemo's chat demo, the whole conversation sent each
    time (the Space keeps none)."""
    space_id = space("blocks_chat")
    server = Server(emulator, f"spaces/{space_id}", "--api-name", "/respond")
    try:
        info = httpx.get(f"{server.url}/api/info").json()
        assert [c["kind"] for c in info["inputs"]] == ["chat"]
        assert [p["name"] for p in info["parameters"]] == ["temperature"]
        first = [{"role": "user", "content": "hello"}]
        said = reply(server.predict({"messages": first, "temperature": 0.2}))
        assert said == "Blocks said: hello (turn 1, temperature 0.2)"
        second = [*first, {"role": "assistant", "content": said},
                  {"role": "user", "content": "again"}]  # fmt: skip
        assert reply(server.predict({"messages": second})) == (
            "Blocks said: again (turn 2, temperature 0.5)"  # the history reached it
        )
    finally:
        server.stop()
    bot = Server(emulator, f"spaces/{space_id}", "--api-name", "/bot")
    try:
        streamed = httpx.post(
            f"{bot.url}/api/predict?stream=true",
            json={"messages": [{"role": "user", "content": "hi there"}]},
            timeout=60,
        )
        events = [json.loads(line[6:]) for line in streamed.text.splitlines()
                  if line.startswith("data: ")]  # fmt: skip
        deltas = [e["delta"] for e in events if "delta" in e]
        assert len(deltas) >= 3, events  # word by word, as the Space wrote it
        assert "".join(deltas) == "Blocks said: hi there (turn 1, temperature 0.5)"
        assert events[-1]["output"]["choices"][0]["message"]["content"] == "".join(deltas)
    finally:
        bot.stop()
    if space_id.startswith(f"{OWNER}/g5-"):  # Gradio 5's tuples: [[user, bot], …]
        pairs = Server(emulator, f"spaces/{space_id}", "--api-name", "/respond_pairs")
        try:
            second = [{"role": "user", "content": "one"}, {"role": "assistant", "content": "A"},
                      {"role": "user", "content": "two"}]  # fmt: skip
            assert reply(pairs.predict({"messages": second})) == (
                "Blocks said: two (turn 2, temperature 0.5)"
            )
        finally:
            pairs.stop()
    user = Server(emulator, f"spaces/{space_id}", "--api-name", "/user")
    try:
        answered = user.predict({"messages": [{"role": "user", "content": "x"}]})
        assert answered.status_code == 502, answered.text
        assert "answered no reply" in answered.json()["error"]
        assert "--api-name" in answered.json()["error"]
    finally:
        user.stop()


def events_of(server: Server, body: dict) -> list[dict]:
    streamed = httpx.post(f"{server.url}/api/predict?stream=true", json=body, timeout=60)
    assert streamed.status_code == 200, streamed.text
    assert "event: error" not in streamed.text, streamed.text
    return [json.loads(line[6:]) for line in streamed.text.splitlines()
            if line.startswith("data: ")]  # fmt: skip


def test_progress_and_a_generators_partial_answers_stream(emulator, space) -> None:
    space_id = space("progress")
    denoise = Server(emulator, f"spaces/{space_id}", "--api-name", "/denoise")
    try:
        events = events_of(denoise, {"data": ["a fox"], "parameters": {"steps": 6}})
        progress = [e["progress"][0] for e in events if "progress" in e]
        assert progress, events
        assert {p["desc"] for p in progress} == {"denoising"}
        assert {p["unit"] for p in progress} == {"steps"} and {p["length"] for p in progress} == {6}
        indexes = [p["index"] for p in progress]
        assert indexes == sorted(indexes) and len(set(indexes)) >= 3  # it moved, forward
        assert events[-1]["output"] == "a fox, denoised in 6 steps"
        whole = denoise.predict({"data": ["a fox"], "parameters": {"steps": 2}})
        assert whole.json()["output"] == "a fox, denoised in 2 steps"  # unstreamed: as before
    finally:
        denoise.stop()
    typewriter = Server(emulator, f"spaces/{space_id}", "--api-name", "/typewriter")
    try:
        events = events_of(typewriter, {"data": ["one two three four"]})
        partial = [e["partial"]["output"] for e in events if "partial" in e]
        assert len(partial) >= 3, events
        assert all("one two three four".startswith(text) for text in partial)
        assert partial == sorted(partial, key=len)
        assert events[-1]["output"] == "one two three four"
        assert events[-1]["data"] == [{"text": "one two three four"}]
    finally:
        typewriter.stop()
    frames = Server(emulator, f"spaces/{space_id}", "--api-name", "/frames")
    try:
        events = events_of(frames, {"data": ["x"], "parameters": {"count": 3}})
        pictures = [e["partial"]["output"] for e in events if "partial" in e]
        assert len(pictures) >= 2 and all(p.startswith("data:image/") for p in pictures)
        last = events[-1]["output"]
        with Image.open(io.BytesIO(base64.b64decode(last.split(",", 1)[1]))) as shown:
            assert shown.convert("RGB").getpixel((3, 3)) == pytest.approx((135, 135, 135), abs=6)
    finally:
        frames.stop()


def test_a_file_input_taking_several_files(emulator, spaces, tmp_path) -> None:
    """gr.File(file_count="multiple"): a list of files from the API, several paths from the
    CLI, each reaching the Space under its own name."""
    space_id = spaces["reports"]
    server = Server(emulator, f"spaces/{space_id}", "--api-name", "/sizes")
    try:
        [field] = httpx.get(f"{server.url}/api/info").json()["inputs"]
        assert (field["kind"], field["multiple"]) == ("file", True)
        files = [
            "data:text/plain;name=a.txt;base64," + base64.b64encode(b"hello").decode(),
            "data:text/plain;name=b.txt;base64," + base64.b64encode(b"hi there").decode(),
        ]
        answer = server.predict({"data": [files]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["output"] == "a.txt: 5 bytes\nb.txt: 8 bytes"
        one = server.predict({"data": [files[1]]})  # one file alone: a list of one
        assert one.json()["output"] == "b.txt: 8 bytes"
        empty = server.predict({"data": [[]]})
        assert empty.status_code == 400 and "at least one file" in empty.json()["error"]
    finally:
        server.stop()
    first, second = tmp_path / "one.txt", tmp_path / "two.csv"
    first.write_text("1234")
    second.write_text("a,b\n1,2\n")
    said = run_cli(emulator, "predict", f"spaces/{space_id}", str(first), str(second),
                   "--api-name", "/sizes", "--json")  # fmt: skip
    assert said.returncode == 0, said.stderr
    assert json.loads(said.stdout)["output"] == "one.txt: 4 bytes\ntwo.csv: 8 bytes"


def test_a_multimodal_chat_interface_takes_pictures_with_the_message(emulator, space) -> None:
    """ChatInterface(multimodal=True): a message's pictures (OpenAI parts, as the page sends
    an attached one) reach the Space as files in its MultimodalTextbox."""
    space_id = space("multimodal_chat")
    server = Server(emulator, f"spaces/{space_id}")
    try:
        info = httpx.get(f"{server.url}/api/info").json()
        assert [c["kind"] for c in info["inputs"]] == ["chat"]
        assert info["space"]["multimodal"] is True
        picture = data_url(png((10, 20, 30), (40, 30)))
        first = [{"role": "user", "content": [
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": picture}},
        ]}]  # fmt: skip
        said = reply(server.predict({"messages": first}))
        assert said == "You said: what is this? with 1 picture(s) [(40, 30)] (turn 1)"
        second = [*first, {"role": "assistant", "content": said},
                  {"role": "user", "content": "and now?"}]  # fmt: skip
        assert reply(server.predict({"messages": second})) == (
            "You said: and now? with 0 picture(s) [] (turn 2)"  # the same session: turn 2
        )
        remote = [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.org/x.png"}},
        ]}]  # fmt: skip
        refused = server.predict({"messages": remote})
        assert refused.status_code == 400 and "data URL" in refused.json()["error"]
    finally:
        server.stop()


def test_a_cached_example_is_answered_from_the_spaces_cache(emulator, space) -> None:
    """cache_examples=True: Gradio ran the two examples at start (runs 1 and 2); a request
    that is one of them gets that answer from the Space's cache, not a new run."""
    space_id = space("cached_examples")
    server = Server(emulator, f"spaces/{space_id}")
    try:
        examples = httpx.get(f"{server.url}/api/info").json()["examples"]
        assert [e["title"] for e in examples] == ["hello", "cached answer"]
        second = server.predict(
            {"data": examples[1]["data"], "parameters": examples[1]["parameters"]}
        )
        assert second.status_code == 200, second.text
        assert second.json()["output"] == "CACHED ANSWER CACHED ANSWER CACHED ANSWER (run 2)"
        again = server.predict({"data": ["cached answer"], "parameters": {"times": "3"}})
        assert again.json()["output"] == second.json()["output"]  # the cache again
        first = server.predict({"data": ["hello"]})  # times left out: its default, 2: row 1
        assert first.json()["output"] == "HELLO HELLO (run 1)"
        fresh = server.predict({"data": ["hello"], "parameters": {"times": 1}})
        assert fresh.json()["output"] == "HELLO (run 3)"  # not an example: the Space runs it
    finally:
        server.stop()


SHAPES = ["notes", "chatbot_template", "blocks_chat", "text_to_image_template", "reports",
          "progress", "multimodal_chat", "cached_examples"]  # fmt: skip


def test_smoke_passes_on_each_shape(emulator, space, tmp_path) -> None:
    """`hubdemo smoke` over every shape at once: each answers its own example (or a built-in
    sample of its input's kind) with an output its schema accepts."""
    ids = {name: space(name) for name in SHAPES}
    report = tmp_path / "report.json"
    said = run_cli(emulator, "smoke", *(f"spaces/{i}" for i in ids.values()), "--report",
                   str(report))  # fmt: skip
    assert said.returncode == 0, said.stdout + said.stderr
    checked = {m["model"]: m for m in json.loads(report.read_text())["models"]}
    assert set(checked) == set(ids.values())
    for name, space_id in ids.items():
        examples = checked[space_id]["examples"]
        assert examples and all(e["ok"] for e in examples), (name, examples)
    cached = checked[ids["cached_examples"]]["examples"]
    assert cached[0]["output"] == "HELLO HELLO (run 1)"  # the Space's cache, not a new run


def test_gradio_client_of_hubdemo_on_each_shape(emulator, space) -> None:
    """gradio_client against hubdemo serving the shapes: the chatbot template (a chat: the reply
    with the Space's defaults), text to image (the picture and the seed), a cached example."""
    from gradio_client import Client

    def seeded(out: Any) -> bool:  # (image, seed) as the Space's own API gives them
        picture, seed = out
        return picture["orig_name"].startswith("result") and seed == 7

    for name, args, check in [
        ("chatbot_template", ("hello",), lambda out: out.endswith("top_p=0.95 turn=1: hello")),
        ("text_to_image_template", ("a fox", 7, False), seeded),
        ("cached_examples", ("hello",), lambda out: out == "HELLO HELLO (run 1)"),
    ]:  # fmt: skip
        server = Server(emulator, f"spaces/{space(name)}")
        client = Client(server.url, verbose=False, download_files=False)
        try:
            out = client.predict(*args, api_name="/predict")
            assert check(out), (name, out)
        finally:
            client.close()
            server.stop()
