"""hubdemo/state: the in-process session state (the default), the refusal with several workers
and no Redis, and the helpers of the shared one (its own tests run Redis: e2e/test_shared_state)."""

from __future__ import annotations

import asyncio

import pytest

from hubdemo.errors import StateUnavailable
from hubdemo.state import NO_STATE, InProcess, StateRefused, open_state
from hubdemo.state.private import private_redis
from hubdemo.state.shared import where


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_session_streams_its_messages_once_and_closes_when_idle() -> None:
    async def scenario() -> None:
        state = InProcess()
        await state.joined("s", "e1")  # its readers are told it starts
        assert await state.exists("s") and await state.pending("s") == 1
        assert not await state.close_if_idle("s")  # a job is pending
        await state.publish("s", {"msg": "process_completed", "event_id": "e1"}, done=True)
        read = await state.next("s", 1.0)
        assert [m["msg"] for m in read] == ["process_starts", "process_completed"]
        assert await state.next("s", 0.05) == []  # each message is read once
        assert await state.session_of("e1") is None  # done: no longer cancellable
        assert await state.close_if_idle("s") and not await state.exists("s")
        assert await state.file("0" * 32) is None  # in one process: no file is shared

    run(scenario())


def test_a_job_joined_meanwhile_keeps_the_session_open() -> None:
    async def scenario() -> None:
        state = InProcess()
        await state.joined("s", "e1")
        await state.publish("s", {"msg": "process_completed", "event_id": "e1"}, done=True)
        await state.next("s", 1.0)
        await state.joined("s", "e2")  # a second job before the reader closes
        assert not await state.close_if_idle("s")
        assert await state.session_of("e2") == "s"

    run(scenario())


def test_cancels_reach_the_listener_and_old_sessions_go(monkeypatch) -> None:
    from hubdemo.state import memory

    async def scenario() -> list[str]:
        heard: list[str] = []
        state = InProcess()
        await state.start(heard.append)
        await state.cancel("e9")
        await state.joined("old", "e1")
        monkeypatch.setattr(memory, "SESSION_TTL", 0.0)
        await state.joined("new", "e2")  # sweeps: "old" is past its time
        assert not await state.exists("old") and await state.exists("new")
        return heard

    heard = run(scenario())
    assert heard[:2] == ["e9", "session:old"]


def test_conversations_are_kept_per_session_and_bounded(monkeypatch) -> None:
    from hubdemo.state import memory

    monkeypatch.setattr(memory, "KEEP_CONVERSATIONS", 2)

    async def scenario() -> None:
        state = InProcess()
        for name in ("a", "b", "c"):
            await state.keep_conversation(name, [{"role": "user", "content": name}])
        assert await state.conversation("a") == []  # the oldest went
        assert await state.conversation("c") == [{"role": "user", "content": "c"}]

    run(scenario())


def test_several_workers_without_redis_refuse_with_the_fix() -> None:
    state = open_state(None, "ns", workers=2)
    assert isinstance(state, StateRefused)
    with pytest.raises(StateUnavailable, match="--state redis://"):
        state.check()
    assert run(state.health()) == {"backend": "none", "ok": False, "error": NO_STATE}
    assert isinstance(open_state(None, "ns", workers=1), InProcess)
    open_state(None, "ns", workers=1).check()  # one worker: nothing to refuse


def test_the_redis_url_is_shown_without_its_password() -> None:
    assert where("redis://user:s3cret@cache.local:6380/2") == "redis://cache.local:6380/2"
    assert where("redis://127.0.0.1/0") == "redis://127.0.0.1:6379/0"
    assert where("unix:///tmp/x/redis.sock") == "unix:///tmp/x/redis.sock"


def test_no_private_redis_without_redis_server(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with private_redis() as url:
        assert url is None
