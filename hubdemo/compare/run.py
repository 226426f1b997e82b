"""One request answered by every model of a compare demo at once: the wall time is the
slowest answer's, not the sum, and one model's failure or timeout is its own result."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from ..errors import HubdemoError, InputError
from .contenders import Opened

Ask = Callable[[Opened], Awaitable[dict[str, Any]]]


def failure(name: str, exc: HubdemoError, seconds: float) -> dict[str, Any]:
    """A model's failed result: what /api/predict would have answered, under its name."""
    return {"model": name, **exc.to_json(), "status": exc.status, "duration": seconds}


class Comparison:
    """The opened models of one compare demo, in the order they were given."""

    def __init__(self, opened: list[Opened]) -> None:
        self.opened = opened
        self.names = [o.name for o in opened]

    def get(self, name: str | None) -> Opened:
        """The model ``name`` (None: the first). Raises ModelNotFound naming the others."""
        from ..errors import ModelNotFound

        if name is None:
            return self.opened[0]
        for each in self.opened:
            if each.name == name:
                return each
        raise ModelNotFound(
            f"this demo compares {', '.join(self.names)}; ?model= takes one of them (got {name!r})"
        )

    async def answers(self, ask: Ask) -> dict[str, Any]:
        """``ask(model)`` for every model at once: ``{"results": [...], "duration": wall}``,
        each result the model's answer or its error, named."""
        started = time.perf_counter()
        failed: list[HubdemoError] = []
        results = await asyncio.gather(*(self._one(each, ask, failed) for each in self.opened))
        # Input every model refused (they share one form) is refused once, as /api/predict
        # refuses it: the request's fault, not the models'.
        if len(failed) == len(results) and all(isinstance(e, InputError) for e in failed):
            raise failed[0]
        return {"results": list(results), "duration": time.perf_counter() - started}

    async def predict(
        self, body: Any, *, offload: bool = False, session: str | None = None
    ) -> dict[str, Any]:
        return await self.answers(
            lambda each: each.predictor.predict(body, offload=offload, session=session)
        )

    async def predict_media(
        self, content: bytes, parameters: dict[str, Any], session: str | None = None
    ) -> dict[str, Any]:
        return await self.answers(
            lambda each: each.predictor.predict_media(content, parameters, session)
        )

    async def _one(self, each: Opened, ask: Ask, failed: list[HubdemoError]) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            answer = await ask(each)
        except HubdemoError as exc:
            failed.append(exc)
            return failure(each.name, exc, time.perf_counter() - started)
        return {"model": each.name, **answer}

    def stream(self, body: Any, session: str | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every chat model's answer as it is written (see ``_stream``). Raises InputError for a
        task that answers in one piece, before anything is sent."""
        if not self.opened[0].predictor.handler.streams:
            from ..errors import InputError

            raise InputError(
                "streaming (?stream=true) is offered for chat models; these models answer in "
                "one piece: drop ?stream=true"
            )
        return self._stream(body, session)

    async def _stream(self, body: Any, session: str | None) -> AsyncIterator[dict[str, Any]]:
        """Every chat model's answer as it is written, interleaved: ``{"model", "delta"}`` (or
        ``"reasoning"``) events, then each model's ``{"model", "output", "data", "duration",
        "first_token"}`` or its error, then ``{"results": [...], "duration"}``."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        started = time.perf_counter()

        async def pump(each: Opened) -> dict[str, Any]:
            begun = time.perf_counter()
            first: float | None = None
            final: dict[str, Any] = {}
            try:
                async for event in each.predictor.stream(body, session):
                    if first is None and ("delta" in event or "reasoning" in event):
                        first = time.perf_counter() - begun
                    if "output" in event:  # timed as first_token was, from the same start
                        taken = time.perf_counter() - begun
                        final = {
                            "model": each.name,
                            **event,
                            "duration": taken,
                            "first_token": first,
                        }
                    else:
                        await queue.put({"model": each.name, **event})
            except HubdemoError as exc:
                final = failure(each.name, exc, time.perf_counter() - begun)
            await queue.put(final)
            return final

        async def all_done() -> list[dict[str, Any]]:
            try:
                return list(await asyncio.gather(*(pump(each) for each in self.opened)))
            finally:
                await queue.put(None)

        task = asyncio.ensure_future(all_done())
        try:
            while (event := await queue.get()) is not None:
                yield event
            yield {"results": task.result(), "duration": time.perf_counter() - started}
        finally:
            task.cancel()
