"""Each command's flags, made from the settings (hubdemo/settings.py), never written out here.

``takes(command, BackendOptions, ServeOptions)`` adds to a command the flags of the settings it
takes and hands the function one object per group (its ``backend`` and ``serve`` parameters):
a flag given on the command line wins, else the setting's variable, else its default.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import typer

from ..errors import HubdemoError
from ..settings import BackendOptions, Options, ServeOptions
from .common import fail

F = TypeVar("F", bound=Callable[..., Any])
PARAMETER = {BackendOptions: "backend", ServeOptions: "serve"}
# `--help` groups a command's flags under these headings; the rest are "Limits and tuning".
PANELS = {
    "Model and backend": ("task", "token", "router", "endpoint", "local", "provider", "api_name",
                          "space_token", "max_download_gb"),
    "Server": ("host", "port", "workers", "state", "gradio_api", "log_format"),
    "Security": ("auth", "cors", "allowed_hosts"),
    "Compare": ("arena", "votes"),
}  # fmt: skip
PANEL_OF = {name: panel for panel, names in PANELS.items() for name in names}
# What a value is, in a word, instead of the type ("<float range>", "<list[str]>"); a yes/no
# flag takes none.
METAVARS = {"int": "N", "float": "NUMBER", "str": "TEXT", "str | None": "TEXT", "list[str]": "TEXT"}
TYPES = {
    "bool": bool,
    "int": int,
    "float": float,
    "str": str,
    "str | None": str | None,
    "list[str]": list[str],
}


def takes(command: str, *groups: type[Options]) -> Callable[[F], F]:
    """The command ``command`` with the flags of ``groups``' settings that it takes."""

    def wrap(function: F) -> F:
        signature = inspect.signature(function)
        kept = [p for p in signature.parameters.values() if p.name not in PARAMETER.values()]
        added = [flag for group in groups for flag in _flags(command, group)]
        context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)

        @functools.wraps(function)
        def run(*args: Any, ctx: typer.Context, **values: Any) -> Any:
            for group in groups:
                given = {}
                for spec, _ in group.settings():
                    if spec.name in values:
                        value = values.pop(spec.name)
                        # A default typer filled in is not given: the variable still counts.
                        source = ctx.get_parameter_source(spec.name)
                        if source is not None and source.name != "DEFAULT":
                            given[spec.name] = value
                values[PARAMETER[group]] = _built(group, command, given)
            return function(*args, **values)

        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*kept, *added, context]
        )
        run.__annotations__ = {p.name: p.annotation for p in (*kept, *added, context)}
        return run  # type: ignore[return-value]

    return wrap


def _flags(command: str, group: type[Options]) -> list[inspect.Parameter]:
    found = []
    for spec, declared in group.settings():
        if command not in declared.commands or declared.flag is None:
            continue
        if command in declared.defaults:
            default = declared.defaults[command]
        elif spec.default_factory is not dataclasses.MISSING:
            default = spec.default_factory()
        else:
            default = spec.default
        names = [f"{declared.flag}/{declared.negative}"] if declared.negative else [declared.flag]
        # "\\[": the brackets as written, not rich markup (which would swallow them).
        help_text = declared.help + (f" \\[env var: {declared.env}]" if declared.env else "")
        option = typer.Option(
            default,
            *names,
            help=help_text,
            min=declared.minimum,
            max=declared.maximum,
            rich_help_panel=PANEL_OF.get(spec.name, "Limits and tuning"),
            metavar=METAVARS.get(str(spec.type)),
        )
        found.append(
            inspect.Parameter(
                spec.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=option,
                # A setting of few values: typer lists them and refuses any other.
                annotation=Literal[declared.choices] if declared.choices else TYPES[str(spec.type)],
            )
        )
    return found


def _built(group: type[Options], command: str, given: dict[str, Any]) -> Options:
    try:
        return group.from_env(command=command, **given)
    except HubdemoError as exc:  # a variable that does not parse: one line, exit 2
        fail(exc)
        raise AssertionError("unreachable") from None
