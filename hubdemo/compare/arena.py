"""A blind arena over a compare demo: each round asks two of the models (picked at random,
shown as "Model A" and "Model B" in a shuffled order), the visitor votes, then the names are
told. Each vote is appended to a JSON Lines file with the pairing, the inputs, the outputs and
the timings (media summarized by their size and hash), which leaderboard.py rates."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HubdemoError, InputError, ModelNotFound
from .leaderboard import OUTCOMES
from .run import Comparison

SIDES = ("Model A", "Model B")
KEPT_ROUNDS = 1000  # rounds waiting for a vote; the oldest are forgotten first
SUMMARIZED = 1024  # a data URL longer than this is kept as its type, size and hash


@dataclass
class Round:
    """One pairing asked one request: what a vote on it records."""

    models: list[str]
    inputs: Any
    results: list[dict[str, Any]] = field(default_factory=list)


class Arena:
    """Rounds of two of ``comparison``'s models, voted on into ``votes``."""

    def __init__(
        self, comparison: Comparison, votes: Path, rng: random.Random | None = None
    ) -> None:
        self.comparison = comparison
        self.votes = votes
        self.rng = rng or random.SystemRandom()
        self.rounds: OrderedDict[str, Round] = OrderedDict()
        self._write = asyncio.Lock()

    def _pair(self) -> Comparison:
        """Two of the models, in a random order (the first is "Model A")."""
        pair = self.rng.sample(self.comparison.opened, 2)
        return Comparison(pair)

    def _begin(self, pair: Comparison, inputs: Any) -> str:
        key = secrets.token_urlsafe(12)
        self.rounds[key] = Round(pair.names, summarized(inputs))
        while len(self.rounds) > KEPT_ROUNDS:
            self.rounds.popitem(last=False)
        return key

    def _hidden(self, key: str, answer: dict[str, Any]) -> dict[str, Any]:
        """``answer`` with each model's name replaced by its side; the round kept for its vote."""
        kept = self.rounds.get(key)
        results = answer["results"]
        if kept is not None:
            kept.results = [
                summarized({k: v for k, v in r.items() if k != "model"}) for r in results
            ]
        return {
            "round": key,
            **answer,
            "results": [r | {"model": side} for r, side in zip(results, SIDES, strict=True)],
        }

    async def predict(
        self, body: Any, *, offload: bool = False, session: str | None = None
    ) -> dict[str, Any]:
        pair = self._pair()
        key = self._begin(pair, body)
        return self._hidden(key, await pair.predict(body, offload=offload, session=session))

    async def predict_media(
        self, content: bytes, parameters: dict[str, Any], session: str | None = None
    ) -> dict[str, Any]:
        pair = self._pair()
        key = self._begin(pair, {"file": _digest(content), "parameters": parameters})
        return self._hidden(key, await pair.predict_media(content, parameters, session))

    def stream(self, body: Any, session: str | None = None) -> AsyncIterator[dict[str, Any]]:
        pair = self._pair()
        events = pair.stream(body, session)  # a task that cannot stream is refused here
        key = self._begin(pair, body)
        sides = dict(zip(pair.names, SIDES, strict=True))

        async def hidden() -> AsyncIterator[dict[str, Any]]:
            yield {"round": key}
            async for event in events:
                if "results" in event:
                    yield self._hidden(key, event)
                else:
                    yield event | {"model": sides[event["model"]]}

        return hidden()

    async def vote(self, key: Any, winner: Any) -> dict[str, Any]:
        """Record the vote on round ``key``; the sides' names, told. Raises InputError for a
        winner that is not one of OUTCOMES, ModelNotFound for a round not waiting for one."""
        if winner not in OUTCOMES:
            raise InputError(f'"winner" takes one of {", ".join(OUTCOMES)} (got {winner!r})')
        kept = self.rounds.pop(key, None) if isinstance(key, str) else None
        if kept is None:
            raise ModelNotFound(
                "no round waiting for a vote by that id: it was voted on already, or is too old; "
                "run it again"
            )
        line = {"time": time.time(), "round": key, "models": kept.models, "winner": winner,
                "inputs": kept.inputs, "results": kept.results}  # fmt: skip
        text = json.dumps(line, ensure_ascii=False) + "\n"
        async with self._write:
            try:
                await asyncio.to_thread(_append, self.votes, text)
            except OSError as exc:
                self.rounds[key] = kept  # nothing lost: the vote can be sent again
                raise HubdemoError(
                    f"cannot write the vote to {self.votes}: {exc.strerror}"
                ) from None
        return {
            "round": key,
            "winner": winner,
            "models": dict(zip(SIDES, kept.models, strict=True)),
        }


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def _digest(content: bytes) -> dict[str, Any]:
    return {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def summarized(value: Any) -> Any:
    """``value`` with each long data URL replaced by its type, size and hash (a votes file of
    pictures would otherwise hold every picture)."""
    if isinstance(value, str) and value.startswith("data:") and len(value) > SUMMARIZED:
        head, _, data = value.partition(",")
        return {"data_url": head[5:].split(";", 1)[0], **_digest(data.encode())}
    if isinstance(value, dict):
        return {k: summarized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [summarized(v) for v in value]
    return value
