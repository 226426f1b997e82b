"""A Space that keeps each visitor's data (gr.State, or a dict under request.session_hash):
hubdemo gives every visitor a session of its own on the Space (a page load, a Gradio-protocol
session, an API client sending X-Hubdemo-Session, a Python Demo), a call without one a new
session each time, and forgets a session after --session-ttl or past --max-sessions."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from support import REPO
from support.gradio_spaces import OWNER, space_info, started_apps
from support.servers import Server, hubdemo_env


def add(server: Server, note: str, session: str | bytes | None = None) -> httpx.Response:
    headers = {"X-Hubdemo-Session": session} if session else {}
    return httpx.post(
        f"{server.url}/api/predict", json={"data": [note]}, headers=headers, timeout=60
    )


def said(server: Server, note: str, session: str | None = None) -> str:
    answer = add(server, note, session)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["output"])


@pytest.fixture
def notes(emulator, spaces) -> Iterator[Server]:
    server = Server(emulator, f"spaces/{spaces['notes']}")
    yield server
    server.stop()


def test_each_api_client_sees_only_its_own_state(notes) -> None:
    alice, bob = uuid.uuid4().hex, uuid.uuid4().hex
    assert said(notes, "alpha", alice) == "alpha (call 1)"
    assert said(notes, "beta", bob) == "beta (call 1)"  # not alice's notes, not her count
    assert said(notes, "gamma", alice) == "alpha | gamma (call 2)"
    assert said(notes, "delta", bob) == "beta | delta (call 2)"
    # No session named: a new one every call, sharing nothing with anyone, itself included.
    assert said(notes, "one") == "one (call 1)"
    assert said(notes, "two") == "two (call 1)"
    assert said(notes, "epsilon", alice) == "alpha | gamma | epsilon (call 3)"


def test_a_guessable_session_id_is_refused_with_the_fix(notes) -> None:
    for bad in ("1", "x" * 15, "a b c d e f g h i j", "é".encode() * 20, "y" * 129):
        refused = add(notes, "hi", bad)
        assert refused.status_code == 400, (bad, refused.text)
        assert "X-Hubdemo-Session must be 16 to 128 letters" in refused.json()["error"]


def test_gradio_clients_of_hubdemo_each_keep_their_own_session(notes) -> None:
    from gradio_client import Client

    first = Client(notes.url, verbose=False, download_files=False)
    second = Client(notes.url, verbose=False, download_files=False)
    try:
        assert first.predict("red", api_name="/predict") == "red (call 1)"
        assert second.predict("blue", api_name="/predict") == "blue (call 1)"
        assert first.predict("green", api_name="/predict") == "red | green (call 2)"
        first.reset_session()  # a new session, as a reloaded page: nothing of the old one
        assert first.predict("pink", api_name="/predict") == "pink (call 1)"
    finally:
        first.close()
        second.close()


def test_a_python_demo_is_one_session_as_a_gradio_client_is(
    emulator, spaces, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubdemo

    for name, value in hubdemo_env(emulator).items():
        monkeypatch.setenv(name, value)
    with (
        hubdemo.load(f"spaces/{spaces['notes']}") as first,
        hubdemo.load(f"spaces/{spaces['notes']}") as second,
    ):
        assert first.predict("one") == "one (call 1)"
        assert second.predict("two") == "two (call 1)"
        assert first.predict("three") == "one | three (call 2)"


def test_a_session_is_forgotten_after_its_ttl_and_past_the_cap(emulator, spaces) -> None:
    server = Server(
        emulator, f"spaces/{spaces['notes']}", "--session-ttl", "4", "--max-sessions", "2"
    )
    try:
        alice, bob, carol = (uuid.uuid4().hex for _ in range(3))
        assert said(server, "a1", alice) == "a1 (call 1)"
        time.sleep(5.0)  # idle past --session-ttl 4: a new, empty session (4 s: calls under load)
        assert said(server, "a2", alice) == "a2 (call 1)"
        assert said(server, "b1", bob) == "b1 (call 1)"
        assert said(server, "c1", carol) == "c1 (call 1)"  # a third: alice, the oldest, goes
        assert said(server, "b2", bob) == "b1 | b2 (call 2)"
        assert said(server, "a3", alice) == "a3 (call 1)"
    finally:
        server.stop()


def test_sessions_are_kept_apart_on_gradio_5_too(emulator) -> None:
    python = REPO / ".venv-gradio5" / "bin" / "python"
    with started_apps(python, ("notes",)) as apps:
        space_id = f"{OWNER}/g5-notes"
        emulator.spaces[space_id] = [space_info(space_id, apps["notes"])]
        server = Server(emulator, f"spaces/{space_id}")
        try:
            alice, bob = uuid.uuid4().hex, uuid.uuid4().hex
            assert said(server, "alpha", alice) == "alpha (call 1)"
            assert said(server, "beta", bob) == "beta (call 1)"
            assert said(server, "gamma", alice) == "alpha | gamma (call 2)"
        finally:
            server.stop()
            emulator.spaces.pop(space_id, None)
