"""The local backend: the model runs in this process, on the CPU, with transformers.

It takes the same WireRequests as the router and answers the router's wire bodies, so the
task handlers, the page, the API and ``hubdemo endpoint`` cannot tell it from a remote one.
The model loads in a worker thread as soon as the backend is made (the server answers, and the
page says "loading model…", meanwhile); inference runs on that same thread, in batches.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import AsyncGenerator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import HubdemoError, LocalModelError, PayloadTooLarge, UpstreamTimeout
from ..local import quiet_transformers, require_local
from ..local.batching import Batcher
from ..tasks import get_task
from ..tasks.base import WireRequest, WireResponse, count_texts
from .http import DEFAULT_TOTAL

log = logging.getLogger("hubdemo")

EMBEDDING_TASKS = ("feature-extraction", "sentence-similarity")
# Texts one request may bring (sentences to compare, texts to embed, labels): each costs a
# forward pass on this machine's CPU, and one request must not hold the model for minutes.
MAX_TEXTS = 256


def _chunk(delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    """One chat.completion.chunk, as chat-completion/stream_output.json has it."""
    return {
        "id": "local",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "local",
        "system_fingerprint": "hubdemo-local",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
    }


class LocalUpstream:
    kind = "local"

    def __init__(
        self,
        model_dir: Path,
        task: str,
        *,
        batch_size: int = 16,
        batch_wait: float = 0.002,
        model_id: str | None = None,
        timeout: float | None = None,
    ) -> None:
        require_local()
        self.model_dir = Path(model_dir)
        self.task = task
        self.model_id = model_id or self.model_dir.name
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self.timeout = DEFAULT_TOTAL if timeout is None else timeout
        self.state = "idle"  # -> "loading" -> "ready" | "failed"
        self.load_error: str | None = None
        self.load_seconds: float | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hubdemo-model")
        self._runners: dict[str, Any] = {}
        self._encoder: Any = None
        self._lock = threading.Lock()  # guards the runners (worker thread)
        self._start_lock = threading.Lock()  # never held while a model loads
        self._batchers: dict[str, Batcher] = {}
        self.loaded: Future[None] | None = None

    def start(self) -> Future[None]:
        """Begin loading the model in the worker thread (once); describe never calls it."""
        with self._start_lock:
            if self.loaded is None:
                self.state = "loading"
                self.loaded = self._executor.submit(self._load_main)
            return self.loaded

    # -- loading (worker thread) ---------------------------------------------------------

    def _load_main(self) -> None:
        started = time.perf_counter()
        try:
            quiet_transformers()
            self._runner(self.task)
        except BaseException as exc:
            self.state = "failed"
            self.load_error = getattr(exc, "message", str(exc))
            raise
        self.load_seconds = time.perf_counter() - started
        self.state = "ready"

    def supports(self, task: str) -> bool:
        from ..local.runners import RUNNERS

        if task in EMBEDDING_TASKS:
            return self.task in EMBEDDING_TASKS
        return task == self.task and task in RUNNERS

    def _runner(self, task: str) -> Any:
        with self._lock:
            if task not in self._runners:
                self._runners[task] = self._build(task)
            return self._runners[task]

    def _build(self, task: str) -> Any:
        from ..local import embeddings
        from ..local.runners import RUNNERS

        if not self.supports(task):
            raise LocalModelError(
                f"the local backend cannot run {task} with this model yet; use the router or "
                "--endpoint for it"
            )
        try:
            if task in EMBEDDING_TASKS:
                if self._encoder is None:
                    self._encoder = embeddings.Encoder(self.model_dir)
                make = getattr(embeddings, task.replace("-", "_"))
                return make(self._encoder)
            return RUNNERS[task](self.model_dir)
        except HubdemoError:
            raise
        except Exception as exc:
            raise LocalModelError(
                f"cannot load the model in {self.model_dir} for {task} ({type(exc).__name__}: "
                f"{str(exc)[:300]}); check that the folder holds a complete saved model"
            ) from exc

    # -- the Upstream interface -----------------------------------------------------------

    def url_for(self, route: str) -> str:
        # The model's name, not its folder: /api/info and the page are seen by visitors.
        return f"local:{self.model_id} (in process, CPU)"

    async def send(self, request: WireRequest) -> WireResponse:
        return await self.answer(self.task, request)

    async def answer(self, task: str, request: WireRequest) -> WireResponse:
        """Answer a request of ``task`` (the model's own, or the other embedding task): at most
        MAX_TEXTS texts, within ``timeout`` seconds once the model is loaded. (The model's
        thread finishes a batch it has begun; the request does not wait for it.)"""
        task_input = get_task(task).read_request(request)
        texts = count_texts(task_input.inputs)
        if texts > MAX_TEXTS:
            raise PayloadTooLarge(
                f"the request holds {texts} texts; the model on this machine takes at most "
                f"{MAX_TEXTS} per request: send them in smaller groups"
            )

        await asyncio.wrap_future(self.start())  # raises the load error, if any
        batcher = self._batchers.get(task)
        if batcher is None:
            runner = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._runner, task
            )
            batcher = Batcher(
                runner, self._executor, max_size=self.batch_size, max_wait=self.batch_wait
            )
            self._batchers[task] = batcher
        try:
            async with asyncio.timeout(self.timeout):
                result = await batcher.submit(task_input.inputs, task_input.parameters)
        except TimeoutError:
            raise UpstreamTimeout(
                f"the model on this machine did not answer within {self.timeout:g} s; try a "
                "shorter input, or raise --timeout"
            ) from None
        except HubdemoError:
            raise
        except Exception as exc:
            log.warning("local %s failed", task, exc_info=True)
            raise LocalModelError(
                f"the model failed on this input ({type(exc).__name__}: {str(exc)[:300]}); "
                "try a different input"
            ) from None
        return WireResponse(status=200, content_type="application/json", payload=result)

    async def stream(self, request: WireRequest) -> AsyncGenerator[dict[str, Any], None]:
        """A chat answer as the router streams it: chat.completion.chunk objects, one per piece
        of text, the last with the finish reason and usage. Generation stops when the listener
        goes (the server closes this iterator)."""
        task_input = get_task(self.task).read_request(request)
        await asyncio.wrap_future(self.start())
        loop = asyncio.get_running_loop()
        model = await loop.run_in_executor(self._executor, self._runner, self.task)
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stopped = threading.Event()

        def tell(kind: str, value: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

        def generate() -> None:
            try:
                push = functools.partial(tell, "piece")
                tell("end", model.stream(task_input.inputs, task_input.parameters, push, stopped))
            except Exception as exc:  # handed to the event loop, raised there
                tell("error", exc)

        loop.run_in_executor(self._executor, generate)
        try:
            while True:
                kind, value = await queue.get()
                if kind == "piece":
                    yield _chunk({"role": "assistant", "content": value}, None)
                elif kind == "end":
                    choice = value["choices"][0]
                    yield {**_chunk({}, choice["finish_reason"]), "usage": value["usage"]}
                    return
                elif isinstance(value, HubdemoError):
                    raise value
                else:
                    log.warning("local chat failed", exc_info=value)
                    raise LocalModelError(
                        f"the model failed on this conversation ({type(value).__name__}: "
                        f"{str(value)[:300]})"
                    )
        finally:
            stopped.set()

    async def aclose(self) -> None:
        for batcher in self._batchers.values():
            await batcher.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)
