"""The ``hubdemo`` command: the typer app, its root options, and ``main``."""

from __future__ import annotations

from typing import Any

import typer

from .. import __version__
from .common import err
from .terminal import labelled


def _words_not_types() -> None:
    """`--help` without typer's type tags: a yes/no flag takes no value (typer shows "<bool>"),
    an argument is named by its metavar (MODEL, not "<str>"); an option with a value shows its
    metavar (TEXT, N, NUMBER), which typer already honours."""
    from typer.core import TyperArgument, TyperOption

    shown = TyperOption.display_type_rich

    def option_type(self: TyperOption, ctx: Any) -> str | None:
        return "" if self.is_flag else shown(self, ctx)

    TyperOption.display_type_rich = option_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = lambda self, ctx: ""  # type: ignore[method-assign]


_words_not_types()

app = typer.Typer(
    help="Turn any Hugging Face Hub model into a web demo, an HTTP API and a CLI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def version_callback(value: bool) -> None:
    if value:
        print(f"hubdemo {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Print the version."
    ),
) -> None:
    """Turn any Hugging Face Hub model into a web demo, an HTTP API and a CLI."""


def main() -> None:
    """Run the CLI; a usage error (unknown option, value out of range) is one line, exit 2."""
    try:
        status = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        raise SystemExit(130) from None
    except typer.TyperException as exc:
        format_message = getattr(exc, "format_message", None)
        message = format_message() if format_message else str(exc)
        context = getattr(exc, "ctx", None)
        where = context.command_path if context is not None else "hubdemo"
        err.print(
            labelled("error: ", "bold red", f"{message} (see `{where} --help`)"), soft_wrap=True
        )
        raise SystemExit(getattr(exc, "exit_code", 2)) from None
    raise SystemExit(status if isinstance(status, int) else 0)
