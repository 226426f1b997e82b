"""``hubdemo tasks``: the supported pipeline tasks, their components and parameters."""

from __future__ import annotations

import json

import typer
from rich.table import Column, Table

from .common import out
from .terminal import plain_row


def tasks(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the supported pipeline tasks, their components and parameters."""
    from ..local.registry import runs_locally
    from ..tasks import TASKS, hub_tags

    described = {
        name: {
            **handler.describe(),
            "pipeline_tags": hub_tags(name),
            "runs_locally": runs_locally(name),
        }
        for name, handler in sorted(TASKS.items())
    }
    if as_json:
        print(json.dumps(described, indent=2))
        return
    table = Table(Column("task", no_wrap=True), "inputs", "output", "params", "--local")
    also = []
    for name, d in described.items():
        inputs = ", ".join(c["kind"] for c in d["inputs"])
        local = "yes" if d["runs_locally"] else ""
        plain_row(table, name, inputs, d["outputs"][0]["kind"], str(len(d["parameters"])), local)
        also += [f"{tag} → {name}" for tag in d["pipeline_tags"] if tag != name]
    out.print(table)
    out.print("Hub tags served by another task: " + "; ".join(also), style="dim")
