"""Session state in Redis (or Valkey), through redis-py's asyncio client: what a job on one
worker publishes, a ``queue/data`` stream on another reads; a cancel reaches the worker that
runs the job; a file uploaded to one is read through another.

Keys (each under ``hubdemo:<app>:``, each with a TTL, so nothing outlives its session):
``sess:<s>`` the session (its pending count), ``ev:<s>`` a stream of its unread messages,
``jobs:<s>`` its pending jobs, ``job:<event>`` a pending job's session (a lease its worker
renews: a worker that dies stops renewing, and a reader answers its jobs with an error rather
than waiting for ever), ``conv:<s>`` a chat conversation, ``file:<name>`` a file, ``files`` and
``files:bytes`` what files are kept and their total (the oldest go past the bound),
``visitor:<digest>`` a Space visitor's session hash. Cancels go over pub/sub to every
worker, and so does word that a session has a new message: a reader waits for that word in
its worker (no connection held), and looks again every POLL seconds all the same, so an
unreachable Redis is noticed within seconds (StateUnavailable, 503); redis-py reconnects by
itself when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import orjson

from ..errors import StateUnavailable
from .base import (
    CONVERSATION_TTL,
    KEEP_FILES,
    SESSION_TTL,
    Message,
    SessionState,
    starts_message,
)

log = logging.getLogger("hubdemo")
POLL = 2.0  # seconds a reader waits for word of a message before it looks again
HEALTH_WITHIN = 1.0  # seconds /healthz waits for Redis's PING
CONNECTIONS = 64  # connections to Redis per worker; a command waits for a free one
TIMEOUT = 5.0  # seconds any one Redis command may take
MAX_UNREAD = 10_000  # messages a session's stream holds at most
LEASE = 6.0  # seconds a job's lease lasts; its worker renews it every LEASE / 3

# Atomic steps, so that a job joined on another worker meanwhile is never lost.
JOIN = """
redis.call('HINCRBY', KEYS[1], 'pending', 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[3])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'm', ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[2])
redis.call('PUBLISH', KEYS[5], ARGV[5])
return 1
"""
PUBLISH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] == '1' then
  if redis.call('SREM', KEYS[4], ARGV[5]) == 0 then return 0 end  -- answered already
  redis.call('HINCRBY', KEYS[1], 'pending', -1)
  redis.call('DEL', KEYS[3])
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'm', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[5], ARGV[6])
return 1
"""
REAP = """
if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
if redis.call('SREM', KEYS[3], ARGV[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'pending', -1)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[2])
redis.call('PUBLISH', KEYS[5], ARGV[4])
return 1
"""
TAKE = """
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', ARGV[2])
if #entries > 0 then
  local ids = {}
  for i, entry in ipairs(entries) do ids[i] = entry[1] end
  redis.call('XDEL', KEYS[1], unpack(ids))
end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return entries
"""
CLOSE_IF_IDLE = """
local pending = tonumber(redis.call('HGET', KEYS[1], 'pending') or '0')
if pending > 0 or redis.call('XLEN', KEYS[2]) > 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
"""


def where(url: str) -> str:
    """The URL without its password, to show."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


class InRedis(SessionState):
    backend = "redis"
    shared = True

    def __init__(self, url: str, namespace: str) -> None:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError as Disconnected

        self.url = where(url)
        # A pooled connection that Redis closed while it was away fails its next command:
        # asked again on a new connection (twice at most, quickly) rather than said as a 503.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=CONNECTIONS, timeout=TIMEOUT,
            socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2), retry_on_error=[Disconnected],
        )  # fmt: skip
        self.redis: Any = aioredis.Redis(connection_pool=pool)
        self.prefix = f"hubdemo:{namespace}:"
        self.channel = f"{self.prefix}cancel"
        # A word that a session has a new message: readers wait for it here, holding no
        # connection (a reader blocking in Redis would hold one each).
        self.news = f"{self.prefix}news"
        self.waiting: dict[str, asyncio.Event] = {}
        self._join = self.redis.register_script(JOIN)
        self._publish = self.redis.register_script(PUBLISH)
        self._close_if_idle = self.redis.register_script(CLOSE_IF_IDLE)
        self._reap = self.redis.register_script(REAP)
        self._take = self.redis.register_script(TAKE)
        self.leases: set[str] = set()  # event ids of the jobs this worker runs
        self.tasks: list[asyncio.Task[None]] = []

    def key(self, kind: str, name: str) -> str:
        return f"{self.prefix}{kind}:{name}"

    @contextlib.asynccontextmanager
    async def reached(self) -> AsyncIterator[None]:
        """Redis's failures as StateUnavailable, in one line that says what to do."""
        from redis.exceptions import RedisError

        try:
            yield
        except (RedisError, OSError, TimeoutError) as exc:
            raise StateUnavailable(
                f"the shared session state at {self.url} cannot be reached "
                f"({type(exc).__name__}): Gradio's clients wait for it; /api/predict works"
            ) from None

    async def start(self, on_cancel: Callable[[str], None]) -> None:
        self.tasks = [
            asyncio.create_task(self._listen(on_cancel)),
            asyncio.create_task(self._renew()),
        ]

    async def _renew(self) -> None:
        """Renew the leases of this worker's running jobs."""
        while True:
            await asyncio.sleep(LEASE / 3)
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for event_id in list(self.leases):
                        pipe.expire(self.key("job", event_id), int(LEASE))
                    await pipe.execute()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: the leases lapse, as they must
                log.debug("lease renewal: %s", exc)

    async def _listen(self, on_cancel: Callable[[str], None]) -> None:
        """Every cancel any worker sends, and word of new messages for this worker's readers;
        resubscribes after Redis comes back."""
        cancels, news = self.channel.encode(), self.news.encode()
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel, self.news)
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        if message["channel"] == cancels:
                            on_cancel(message["data"].decode())
                        elif message["channel"] == news:
                            waiting = self.waiting.get(message["data"].decode())
                            if waiting is not None:
                                waiting.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis went away: listen again when it is back
                log.debug("cancel listener: %s", exc)
                await asyncio.sleep(1.0)

    async def aclose(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.redis.aclose()

    async def health(self) -> dict[str, Any]:
        try:  # quickly: a load balancer's health check waits on it
            async with asyncio.timeout(HEALTH_WITHIN), self.reached():
                await self.redis.ping()
        except (StateUnavailable, TimeoutError) as exc:
            return {"backend": self.backend, "url": self.url, "ok": False, "error": str(exc)}
        return {"backend": self.backend, "url": self.url, "ok": True}

    # -- sessions ----------------------------------------------------------------------------

    async def joined(self, session: str, event_id: str) -> None:
        keys = [self.key("sess", session), self.key("jobs", session), self.key("job", event_id),
                self.key("ev", session), self.news]  # fmt: skip
        starts = orjson.dumps(starts_message(event_id))
        args: list[Any] = [event_id, int(SESSION_TTL), int(LEASE), starts, session, MAX_UNREAD]
        async with self.reached():
            await self._join(keys=keys, args=args)
        self.leases.add(event_id)

    async def publish(self, session: str, message: Message, *, done: bool = False) -> None:
        event_id = str(message.get("event_id"))
        keys = [self.key("sess", session), self.key("ev", session), self.key("job", event_id)]
        keys += [self.key("jobs", session), self.news]
        args = [orjson.dumps(message), "1" if done else "0", int(SESSION_TTL), MAX_UNREAD]
        if done:
            self.leases.discard(event_id)
        async with self.reached():
            await self._publish(keys=keys, args=[*args, event_id, session])

    async def exists(self, session: str) -> bool:
        async with self.reached():
            return bool(await self.redis.exists(self.key("sess", session)))

    async def next(self, session: str, timeout: float) -> list[Message]:
        stream, deadline = self.key("ev", session), time.monotonic() + timeout
        word = self.waiting.setdefault(session, asyncio.Event())
        keys, args = [stream, self.key("sess", session)], [int(SESSION_TTL), 100]
        try:
            async with self.reached():
                while True:
                    word.clear()  # before looking: a word from now on is for what comes next
                    entries = await self._take(keys=keys, args=args)  # and keeps it alive
                    if entries:
                        return [orjson.loads(fields[1]) for _, fields in entries]
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return []
                    try:
                        await asyncio.wait_for(word.wait(), min(POLL, left))
                    except TimeoutError:  # no word: look again, and for jobs whose worker died
                        await self._reaped(session)
        finally:
            if self.waiting.get(session) is word:
                del self.waiting[session]

    async def _reaped(self, session: str) -> bool:
        """Answer the session's jobs whose worker stopped renewing their lease (it died) with
        an error; whether there were any."""
        reaped = False
        for raw in await self.redis.smembers(self.key("jobs", session)):
            event_id = raw.decode()
            message = {"msg": "process_completed", "event_id": event_id, "success": False,
                       "output": {"error": "the worker running this job stopped; try again",
                                  "title": "WorkerLost"}}  # fmt: skip
            keys = [self.key("sess", session), self.key("ev", session),
                    self.key("jobs", session), self.key("job", event_id), self.news]  # fmt: skip
            args = [event_id, orjson.dumps(message), MAX_UNREAD, session]
            reaped |= bool(await self._reap(keys=keys, args=args))
        return reaped

    async def pending(self, session: str) -> int:
        async with self.reached():
            return int(await self.redis.hget(self.key("sess", session), "pending") or 0)

    async def close_if_idle(self, session: str) -> bool:
        keys = [self.key("sess", session), self.key("ev", session), self.key("jobs", session)]
        async with self.reached():
            return bool(await self._close_if_idle(keys=keys))

    async def forget(self, session: str, *, cancel: bool = True) -> None:
        async with self.reached():
            keys = (self.key(kind, session) for kind in ("sess", "ev", "jobs"))
            await self.redis.delete(*keys)
            if cancel:
                await self.redis.publish(self.channel, f"session:{session}")

    async def session_of(self, event_id: str) -> str | None:
        async with self.reached():
            found = await self.redis.get(self.key("job", event_id))
        return found.decode() if found else None

    async def cancel(self, target: str) -> None:
        async with self.reached():
            await self.redis.publish(self.channel, target)

    # -- conversations and files -------------------------------------------------------------

    async def conversation(self, session: str) -> list[dict[str, Any]]:
        async with self.reached():
            found = await self.redis.get(self.key("conv", session))
        return list(orjson.loads(found)) if found else []

    async def keep_conversation(self, session: str, turns: list[dict[str, Any]]) -> None:
        async with self.reached():
            await self.redis.set(
                self.key("conv", session), orjson.dumps(turns), ex=int(CONVERSATION_TTL)
            )

    async def keep_file(self, name: str, content: bytes, bound: int = 0) -> None:
        """Kept an hour; past ``bound`` bytes in all, the oldest files go first."""
        index, total, ttl = f"{self.prefix}files", f"{self.prefix}files:bytes", int(KEEP_FILES)
        async with self.reached():
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(self.key("file", name), content, ex=ttl)
                pipe.zadd(index, {name: time.time()}).expire(index, ttl)
                pipe.incrby(total, len(content)).expire(total, ttl)
                await pipe.execute()
            while bound and int(await self.redis.get(total) or 0) > bound:
                oldest = await self.redis.zpopmin(index)
                if not oldest or oldest[0][0].decode() == name:  # the newest stays
                    break
                gone = self.key("file", oldest[0][0].decode())
                size = await self.redis.strlen(gone)
                await self.redis.delete(gone)
                await self.redis.decrby(total, size)

    async def visitor_session(self, visitor: str, ttl: float) -> str | None:
        # By a digest: the visitor's id is the key to its state, not to be read off Redis.
        key = self.key("visitor", hashlib.sha256(visitor.encode()).hexdigest())
        async with self.reached():
            await self.redis.set(key, uuid.uuid4().hex, nx=True, ex=int(ttl))
            found = await self.redis.getex(key, ex=int(ttl))
        return found.decode() if found else None

    async def file(self, name: str) -> bytes | None:
        async with self.reached():
            found = await self.redis.get(self.key("file", name))
        return bytes(found) if found is not None else None
