"""``hubdemo describe``: what hubdemo would serve for a model, without serving it."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from ..settings import BackendOptions
from .common import MODEL_ARGUMENT, open_backend, out, space_token_line
from .options import takes
from .terminal import plain_row


@takes("describe", BackendOptions)
def describe(
    model: str = MODEL_ARGUMENT,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    *,
    backend: BackendOptions,
) -> None:
    """Show what hubdemo would serve for MODEL: task, inputs, outputs, handler chain, examples,
    and the Inference Providers the Hub lists for it (with the one chosen, and why)."""
    from ..predictor import Predictor

    spec, upstream = open_backend(model, backend)
    info = Predictor(spec, upstream).info()
    if as_json:
        print(json.dumps(info, indent=2))
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    plain_row(table, "model", info["model"])
    plain_row(table, "task", f"{info['task']} ({info['title']})")
    for key in ("library", "license"):
        plain_row(table, key, str(info[key] or "—"))
    if info["gated"]:
        plain_row(table, "gated", "yes: accept the terms on the model page and pass a token")
    plain_row(table, "inputs", ", ".join(f"{c['name']} ({c['kind']})" for c in info["inputs"]))
    plain_row(table, "outputs", ", ".join(c["kind"] for c in info["outputs"]))
    plain_row(table, "chain", " → ".join(info["chain"].values()))
    plain_row(table, "upstream", f"{info['upstream']['kind']}: {info['upstream']['url']}")
    if info["pinned"]:
        plain_row(table, "revision", f"{info['pinned']} (the files --local runs)")
    if info.get("download") and info["download"]["of_files"]:
        from ..download.fetch import human

        found = info["download"]
        plain_row(
            table, "download", f"{human(found['total'])} in {found['of_files']} files, on start"
        )
    _providers(table, info.get("provider"))
    _endpoints(table, info.get("space"))
    plain_row(table, "examples", "\n".join(e["title"] for e in info["examples"]) or "—")
    out.print(table)


def _providers(table: Table, chosen: dict[str, Any] | None) -> None:
    """The provider that answers, and every one the Hub lists (the arrow marks the choice)."""
    if not chosen:
        return
    plain_row(table, "provider", f"{chosen['name']} ({chosen['reason']})")
    for entry in chosen["mapping"]:
        mark = "→ " if entry["provider"] == chosen["name"] else "  "
        note = "" if entry["supported"] else ", not supported by hubdemo"
        plain_row(
            table,
            "",
            f"{mark}{entry['provider']}: {entry['provider_id']} ({entry['task']}, "
            f"{entry['status']}{note})",
        )


def _endpoints(table: Table, space: dict[str, Any] | None) -> None:
    """A Space's every endpoint with its signature; the arrow marks the one served."""
    if not space:
        return
    plain_row(table, "token", space_token_line(space["token_sent"]))
    for index, (name, found) in enumerate(space["endpoints"].items()):
        mark = "→ " if name == space["api_name"] else "  "
        takes_ = ", ".join(f"{p['parameter_name']}: {p['component']}" for p in found["parameters"])
        gives = ", ".join(r["component"] for r in found["returns"])
        note = "" if found["drawable"] else "  (hubdemo cannot draw it)"
        plain_row(table, "" if index else "endpoints", f"{mark}{name}({takes_}) -> {gives}{note}")
