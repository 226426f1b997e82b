"""The web app of one demo: its page, static assets, HTTP API and Gradio's client protocol,
assembled (the handlers are routes.py's and gradio_api/'s; the contracts docs/design.md's)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from ..errors import HubdemoError
from ..media import MEDIA_KINDS
from ..predictor import Predictor
from ..resolve import ModelSpec
from ..server.auth import RequireAuth
from ..server.bodies import Inbound
from ..server.limits import Gate
from ..server.memory import keep_memory_lean
from ..server.requestlog import RequestLog
from ..server.security import SESSION_HEADER, AllowedHosts, RefuseCrossSite, SecurityHeaders
from ..settings import ServeOptions
from ..state import SessionState, open_state
from ..upstream import Upstream
from .errors import error_handler
from .routes import DemoRoutes
from .shared import Shared


def create_app(
    spec: ModelSpec, upstream: Upstream, options: ServeOptions | None = None, **settings: Any
) -> Starlette:
    """The demo app for ``spec``, answering predictions through ``upstream``. ``options``
    (else ServeOptions from ``settings`` and the environment) bound predictions running and
    waiting (limits.py), bodies' size, time and memory (bodies.py), and set ``auth``, ``cors``
    and ``gradio_api`` (Gradio's client protocol, gradio_api/)."""
    options = options or ServeOptions.from_env(**settings)
    predictor = Predictor(spec, upstream)
    shared = Shared.of(options)
    info = predictor.info()
    store = options.max_store_mb * 2**20
    state = open_state(options.state, namespace_of(info), options.workers)
    if state.shared:  # a Space visitor's session, the same on every worker and replica
        upstream.share_state(state)
    gradio = (
        _gradio_protocol(predictor, info, shared.gate, shared.inbound, store, state)
        if options.gradio_api
        else None
    )
    info["gradio_api"] = gradio is not None  # the page shows a gradio_client snippet then
    routes: list[BaseRoute] = [
        *DemoRoutes(predictor, info, shared, options, gradio).routes(),
        shared.static(),
        *(gradio.routes() if gradio is not None else []),
    ]
    app = assemble(routes, [upstream], shared, options, state, gradio)
    app.state.predictor = predictor
    app.state.gradio = gradio
    return app


def assemble(
    routes: list[BaseRoute],
    upstreams: list[Upstream],
    shared: Shared,
    options: ServeOptions,
    state: SessionState,
    gradio: Any = None,
) -> Starlette:
    """The Starlette app of ``routes``: its middleware, its one error handler, and a lifespan
    that starts ``upstreams`` (a local model begins loading) and closes them at the end."""
    gate, budget = shared.gate, shared.budget

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for upstream in upstreams:
            upstream.start()  # a local model begins loading now; the page says so until ready
        keeper = asyncio.create_task(
            keep_memory_lean(
                lambda: (gate.served, budget.taken), lambda: bool(gate.running or budget.held)
            )
        )
        await state.start(gradio.queue.cancelled if gradio is not None else lambda target: None)
        yield
        keeper.cancel()
        for upstream in upstreams:
            await upstream.aclose()
        if gradio is not None:
            gradio.close()
        await state.aclose()

    handler = error_handler(shared.templates)
    return Starlette(
        routes=routes,
        middleware=_middleware(options),
        exception_handlers={HubdemoError: handler, HTTPException: handler},
        lifespan=lifespan,
    )


def _middleware(options: ServeOptions) -> list[Middleware]:
    """Outermost first (see security.py): CORS answers preflights before auth is asked for."""
    hosts = [*options.allowed_hosts, options.host]
    middleware = [Middleware(SecurityHeaders), Middleware(AllowedHosts, hosts=hosts)]
    if options.log_format != "off":  # outermost but one: a refused request is logged too
        middleware.insert(0, Middleware(RequestLog, fmt=options.log_format))
    if options.cors:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=options.cors,
                allow_methods=["GET", "POST"],
                allow_headers=["content-type", "authorization", SESSION_HEADER],
            )
        )
    middleware.append(Middleware(RefuseCrossSite, allowed_origins=options.cors))
    if options.auth:
        middleware.append(Middleware(RequireAuth, credential=options.auth))
    return middleware


def _gradio_protocol(
    predictor: Predictor,
    info: dict[str, Any],
    gate: Gate,
    inbound: Inbound,
    store: int,
    state: SessionState,
) -> Any:
    """Gradio's client protocol over the same predictor and gate as /api/predict, its
    sessions in ``state`` (this process's, or Redis shared by every worker and replica)."""
    from ..gradio_api import GradioProtocol

    predict, stream = gradio_target(predictor, info, gate)
    return GradioProtocol(info, predict, inbound, max_store_bytes=store, state=state, stream=stream)


def gradio_target(predictor: Predictor, info: dict[str, Any], gate: Gate) -> tuple[Any, Any]:
    """What answers a Gradio endpoint of ``predictor``: a body's prediction in a gate slot,
    and for a chat model its stream (the slot taken once the input is accepted)."""

    async def gated_stream(body: Any, session: str | None) -> AsyncGenerator[dict[str, Any], None]:
        events = predictor.stream(body, session)  # bad input is refused before a slot is taken
        await gate.enter()
        try:
            async with aclosing(events):
                async for event in events:
                    yield event
        finally:
            gate.leave()

    # Media arrive as files read into data URLs: large, so decoded off the event loop.
    media = any(c["kind"] in MEDIA_KINDS for c in info["inputs"])

    def predict(body: Any, session: str | None) -> Any:
        return gate.run(lambda: predictor.predict(body, offload=media, session=session))

    return predict, gated_stream if predictor.handler.streams else None


def namespace_of(info: dict[str, Any]) -> str:
    """A short name for the demo, the same in each of its workers and replicas (one per model
    and endpoint: replicas of one demo share their sessions, other demos on that Redis not)."""
    space = info.get("space") or {}
    named = f"{info.get('model')}|{space.get('api_name', '') if isinstance(space, dict) else ''}"
    return hashlib.sha256(named.encode()).hexdigest()[:16]
