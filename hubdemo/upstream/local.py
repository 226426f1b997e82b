"""The local backend: the model runs in this process, on the CPU, with transformers.

It takes the same WireRequests as the router and answers the router's wire bodies, so the
task handlers, the page, the API and ``hubdemo endpoint`` cannot tell it from a remote one.
The model loads in a worker thread as soon as the backend is made (the server answers, and the
page says "loading model…", meanwhile); inference runs on that same thread, in batches.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
import time
from collections.abc import AsyncGenerator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import jsonio
from ..errors import HubdemoError, InputError, LocalModelError, PayloadTooLarge, UpstreamTimeout
from ..local import quiet_transformers, require_local
from ..local.batching import Batcher
from ..local.registry import EMBEDDING_TASKS, GENERATION_TASKS, LOCAL
from ..offload import OFFLOAD_BYTES, off_loop
from ..tasks import get_task
from ..tasks.base import TaskInput, count_texts
from ..wire import WireRequest, WireResponse
from .base import Upstream

if TYPE_CHECKING:
    from ..download.fetch import Fetch
    from ..download.progress import DownloadProgress
from .http import DEFAULT_TOTAL

log = logging.getLogger("hubdemo")

# Tasks whose answer to one text is a list of one (text-classification's [[...]],
# translation's [{...}]): the router's answer to a list of texts is those items, in order.
ONE_IN_A_LIST = ("text-classification", "summarization", "translation", "text2text-generation")
# Texts one request may bring (sentences to compare, texts to embed, labels): each costs a
# forward pass on this machine's CPU, and one request must not hold the model for minutes.
MAX_TEXTS = 256


class LocalUpstream(Upstream):
    kind = "local"
    can_stream = True

    def __init__(
        self,
        model_dir: Path,
        task: str,
        *,
        batch_size: int = 16,
        batch_wait: float = 0.002,
        model_id: str | None = None,
        timeout: float | None = None,
        fetch: Fetch | None = None,
    ) -> None:
        require_local()
        self.model_dir = Path(model_dir)
        self.fetch = fetch  # the model's files, fetched first when they are not cached
        self.task = task
        self.model_id = model_id or self.model_dir.name
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self.timeout = DEFAULT_TOTAL if timeout is None else timeout
        self._state = "idle"  # -> ("downloading" ->) "loading" -> "ready" | "failed"
        self._load_error: str | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hubdemo-model")
        self._runners: dict[str, Any] = {}
        self._encoder: Any = None
        self._lm: Any = None  # the CausalLM of chat, text-generation and completions
        self._lock = threading.Lock()  # guards the runners (worker thread)
        self._start_lock = threading.Lock()  # never held while a model loads
        self._batchers: dict[str, Batcher] = {}
        self.loaded: Future[None] | None = None

    @property
    def state(self) -> str:
        return self._state

    @property
    def load_error(self) -> str | None:
        return self._load_error

    @property
    def download(self) -> DownloadProgress | None:
        """The download's progress while the model's files are fetched (and after)."""
        return self.fetch.progress if self.fetch is not None else None

    def start(self) -> Future[None]:
        """Begin loading the model in the worker thread (once); describe never calls it."""
        with self._start_lock:
            if self.loaded is None:
                self._state = "downloading" if self.fetch else "loading"
                self.loaded = self._executor.submit(self._load_main)
            return self.loaded

    # -- loading (worker thread) ---------------------------------------------------------

    def _load_main(self) -> None:
        started = time.perf_counter()
        try:
            if self.fetch is not None:
                self.model_dir = self.fetch.run()
                self._state = "loading"
                started = time.perf_counter()  # the load's own time, as for a cached model
            quiet_transformers()
            self._runner(self.task)
        except BaseException as exc:
            self._state = "failed"
            self._load_error = exc.message if isinstance(exc, HubdemoError) else str(exc)
            raise
        self.load_seconds = time.perf_counter() - started
        self._state = "ready"

    def supports(self, task: str) -> bool:
        if task in EMBEDDING_TASKS:
            return self.task in EMBEDDING_TASKS
        if task in GENERATION_TASKS and self.task in GENERATION_TASKS:
            return task != "chat-completion" or self.task == "chat-completion"
        return task == self.task and task in LOCAL

    def _runner(self, task: str) -> Any:
        with self._lock:
            if task not in self._runners:
                self._runners[task] = self._build(task)
            return self._runners[task]

    def _build(self, task: str) -> Any:
        if not self.supports(task):
            raise LocalModelError(
                f"the local backend cannot run {task} with this model yet; use the router or "
                "--endpoint for it"
            )
        entry = LOCAL[task]
        try:
            return entry.make(self._shared(entry.family))
        except HubdemoError:
            raise
        except Exception as exc:
            raise LocalModelError(
                f"cannot load the model in {self.model_dir} for {task} ({type(exc).__name__}: "
                f"{str(exc)[:300]}); check that the folder holds a complete saved model"
            ) from exc

    def _shared(self, family: str) -> Any:
        """What a runner of ``family`` is made from: the folder, or the one encoder or causal
        language model that the tasks of the family share."""
        if family == "embeddings":
            if self._encoder is None:
                from ..local.embeddings import Encoder

                self._encoder = Encoder(self.model_dir)
            return self._encoder
        if family == "generation":
            if self._lm is None:
                from ..local.generation.model import CausalLM

                self._lm = CausalLM(self.model_dir, self.model_id)
            return self._lm
        return self.model_dir

    def input_limit(self) -> int | None:
        """The longest input in tokens, from the saved files (nothing is loaded for it)."""
        return input_limit(self.model_dir)

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
        handler = get_task("text-generation" if task == "completions" else task)
        task_input = await _read_off_loop(task, request)
        texts = count_texts(task_input.inputs)
        if texts > MAX_TEXTS:
            raise PayloadTooLarge(
                f"the request holds {texts} texts; the model on this machine takes at most "
                f"{MAX_TEXTS} per request: send them in smaller groups"
            )

        batcher = await self._batcher(task)
        try:
            async with asyncio.timeout(self.timeout):
                if handler.is_batch(task_input) and task != "feature-extraction":
                    result = await self._batch(task, batcher, task_input)
                else:  # feature-extraction's runner embeds a list in one pass itself
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

    async def _batcher(self, task: str) -> Batcher:
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
        return batcher

    @staticmethod
    async def _batch(task: str, batcher: Batcher, task_input: Any) -> list[Any]:
        """A list of texts: each joins the batcher on its own, so they run in batches of
        --batch-size beside other requests; the answer is the router's list."""
        answers = await asyncio.gather(
            *(batcher.submit(text, task_input.parameters) for text in task_input.inputs)
        )
        return [a[0] for a in answers] if task in ONE_IN_A_LIST else list(answers)

    async def stream(
        self, request: WireRequest, task: str | None = None
    ) -> AsyncGenerator[dict[str, Any], None]:
        """An answer as it is written, in the form of ``task`` (the model's own by default):
        chat.completion.chunk objects for chat, TGI's token events for text-generation,
        text_completion chunks for completions. Generation stops when the listener goes (the
        server closes this iterator)."""
        task = task or self.task
        task_input = await _read_off_loop(task, request)
        await asyncio.wrap_future(self.start())
        loop = asyncio.get_running_loop()
        model = await loop.run_in_executor(self._executor, self._runner, task)
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stopped = threading.Event()

        def tell(kind: str, value: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

        def generate() -> None:
            try:
                push = functools.partial(tell, "event")
                tell("end", model.stream(task_input.inputs, task_input.parameters, push, stopped))
            except Exception as exc:  # handed to the event loop, raised there
                tell("error", exc)

        loop.run_in_executor(self._executor, generate)
        try:
            while True:
                kind, value = await queue.get()
                if kind == "event":
                    yield value
                elif kind == "end":
                    for event in value:
                        yield event
                    return
                elif isinstance(value, HubdemoError):
                    raise value
                else:
                    log.warning("local generation failed", exc_info=value)
                    raise LocalModelError(
                        f"the model failed on this input ({type(value).__name__}: "
                        f"{str(value)[:300]})"
                    )
        finally:
            stopped.set()

    async def aclose(self) -> None:
        for batcher in self._batchers.values():
            await batcher.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)


async def _read_off_loop(task: str, request: WireRequest) -> TaskInput:
    """The request read (parsed, checked): in the parsing thread when it is large, so that a
    body of millions of parameters does not hold the event loop (and /health)."""
    if len(request.content or b"") > OFFLOAD_BYTES:
        return await off_loop(task_input_of, task, request)
    return task_input_of(task, request)


def task_input_of(task: str, request: WireRequest) -> TaskInput:
    """The request as the task's runner takes it. OpenAI's completions body has no
    task schema: its runner reads (and checks) the whole body."""
    if task != "completions":
        return get_task(task).read_request(request)
    try:
        body = jsonio.loads(request.content) if request.content is not None else request.json
    except (ValueError, UnicodeDecodeError):
        raise InputError('POST /v1/completions takes a JSON body: {"prompt": ...}') from None
    if not isinstance(body, dict):
        raise InputError('POST /v1/completions takes a JSON object: {"prompt": ...}')
    return TaskInput(body)


def input_limit(model_dir: Path) -> int | None:
    """The longest input in tokens, from the saved files (nothing is loaded for it)."""
    found: list[int] = []
    for name, keys in (
        ("tokenizer_config.json", ("model_max_length",)),
        ("config.json", ("max_position_embeddings", "n_positions", "max_seq_length")),
    ):
        try:
            saved = json.loads((model_dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found += [saved[k] for k in keys if isinstance(saved.get(k), int)]
    usable = [n for n in found if 0 < n < 10**7]  # transformers writes 1e30 for "none"
    return min(usable) if usable else None
