"""Every setting declared once (hubdemo/settings.py) and documented where a user looks: the
table of docs/configuration.md is the one the settings make, every variable the code
reads is declared, every variable and flag the docs name exists, and the settings read their
variables as documented (a flag or keyword first, then the variable, then the default)."""

from __future__ import annotations

import re

import pytest
import typer

from hubdemo.cli import app
from hubdemo.errors import UsageError
from hubdemo.settings import (
    END,
    GROUPS,
    START,
    VARIABLES,
    BackendOptions,
    ServeOptions,
    markdown_table,
)
from support import REPO

DOCS = [REPO / "docs" / "configuration.md"]


def declared_variables() -> set[str]:
    return {s.env for g in GROUPS for _, s in g.settings() if s.env} | set(VARIABLES)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_docs_hold_the_table_the_settings_make(doc) -> None:
    text = doc.read_text(encoding="utf-8")
    table = text.split(START, 1)[1].split(END, 1)[0]
    assert table == "\n" + markdown_table(), (
        f"{doc.name}'s settings table is stale: run python docs/generate.py"
    )


def test_every_variable_the_code_reads_is_declared() -> None:
    read = set()
    for path in (REPO / "hubdemo").rglob("*.py"):
        read |= set(re.findall(r"HUBDEMO_[A-Z][A-Z_]*[A-Z]", path.read_text(encoding="utf-8")))
    assert read <= declared_variables(), sorted(read - declared_variables())


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_variable_the_docs_name_exists(doc) -> None:
    named = set(re.findall(r"HUBDEMO_[A-Z][A-Z_]*[A-Z]", doc.read_text(encoding="utf-8")))
    assert named <= declared_variables(), f"{doc.name} names {sorted(named - declared_variables())}"


def test_every_flag_of_every_command_is_a_setting_or_on_the_cli_page() -> None:
    readme = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    command = typer.main.get_command(app)
    flags = {s.flag for g in GROUPS for _, s in g.settings() if s.flag}
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        for parameter in sub.params:
            for opt in parameter.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in flags or opt in readme, f"hubdemo {name} {opt} is undocumented"


def test_a_keyword_wins_over_its_variable_and_a_variable_over_the_default() -> None:
    environ = {"HUBDEMO_TIMEOUT": "7", "HUBDEMO_LOCAL": "yes", "HUBDEMO_CORS": "a, b"}
    assert BackendOptions.from_env(environ).timeout == 7.0
    assert BackendOptions.from_env(environ, timeout=9.0).timeout == 9.0
    assert BackendOptions.from_env(environ).local is True
    assert BackendOptions.from_env({}).timeout == 120.0
    assert ServeOptions.from_env(environ).cors == ["a", "b"]
    assert BackendOptions.from_env({}, command="predict").retry_budget == 60.0
    assert BackendOptions.from_env({}, command="serve").retry_budget == 10.0
    assert ServeOptions.from_env({}, command="endpoint").port == 8080


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("HUBDEMO_TIMEOUT", "soon", "is not a number"),
        ("HUBDEMO_LOCAL", "maybe", "yes/no"),
        ("HUBDEMO_PORT", "70000", "out of range"),
        ("HUBDEMO_CONCURRENCY", "0", "out of range"),
    ],
)
def test_a_variable_that_does_not_parse_is_named(variable, value, says) -> None:
    group = BackendOptions if variable in ("HUBDEMO_TIMEOUT", "HUBDEMO_LOCAL") else ServeOptions
    with pytest.raises(UsageError, match=f"{variable}={value!r}.*{says}"):
        group.from_env({variable: value})


def test_an_unknown_keyword_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown option tiemout.*timeout"):
        BackendOptions.from_env({}, tiemout=3)


def test_the_options_hand_over_to_another_process_unchanged() -> None:
    serve = ServeOptions(port=9999, cors=["https://a.example"], gradio_api=False, auth="u:p")
    backend = BackendOptions(task="text-classification", timeout=5.0, local=True)
    assert ServeOptions.from_env(serve.to_env()) == serve
    assert BackendOptions.from_env(backend.to_env()) == backend
