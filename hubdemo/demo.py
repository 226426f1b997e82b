"""hubdemo's Python API: a demo as an object, as ``gr.load`` gives one.

    import hubdemo

    demo = hubdemo.load("google/vit-base-patch16-224")       # a model, a Space, a folder
    demo.predict("cat.jpg")                                   # the normalized output
    await demo.apredict("cat.jpg", top_k=3)                   # the same, from async code
    demo.info()                                               # GET /api/info's object
    app.mount("/vit", demo.app)                               # the ASGI app (page and API)
    demo.launch(port=7860)                                    # serve it, as `hubdemo serve`

    hubdemo.Demo(my_function, task="image-classification")    # your function, the task's UI

Inputs are positional, in the order of ``info()["inputs"]``, in the value forms of
``{"data": [...]}``: text as ``str``; media as a path, ``bytes`` or a PIL image (sent as a
data URL); a list of sentences for sentence similarity. Keyword arguments are the task's
parameters. Errors are hubdemo's own (``hubdemo.errors``): ``InputError`` for bad input, an
``UpstreamError`` when the model fails, each with a message that says what to do.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any, TypeVar

from .errors import InputError
from .inputs import from_python
from .resolve import ModelSpec
from .settings import BackendOptions, ServeOptions
from .upstream import Upstream

T = TypeVar("T")


def load(model: str, options: BackendOptions | None = None, **settings: Any) -> Demo:
    """The demo of ``model`` (any form `hubdemo serve` takes: a Hub id, ``spaces/…``, a saved
    model's folder, ``module:function`` with ``task``). ``settings`` are BackendOptions'
    (hubdemo/settings.py: task, provider, token, local, api_name, router, endpoint, timeout,
    retry_budget…), read from their HUBDEMO_* variables when not given. Asks the Hub once;
    raises hubdemo's errors (ModelNotFound, NoTaskError, …) when it cannot be served."""
    from .hub import find_token
    from .predictor import open_model

    options = options or BackendOptions.from_env(command="load", **settings)
    spec, upstream = open_model(model, replace(options, token=find_token(options.token)))
    return Demo._of(spec, upstream)


class Demo:
    """One model's demo: predictions from Python, and the app that serves its page and API."""

    spec: ModelSpec

    def __init__(self, fn: Callable[..., Any], *, task: str, name: str | None = None) -> None:
        """A demo of your function ``fn`` with ``task``'s components: it gets the task's
        input as Python values and returns the task's output (see the README, "Your own
        function")."""
        from .tasks import get_task
        from .upstream.function import FunctionUpstream

        get_task(task)  # UnsupportedTaskError lists the valid names
        target = name or getattr(fn, "__qualname__", None) or repr(fn)
        self._setup(
            ModelSpec(model_id=target, task=task, source="function"),
            FunctionUpstream(fn, target, task),
        )

    @classmethod
    def _of(cls, spec: ModelSpec, upstream: Upstream) -> Demo:
        demo = cls.__new__(cls)
        demo._setup(spec, upstream)
        return demo

    def _setup(self, spec: ModelSpec, upstream: Upstream) -> None:
        from .predictor import Predictor

        self.spec = spec
        self.upstream = upstream
        self._predictor = Predictor(spec, upstream)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._app: Any = None
        # One session with a stateful Space per Demo, as gradio_client keeps one per Client.
        self._session = f"python:{uuid.uuid4().hex}"

    # -- predictions -------------------------------------------------------------------------

    def predict(self, *inputs: Any, **parameters: Any) -> Any:
        """One prediction; returns the normalized output (``/api/predict``'s ``output``).
        Works in scripts and in notebooks (whose event loop is left alone)."""
        return self._run(self._predict(inputs, parameters))

    async def apredict(self, *inputs: Any, **parameters: Any) -> Any:
        """``predict`` for async code."""
        future = asyncio.run_coroutine_threadsafe(self._predict(inputs, parameters), self._ready())
        return await asyncio.wrap_future(future)

    async def _predict(self, inputs: tuple[Any, ...], parameters: dict[str, Any]) -> Any:
        body: dict[str, Any] = {"data": self._data(inputs)}
        if parameters:
            body["parameters"] = parameters
        result = await self._predictor.predict(body, session=self._session)
        return result["output"]

    def _data(self, inputs: tuple[Any, ...]) -> list[Any]:
        fields = self._predictor.handler.inputs
        if len(inputs) != len(fields):
            names = ", ".join(c.name for c in fields)
            raise InputError(
                f"{self.spec.task} takes {len(fields)} input(s), in this order: {names}; "
                f"got {len(inputs)}"
            )
        return [from_python(v, c) for v, c in zip(inputs, fields, strict=True)]

    def info(self) -> dict[str, Any]:
        """The ``GET /api/info`` object: task, inputs, outputs, parameters, examples."""
        return self._predictor.info()

    # -- serving -----------------------------------------------------------------------------

    @property
    def app(self) -> Any:
        """The Starlette app of the page and the HTTP API, to mount or serve. It predicts
        through its own server's event loop."""
        if self._app is None:
            from .web.app import create_app

            self._app = create_app(self.spec, self.upstream)
        return self._app

    def launch(self, host: str = "127.0.0.1", port: int = 7860) -> None:
        """Serve the demo until Ctrl-C, as ``hubdemo serve`` does."""
        import uvicorn

        from .server.serving import uvicorn_settings

        uvicorn.run(self.app, host=host, port=port, **uvicorn_settings(ServeOptions()))

    def close(self) -> None:
        """Let go of the backend's connections (and a local model's worker)."""
        if self._loop is not None:
            self._run(self.upstream.aclose())
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._loop = None

    def __enter__(self) -> Demo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<hubdemo.Demo {self.spec.model_id} ({self.spec.task})>"

    # -- one event loop of its own -----------------------------------------------------------

    def _ready(self) -> asyncio.AbstractEventLoop:
        """The demo's own loop, in a daemon thread: the backend's connections belong to one
        loop, whoever calls (a script, a notebook's running loop, several threads)."""
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()

                def run() -> None:
                    loop.run_forever()
                    loop.close()  # after close() stopped it

                self._thread = threading.Thread(target=run, name="hubdemo-demo", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._ready()).result()
