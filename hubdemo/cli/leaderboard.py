"""``hubdemo leaderboard FILE``: the ratings of an arena's votes file (``serve A B --arena``)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from ..errors import HubdemoError
from .common import fail, out
from .terminal import plain, plain_row


def leaderboard(
    votes: Path = typer.Argument(..., help="The votes file `serve --arena` wrote.", metavar="FILE"),
    as_json: bool = typer.Option(False, "--json", help="Print the ratings as JSON."),
) -> None:
    """Rate the models of an arena's votes: Bradley-Terry on the Elo scale, 95% intervals."""
    from ..compare.leaderboard import as_json as rows_of
    from ..compare.leaderboard import leaderboard as rate
    from ..compare.leaderboard import read_votes

    try:
        found = read_votes(votes)
        table = rate(found)
    except HubdemoError as exc:
        fail(exc)
    if as_json:
        print(json.dumps({"votes": len(found), "models": rows_of(table)}))
        return
    shown = Table("#", "model", "rating", "95% interval", "votes", "won · lost · tied")
    for rank, row in enumerate(table, 1):
        plain_row(shown, rank, row.model, f"{row.rating:.0f}", f"{row.low:.0f} – {row.high:.0f}",
                  row.votes, f"{row.wins} · {row.losses} · {row.ties}")  # fmt: skip
    out.print(shown)
    out.print(plain(f"{len(found)} votes · Bradley-Terry (choix) on the Elo scale, 1000 = average"))
