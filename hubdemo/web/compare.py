"""The web app of a compare demo: one page with one form and a result pane per model,
``POST /api/compare`` answering every model at once, and ``/api/predict?model=NAME`` one of
them as a single demo would (the first when no model is named)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..compare import Comparison, Opened
from ..compare.arena import SIDES, Arena
from ..compare.leaderboard import as_json, leaderboard, read_votes
from ..errors import InputError, UsageError
from ..server.bodies import read_json, require_json
from ..server.security import json_for_html
from ..settings import ServeOptions
from ..state import open_state
from .app import assemble, gradio_target, namespace_of
from .routes import DemoRoutes
from .shared import Shared

# Worst first: the page waits while any model is not ready.
_STATES = ("failed", "downloading", "loading", "idle", "ready")


def contender_info(each: Opened) -> dict[str, Any]:
    """What a pane's heading says: the name, the model, its backend and its provider."""
    predictor = each.predictor
    upstream = predictor.upstream
    return {
        "name": each.name,
        "model": predictor.spec.model_id,
        "hub_url": predictor.spec.hub_url,
        "upstream": {"kind": upstream.kind, "url": upstream.url_for(predictor.handler.route)},
        "answered_by": upstream.answered_by(),
        "provider": predictor.provider_info(),
    }


class CompareRoutes:
    """The routes of a compare demo; each model keeps a single demo's handlers for ?model=.
    An arena (``--arena``) asks two of them per round, blind, and takes votes instead."""

    def __init__(self, comparison: Comparison, shared: Shared, options: ServeOptions) -> None:
        self.comparison = comparison
        self.shared = shared
        first = comparison.opened[0].predictor
        self.info = first.info()  # the form, parameters and examples: one task's
        self.info["gradio_api"] = options.gradio_api and not options.arena
        self.arena = Arena(comparison, Path(options.votes)) if options.arena else None
        if self.arena is None:
            self.info["compare"] = [contender_info(each) for each in comparison.opened]
        else:  # which side is which is told only after the vote
            self.info["compare"] = [{"name": side} for side in SIDES]
            self.info["arena"] = {"models": comparison.names, "votes": options.votes}
        self.each = {
            each.name: DemoRoutes(each.predictor, self.info, shared, options)
            for each in comparison.opened
        }
        answerer = self.arena or comparison
        self.together = DemoRoutes(first, self.info, shared, options, answerer=answerer)
        self.document = _with_compare(self.together.document, comparison.names)
        self.limit = options.max_upload_mb * 2**20
        self.body_timeout = options.body_timeout

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.page),
            Route("/healthz", self.healthz),
            Route("/api/info", self.api_info),
            Route("/openapi.json", self.openapi_json),
            Route("/api/predict", self.api_predict, methods=["POST"]),
            Route("/api/compare", self.together.api_predict, methods=["POST"]),
            Route("/api/vote", self.api_vote, methods=["POST"]),
            Route("/api/leaderboard", self.api_leaderboard),
        ]

    async def page(self, request: Request) -> Response:
        context = {
            "info": self.info,
            "info_json": json_for_html(self.info),
            "handler": self.comparison.opened[0].predictor.handler,
        }
        return self.shared.templates.TemplateResponse(request, "page.html", context)

    async def healthz(self, request: Request) -> Response:
        """Each model's state; ``model`` the least ready of them (the page waits for it)."""
        states: dict[str, Any] = {}
        for each in self.comparison.opened:
            upstream = each.predictor.upstream
            states[each.name] = {"model": upstream.state}
            if upstream.state == "failed":
                states[each.name]["error"] = upstream.load_error
        worst = min((s["model"] for s in states.values()), key=_rank)
        gate = self.shared.gate
        health = {"status": "ok", "model": worst, "models": states, "running": gate.running,
                  "waiting": gate.waiting}  # fmt: skip
        failed = [f"{name}: {s['error']}" for name, s in states.items() if "error" in s]
        if failed:
            health["error"] = "; ".join(failed)
        return JSONResponse(health)

    async def api_info(self, request: Request) -> Response:
        return JSONResponse(self.info)

    async def openapi_json(self, request: Request) -> Response:
        return JSONResponse(self.document)

    async def api_predict(self, request: Request) -> Response:
        if self.arena is not None:
            raise UsageError("this is a blind arena: POST /api/compare asks two models, unnamed")
        chosen = self.comparison.get(request.query_params.get("model"))
        return await self.each[chosen.name].api_predict(request)

    async def api_vote(self, request: Request) -> Response:
        """``{"round": …, "winner": "A" | "B" | "tie" | "both_bad"}``: recorded; the names told."""
        if self.arena is None:
            raise UsageError("votes are taken by an arena: serve the models with --arena")
        require_json(request)
        body = await read_json(request, min(self.limit, 64 * 1024), self.body_timeout)
        if not isinstance(body, dict):
            raise InputError('send {"round": "<the round of /api/compare>", "winner": "A"}')
        return JSONResponse(await self.arena.vote(body.get("round"), body.get("winner")))

    async def api_leaderboard(self, request: Request) -> Response:
        """The ratings of the votes file so far (an empty list before the first vote)."""
        if self.arena is None:
            raise UsageError("a leaderboard is kept by an arena: serve the models with --arena")
        votes = self.arena.votes
        table = await asyncio.to_thread(
            lambda: leaderboard(read_votes(votes)) if votes.exists() else []
        )
        return JSONResponse({"votes": sum(r.votes for r in table) // 2, "models": as_json(table)})


def _rank(state: str) -> int:
    return _STATES.index(state) if state in _STATES else 0


def _with_compare(document: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The single demo's OpenAPI document, with ``?model=`` and ``POST /api/compare``."""
    import copy

    document = copy.deepcopy(document)
    paths = document.setdefault("paths", {})
    single = paths.get("/api/predict", {}).get("post", {})
    model = {
        "name": "model",
        "in": "query",
        "required": False,
        "description": "Which model answers (default: the first).",
        "schema": {"type": "string", "enum": names},
    }
    single.setdefault("parameters", []).append(model)
    answer = single.get("responses", {}).get("200", {}).get("content", {})
    shape = answer.get("application/json", {}).get("schema", {"type": "object"})
    error = {
        "type": "object",
        "required": ["model", "error", "type"],
        "properties": {
            "model": {"type": "string", "enum": names},
            "error": {"type": "string"},
            "type": {"type": "string"},
            "status": {"type": "integer"},
            "duration": {"type": "number"},
        },
    }
    one = {
        "allOf": [
            shape,
            {"type": "object", "properties": {"model": {"type": "string", "enum": names}}},
        ]
    }
    results = {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {"type": "array", "items": {"oneOf": [one, error]}},
            "duration": {"type": "number", "description": "Wall time in seconds: the slowest."},
        },
    }
    compare = copy.deepcopy(single)
    compare["parameters"] = [p for p in compare.get("parameters", []) if p.get("name") != "model"]
    compare["summary"] = "Every model's answer to one request, in the order they were given"
    compare["operationId"] = "compare"
    compare["responses"] = {
        **compare.get("responses", {}),
        "200": {"description": "Each model's answer or error (200 even when some failed)",
                "content": {"application/json": {"schema": results}}},
    }  # fmt: skip
    paths["/api/compare"] = {"post": compare}
    return document


def endpoint_name(model: str) -> str:
    """A model's Gradio endpoint name: its letters and digits, the rest as underscores."""
    return re.sub(r"[^A-Za-z0-9]+", "_", model).strip("_").lower() or "model"


def create_compare_app(
    opened: list[Opened], options: ServeOptions | None = None, **settings: Any
) -> Starlette:
    """The compare demo of ``opened`` (2 to 4 models of one task, compare/contenders.py);
    Gradio's clients see one endpoint per model (not in an arena: it would name them)."""
    options = options or ServeOptions.from_env(**settings)
    shared = Shared.of(options)
    comparison = Comparison(opened)
    routes = CompareRoutes(comparison, shared, options)
    state = open_state(options.state, namespace_of(routes.info), options.workers)
    gradio = None
    if routes.info["gradio_api"]:
        from ..gradio_api import GradioProtocol

        each: dict[str, Any] = {}
        for one in opened:
            name = base = endpoint_name(one.name)
            while name in each:  # two names alike once their punctuation is gone
                name = f"{base}_{len(each) + 1}"
            each[name] = gradio_target(one.predictor, routes.info, shared.gate)
        for contender, name in zip(routes.info["compare"], each, strict=True):
            contender["gradio_api_name"] = f"/{name}"
        gradio = GradioProtocol(
            routes.info, each[next(iter(each))][0], shared.inbound, state=state, each=each,
            max_store_bytes=options.max_store_mb * 2**20,
        )  # fmt: skip
    app = assemble(
        [*routes.routes(), shared.static(), *(gradio.routes() if gradio is not None else [])],
        [each.predictor.upstream for each in opened],
        shared,
        options,
        state,
        gradio,
    )
    app.state.comparison = comparison
    app.state.gradio = gradio
    return app
