"""Ratings from an arena's votes: a Bradley-Terry model fitted by choix (its ILSR estimator),
on the Elo scale (1000 for the average model; 400 points = 10:1 odds), each with a 95% interval
from resampling the votes. A tie or "both bad" counts as half a win for each side, and each
pair of models that met is given one virtual tie, so that a handful of votes moves a rating by
a hundred points or two rather than a thousand (one win: +95 and -95)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError

SCALE = 400 / math.log(10)  # a strength difference of 1 on choix's log scale, in Elo points
BASE = 1000.0
RESAMPLES = 200
REGULARIZATION = 1e-4  # keeps an unbeaten model finite, too small to move the others
OUTCOMES = ("A", "B", "tie", "both_bad")


@dataclass(frozen=True)
class Rating:
    model: str
    rating: float
    low: float  # the 95% interval, from resampled votes
    high: float
    votes: int
    wins: int
    losses: int
    ties: int


def read_votes(path: Path) -> list[dict[str, Any]]:
    """Each vote of a votes file; a line that is not one is refused with its number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UsageError(
            f"no votes file at {path}: run `hubdemo serve A B --arena --votes {path}` first"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    votes = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            vote = json.loads(line)
            models, winner = vote["models"], vote["winner"]
        except (ValueError, KeyError, TypeError):
            raise UsageError(
                f"{path}:{number} is not a vote hubdemo wrote (models, winner)"
            ) from None
        if not (isinstance(models, list) and len(models) == 2 and winner in OUTCOMES):
            raise UsageError(f"{path}:{number} is not a vote hubdemo wrote (models, winner)")
        votes.append(vote)
    return votes


def leaderboard(votes: list[dict[str, Any]], seed: int = 0) -> list[Rating]:
    """The models of ``votes``, best first."""
    if not votes:
        return []
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with choix
        raise _missing() from None
    names = sorted({name for vote in votes for name in vote["models"]})
    index = {name: i for i, name in enumerate(names)}
    # Each vote as two (winner, loser) pairs: a win counted twice, a tie once each way.
    pairs = np.array([_pairs(vote, index) for vote in votes])  # votes x 2 x (winner, loser)
    ratings = _fit(len(names), pairs)
    rng = np.random.default_rng(seed)
    samples = np.array(
        [_fit(len(names), pairs[rng.integers(0, len(pairs), len(pairs))]) for _ in range(RESAMPLES)]
    )
    low, high = np.percentile(samples, [2.5, 97.5], axis=0)
    table = []
    for name, i in index.items():
        mine = [v for v in votes if name in v["models"]]
        wins = sum(
            1
            for v in mine
            if v["winner"] in ("A", "B") and v["models"]["AB".index(v["winner"])] == name
        )
        ties = sum(1 for v in mine if v["winner"] in ("tie", "both_bad"))
        table.append(
            Rating(
                name,
                float(ratings[i]),
                float(low[i]),
                float(high[i]),
                len(mine),
                wins,
                len(mine) - wins - ties,
                ties,
            )
        )
    return sorted(table, key=lambda r: -r.rating)


def _pairs(vote: dict[str, Any], index: dict[str, int]) -> list[tuple[int, int]]:
    """(winner, loser) pairs of one vote: one for a win, one each way for a tie (half each)."""
    a, b = (index[name] for name in vote["models"])
    return {"A": [(a, b), (a, b)], "B": [(b, a), (b, a)]}.get(vote["winner"], [(a, b), (b, a)])


def _fit(count: int, pairs: Any) -> Any:
    """Elo-scale ratings of ``count`` models from the votes' pairs (an array, votes x 2 x
    (winner, loser)), fitted on the matrix of who beat whom how often: a fit's cost does not
    grow with the number of votes (the 200 resamples of 20,000 votes take a second)."""
    try:
        import choix
    except ImportError:
        raise _missing() from None
    import numpy as np

    beat = np.zeros((count, count))
    flat = pairs.reshape(-1, 2)
    np.add.at(beat, (flat[:, 0], flat[:, 1]), 1.0)
    met = (beat + beat.T) > 0
    beat += met  # one virtual tie per pair that met: a win each way
    seen = met.any(axis=1)
    params = choix.ilsr_pairwise_dense(beat, alpha=REGULARIZATION)
    params = np.where(seen, params, 0.0)  # unseen: the average
    return BASE + SCALE * (params - params.mean())


def _missing() -> UsageError:
    return UsageError("the leaderboard needs choix: pip install 'hubdemo[arena]'")


def as_json(table: list[Rating]) -> list[dict[str, Any]]:
    return [asdict(row) for row in table]
