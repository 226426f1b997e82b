"""The documentation site builds with `mkdocs build --strict` (no broken link, no page left out
of the navigation), its generated tables are what the code makes now (docs/generate.py), every
command's option, every setting and every task is on its page, and the README stays a front
door of at most 200 lines whose links and picture exist."""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

import pytest
import typer

from hubdemo.cli import app
from hubdemo.settings import GROUPS, VARIABLES
from hubdemo.tasks import TASKS
from support import REPO

DOCS = REPO / "docs"


def generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built as `make docs` builds it: strict, so a warning fails the build."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    built = tmp_path_factory.mktemp("site")
    config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(built), strict=True)
    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    handler = Collect()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        build(config)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    assert not warnings, "mkdocs build --strict would fail:\n" + "\n".join(warnings)
    return built


def text_of(site: Path, page: str) -> str:
    raw = (site / page / "index.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", raw))


def test_the_generated_tables_are_current() -> None:
    assert generator().stale() == [], "run .venv/bin/python docs/generate.py"


def test_every_option_of_every_command_is_on_the_cli_page(site: Path) -> None:
    shown = text_of(site, "cli")
    command = typer.main.get_command(app)
    missing = [
        f"hubdemo {name} {opt}"
        for name, sub in command.commands.items()  # type: ignore[attr-defined]
        for parameter in sub.params
        for opt in [*parameter.opts, *getattr(parameter, "secondary_opts", [])]
        if opt.startswith("--") and opt != "--help" and opt not in shown
    ]
    assert all(f"hubdemo {name}" in shown for name in command.commands)  # type: ignore[attr-defined]
    assert not missing, f"not on docs/cli.md: {missing}"


def test_every_setting_and_variable_is_on_the_configuration_page(site: Path) -> None:
    shown = text_of(site, "configuration")
    wanted = {s.env for g in GROUPS for _, s in g.settings() if s.env} | set(VARIABLES)
    wanted |= {s.flag.split(" /")[0] for g in GROUPS for _, s in g.settings() if s.flag}
    missing = sorted(w for w in wanted if w not in shown)
    assert not missing, f"not on docs/configuration.md: {missing}"


def test_every_task_is_on_the_tasks_page(site: Path) -> None:
    shown = text_of(site, "tasks")
    missing = sorted(task for task in TASKS if task not in shown)
    assert not missing, f"not on docs/tasks.md: {missing}"


def test_every_page_is_built_and_its_pictures_exist(site: Path) -> None:
    pages = sorted(p.stem for p in DOCS.glob("*.md"))
    built = [p for p in pages if (site / ("" if p == "index" else p) / "index.html").is_file()]
    assert built == pages
    for page in DOCS.glob("*.md"):
        for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / picture).is_file(), f"{page.name}: {picture} is missing"


def test_the_readme_is_a_front_door_whose_links_hold() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    for target in re.findall(r"\]\(((?:docs/)[^)#]+)", readme):
        assert (REPO / target).is_file(), f"README.md links to {target}, which is missing"
    for command in ("serve", "describe", "predict", "smoke", "endpoint"):
        assert f"hubdemo {command} " in readme, f"the README shows no `hubdemo {command}`"
    assert "make demo" in readme and "make test" in readme


def test_every_variable_the_docs_name_exists() -> None:
    declared = {s.env for g in GROUPS for _, s in g.settings() if s.env} | set(VARIABLES)
    for page in [REPO / "README.md", *DOCS.glob("*.md")]:
        named = set(re.findall(r"HUBDEMO_[A-Z][A-Z_]*[A-Z]", page.read_text(encoding="utf-8")))
        assert named <= declared, f"{page.name} names {sorted(named - declared)}"
