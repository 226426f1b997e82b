"""What the unit tests of compare demos and arenas share: backend options, an opener of
function models that never asks the Hub, and the command line in process."""

from __future__ import annotations

import dataclasses
from typing import Any

from hubdemo.hub import HubClient
from hubdemo.predictor import make_upstream
from hubdemo.resolve import resolve
from hubdemo.settings import BackendOptions
from support.inprocess import NO_HUB

TEXT = "text-classification"
MEETING = ["support.functions:meet_left", "support.functions:meet_right"]


def backend(**settings: Any) -> BackendOptions:
    return dataclasses.replace(BackendOptions.from_env(), **settings)


def opener(model: str, options: BackendOptions) -> Any:
    spec = resolve(model, HubClient(endpoint=NO_HUB), options.task)
    return spec, make_upstream(spec, options)


def cli(*args: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from hubdemo.cli import app

    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr
