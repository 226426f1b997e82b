"""From a model string to its demo's predictions: the model resolved and its backend chosen
(``open_model``, ``make_upstream``), and one prediction through the task's chain
(``Predictor``), shared by the server, the CLI and the Python API."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from .cache import hub_cache_dir, hub_offline
from .errors import (
    DownloadRefused,
    HubdemoError,
    InputError,
    ModelNotFound,
    UpstreamBadResponse,
)
from .examples import task_examples, with_media
from .hub import HubClient, hub_endpoint
from .media import media_from_bytes
from .offload import off_loop
from .providers import AUTO, HF_INFERENCE, choose_provider
from .redact import HeldBack, Redactor, scrubbed
from .resolve import ModelSpec, resolve
from .settings import DEFAULT_ROUTER, BackendOptions
from .tasks import TaskHandler, default_examples, get_task
from .tasks.base import TaskInput
from .upstream import EndpointUpstream, RouterUpstream, Upstream
from .wire import WireResponse

if TYPE_CHECKING:
    from .download.fetch import Fetch
    from .spaces.tape import SpaceTape


def open_model(
    model: str,
    options: BackendOptions | None = None,
    *,
    hub_client: httpx.Client | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
    space_tape: SpaceTape | None = None,
    **settings: Any,
) -> tuple[ModelSpec, Upstream]:
    """Resolve ``model`` (asking the Hub once) and connect it to its backend. ``options``
    (else BackendOptions from ``settings`` and the environment) say how; ``space_tape`` keeps
    or replays a Space's calls (smoke --record/--replay)."""
    options = options or BackendOptions.from_env(**settings)
    hub = HubClient(token=options.token, client=hub_client)
    try:
        spec = resolve(
            model,
            hub,
            options.task,
            api_name=options.api_name,
            space_wait=options.retry_budget,
            space_tape=space_tape,
            space_token=options.space_token,
        )
    finally:
        hub.close()
    return spec, make_upstream(spec, options, http_transport=http_transport)


def make_upstream(
    spec: ModelSpec,
    options: BackendOptions | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    **settings: Any,
) -> Upstream:
    """Pick the backend for ``spec`` by ``options`` (else BackendOptions from ``settings`` and
    the environment); ``http_transport`` records or replays (hubdemo smoke):

    - a Space: the Space, through gradio_client; a ``module:function`` model: that function;
    - ``--local``, a saved model's directory, or a model resolved from the cache (offline):
      the model in process;
    - ``--endpoint`` (or HUBDEMO_ENDPOINT): that URL;
    - else the router: an Inference Provider through it (``provider``: auto or a name, see
      providers.py), or hf-inference, falling back to the model on this machine if the router
      cannot be reached: its cached copy, else its files fetched from the Hub (when the Hub
      answers and the local backend can run the task).
    """
    options = options or BackendOptions.from_env(**settings)
    if spec.source == "space":
        from .spaces.upstream import SpaceUpstream

        return SpaceUpstream(
            spec.space,
            timeout=options.timeout,
            max_answer_bytes=options.max_answer_mb * 2**20,
            max_sessions=options.max_sessions,
            session_ttl=options.session_ttl,
        )
    if spec.source == "function":
        from .upstream.function import FunctionUpstream, load_function

        return FunctionUpstream(load_function(spec.model_id), spec.model_id, spec.task)
    if options.local or (spec.source in ("local", "cache") and not options.endpoint):
        return in_process(spec, options)
    common: dict[str, Any] = {
        "transport": http_transport,
        "timeout": options.timeout,
        "retry_budget": options.retry_budget,
        "max_answer_bytes": options.max_answer_mb * 2**20,
        "token": options.token,
        "model_id": spec.model_id,
        "gated": spec.gated,
        "model_url": spec.hub_url,
    }
    if options.endpoint:
        return EndpointUpstream(options.endpoint, **common)
    router = options.router or DEFAULT_ROUTER
    requested = options.provider.strip() or AUTO
    choice = choose_provider(spec.providers, requested, spec.model_id)
    if choice.provider != HF_INFERENCE:
        from .upstream.providers.upstream import ProviderUpstream

        return ProviderUpstream(router, choice=choice, task=spec.task, **common)
    remote = RouterUpstream(router, task=spec.task, choice=choice, **common)
    from .local import local_available

    if local_available() and (spec.local_dir or could_fetch(spec)):
        from .upstream.fallback import FallbackUpstream

        return FallbackUpstream(remote, lambda: in_process(spec, options))
    return remote


def in_process(spec: ModelSpec, options: BackendOptions) -> Upstream:
    """The model on this machine: its saved folder, else its files fetched from the Hub while
    the server is already up (a refusal before anything is fetched: too large, no room, no
    access, nothing loadable); offline, ModelNotFound saying how to get it."""
    from .upstream.local import LocalUpstream

    local: dict[str, Any] = {
        "batch_size": options.batch_size,
        "batch_wait": options.batch_wait_ms / 1000,
        "model_id": spec.model_id,
        "timeout": options.timeout,
    }
    if spec.local_dir:
        return LocalUpstream(Path(spec.local_dir), spec.task, **local)
    fetch = fetch_for(spec, options)
    return LocalUpstream(fetch.plan.snapshot, spec.task, fetch=fetch, **local)


def could_fetch(spec: ModelSpec) -> bool:
    """Whether ``spec``'s files could be fetched for the local backend (the Hub's model, a
    task it runs, not offline): the fallback then tries, and the Hub says if it can."""
    from .local.registry import LOCAL

    return spec.source == "hub" and spec.task in LOCAL and not hub_offline()


def fetch_for(spec: ModelSpec, options: BackendOptions) -> Fetch:
    """The download of ``spec``'s files for the local backend, planned and checked."""
    from .download.fetch import Fetch, plan
    from .local import require_local
    from .local.registry import LOCAL

    if spec.source != "hub" or hub_offline():
        folder = hub_cache_dir() / ("models--" + spec.model_id.replace("/", "--"))
        raise ModelNotFound(
            f"'{spec.model_id}' is not on this machine (looked for {folder}) and HF_HUB_OFFLINE "
            f"is set: unset it to let --local download it, run `hubdemo pull {spec.model_id}` "
            "where the Hub can be reached, or drop --local"
        )
    require_local()
    if spec.task not in LOCAL:
        raise DownloadRefused(
            f"the local backend cannot run {spec.task} yet, so '{spec.model_id}' is not "
            "downloaded: use the router (drop --local) or --endpoint"
        )
    found = plan(
        spec.model_id,
        spec.pinned,
        token=options.token,
        max_bytes=options.max_download_gb * 1e9,
    )
    return Fetch(found, token=options.token)


class Predictor:
    """Runs preprocess -> serialize -> upstream -> deserialize -> postprocess for one model."""

    def __init__(self, spec: ModelSpec, upstream: Upstream) -> None:
        self.spec = spec
        self.handler: TaskHandler = spec.space.task if spec.space else get_task(spec.task)
        self.upstream = upstream
        # An upstream may echo the token it was sent (a Space that prints its request's
        # headers): no answer or error leaves with it, in any form.
        self._redact = Redactor(upstream.secrets)

    async def predict(
        self, body: Any, *, offload: bool = False, session: str | None = None
    ) -> dict[str, Any]:
        """Answer one request body; raises HubdemoError subclasses for anything that fails.
        ``offload``: check a large body (decode its media) in a thread, off the event loop.
        ``session``: the visitor whose state a stateful Space keeps (None: none kept)."""
        started = time.perf_counter()
        if offload:
            task_input = await off_loop(self.handler.preprocess, body)
        else:
            task_input = self.handler.preprocess(body)
        return await self._answer(task_input, started, session)

    def media_kind(self) -> str | None:
        """ "image", "audio" or "video" when the task's one input is a file of that kind: it
        can then be sent as the body itself (``predict_media``)."""
        from .tasks.media import MediaTask  # the Hub's one-file tasks (not a Space's)

        if isinstance(self.handler, MediaTask):
            return self.handler.family
        return None

    async def predict_media(
        self, content: bytes, parameters: dict[str, Any], session: str | None = None
    ) -> dict[str, Any]:
        """Answer a file sent as the body: checked by its format header, forwarded as it came."""
        started = time.perf_counter()
        kind = self.media_kind()
        assert kind is not None
        media = media_from_bytes(content, kind, self.handler.inputs[0].name)
        task_input = self.handler.checked(TaskInput(media, parameters))
        return await self._answer(task_input, started, session)

    async def _answer(
        self, task_input: TaskInput, started: float, session: str | None
    ) -> dict[str, Any]:
        if not self._redact:
            return await self._answered(task_input, started, session)
        try:
            answer: dict[str, Any] = scrubbed(
                await self._answered(task_input, started, session), self._redact
            )
        except HubdemoError as exc:
            raise self._scrubbed_error(exc) from None
        return answer

    def _scrubbed_error(self, exc: HubdemoError) -> HubdemoError:
        exc.message = self._redact.text(exc.message)
        exc.args = (exc.message,)
        return exc

    async def _answered(
        self, task_input: TaskInput, started: float, session: str | None
    ) -> dict[str, Any]:
        request = self.handler.serialize(task_input)
        if session is not None:
            request = dataclasses.replace(request, session=session)
        response = await self.upstream.send(request)
        batch = self.handler.is_batch(task_input)
        if batch:  # {"inputs": [texts]}: one output per text
            output = self.handler.deserialize_batch(response, len(task_input.inputs))
        else:
            output = self.handler.deserialize(response)
        try:
            if batch:
                data = self.handler.postprocess_batch(output, task_input)
            else:
                data = self.handler.postprocess(output, task_input)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            # deserialize accepted it, yet it cannot be drawn: still the upstream's doing.
            raise UpstreamBadResponse(
                f"the endpoint's answer is not a usable {self.spec.task} result ({exc}); check "
                "the model's task, or pass the right --task"
            ) from None
        answer = {"output": output, "data": data, "duration": time.perf_counter() - started}
        if response.warnings:
            answer["warnings"] = list(response.warnings)
        return answer

    def stream(self, body: Any, session: str | None = None) -> AsyncGenerator[dict[str, Any], None]:
        """Check ``body`` now (so that bad input is a plain 4xx), then stream the answer:
        {"delta": text} events as the model writes, and the full answer last. A Space's
        endpoint streams {"progress": [units]} and {"partial": {output, data}} instead."""
        if self.handler.partials:
            task_input = self.handler.preprocess(body)
            request = self.handler.serialize(task_input)
            if session is not None:
                request = dataclasses.replace(request, session=session)
            return self._stream_values(self.upstream.stream_values(request), task_input)
        if not self.handler.streams:
            raise InputError(
                f"streaming (?stream=true) is offered for chat models; this {self.spec.task} "
                "model answers in one piece: drop ?stream=true"
            )
        if not self.upstream.can_stream:
            raise InputError(f"the {self.upstream.kind} backend cannot stream: drop ?stream=true")
        task_input = self.handler.preprocess(body)
        request = self.handler.serialize_stream(task_input)
        if session is not None:
            request = dataclasses.replace(request, session=session)
        return self._stream(self.upstream.stream(request), task_input)

    async def _stream(
        self, events: AsyncIterator[dict[str, Any]], task_input: Any
    ) -> AsyncGenerator[dict[str, Any], None]:
        from .tasks.chat import assemble

        started = time.perf_counter()
        chunks: list[dict[str, Any]] = []
        text = reasoning = ""
        secrets = self.upstream.secrets
        said, thought = HeldBack(self._redact, secrets), HeldBack(self._redact, secrets)
        try:
            async for event in events:
                chunks.append(event)
                choice = (event.get("choices") or [{}])[0]
                written = choice.get("delta") or {}
                thinking = written.get("reasoning_content") or written.get("reasoning") or ""
                if thinking:  # a reasoning model's thinking, apart from its answer
                    reasoning += thinking
                    if shown := thought.feed(thinking):
                        yield {"reasoning": shown}
                delta = written.get("content") or ""
                if delta:
                    text += delta
                    if shown := said.feed(delta):
                        yield {"delta": shown}
        except HubdemoError as exc:
            raise self._scrubbed_error(exc) from None
        for key, held in (("reasoning", thought), ("delta", said)):
            if rest := held.flush():
                yield {key: rest}
        output = assemble(chunks, text, time.time(), reasoning)
        data = self.handler.postprocess(output, task_input)
        answer = {"output": output, "data": data, "duration": time.perf_counter() - started}
        yield scrubbed(answer, self._redact) if self._redact else answer

    async def _stream_values(
        self, events: AsyncIterator[dict[str, Any]], task_input: Any
    ) -> AsyncGenerator[dict[str, Any], None]:
        """A Space endpoint's progress and partial answers (each drawn as the final one is),
        then its answer."""
        started = time.perf_counter()
        try:
            async for event in events:
                if "progress" in event:
                    yield {"progress": event["progress"]}
                    continue
                values = event.get("partial", event.get("values"))
                response = WireResponse(200, "application/json", payload=values)
                output = self.handler.deserialize(response)
                answer = {"output": output, "data": self.handler.postprocess(output, task_input)}
                if "partial" in event:
                    yield {"partial": scrubbed(answer, self._redact) if self._redact else answer}
                    continue
                answer["duration"] = time.perf_counter() - started
                if event.get("warnings"):
                    answer["warnings"] = event["warnings"]
                yield scrubbed(answer, self._redact) if self._redact else answer
        except HubdemoError as exc:
            raise self._scrubbed_error(exc) from None

    def examples(self) -> list[dict[str, Any]]:
        # The Hub keeps chat's default examples under the older name "conversational".
        key = "conversational" if self.spec.task == "chat-completion" else self.spec.task
        defaults = default_examples().get(key, [])
        kind = self.handler.inputs[0].kind
        fetch = (
            kind in ("image", "audio", "video") and not hub_offline()
        )  # offline: no media examples
        widgets = with_media(self.spec.widget_data, hub_endpoint(), kind if fetch else None)
        found = self.handler.examples(widgets, defaults)
        source = "card"
        if not found and kind in ("image", "audio", "video") and self.spec.space is None:
            # No card example: the Hub's example for the task, else hubdemo's own sample
            # ("task" and "sample": smoke runs neither, as they depend on the network).
            others = task_examples(self.spec.task, kind, hub_endpoint(), fetch)
            found = self.handler.examples(others, [])
            source = others[0]["source"] if others else source
        return [
            {
                "title": e.title,
                "data": e.data,
                **({"parameters": e.parameters} if e.parameters else {}),
                **({"source": source} if source != "card" else {}),
            }
            for e in found
        ]

    def info(self) -> dict[str, Any]:
        """The ``describe --json`` / ``GET /api/info`` object."""
        described = self.handler.describe()
        return {
            "model": self.spec.model_id,
            "task": self.spec.task,
            "title": described["title"],
            "action": described["action"],
            "max_text_chars": described["max_text_chars"],
            "source": self.spec.source,
            "pipeline_tag": self.spec.pipeline_tag,
            "library": self.spec.library,
            "license": self.spec.license,
            "gated": self.spec.gated,
            "hub_url": self.spec.hub_url,
            "revision": self.spec.revision,
            "pinned": self.spec.pinned,
            "inputs": described["inputs"],
            "outputs": described["outputs"],
            "chain": described["chain"],
            "parameters": described["parameters"],
            "examples": self.examples(),
            **({"space": self.spec.space.describe()} if self.spec.space else {}),
            **self.backend_info(),
        }

    def backend_info(self) -> dict[str, Any]:
        """What answers (info's "upstream", "provider" and, while fetched, "download"): it can
        change while serving, when the router's fallback switches to this machine."""
        download = self.upstream.download
        return {
            "upstream": {
                "kind": self.upstream.kind,
                "url": self.upstream.url_for(self.handler.route),
            },
            "provider": self.provider_info(),
            **({"download": download.as_dict()} if download else {}),
        }

    def provider_info(self) -> dict[str, Any] | None:
        """The Inference Provider that answers, the Hub's mapping, and why (router only)."""
        choice = self.upstream.provider_choice
        return choice.to_json() if choice is not None else None
