"""The shapes of the most copied Spaces, on Gradio 6 and Gradio 5 (stand-ins in tests/spaces):
the Hub's chatbot template (a ChatInterface with additional inputs), …; each through describe,
predict and the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from support import REPO
from support.gradio_spaces import OWNER, space_info, started_apps
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
