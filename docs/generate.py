"""The generated parts of the docs, made from the code so that they cannot lag behind it:

    <!-- cli:start -->        docs/cli.md            every command's arguments and options (typer)
    <!-- settings:start -->   docs/configuration.md  every setting (hubdemo/settings.py)
    <!-- tasks:start -->      docs/tasks.md          every task of the registry (hubdemo/tasks)
    <!-- providers:start -->  docs/providers.md      huggingface_hub's provider helpers

    .venv/bin/python docs/generate.py          rewrites them
    .venv/bin/python docs/generate.py --check  exits 1 naming a stale one (tests/unit/test_docs.py)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def cli_reference() -> str:
    import typer

    from hubdemo.cli import app

    root = typer.main.get_command(app)
    parts = []
    for name, command in sorted(root.commands.items()):  # type: ignore[attr-defined]
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        usage = " ".join([f"hubdemo {name}", *(a.name.upper() + ("..." if a.nargs == -1 else "") for a in arguments)])
        parts += [f"### `hubdemo {name}`", "", (command.help or "").strip().splitlines()[0], ""]
        parts += [f"`{usage} [OPTIONS]`", "", "| option | default | what it does |", "|---|---|---|"]
        for option in command.params:
            if option.param_type_name == "argument" or option.name == "help":
                continue
            names = " / ".join(f"`{o}`" for o in [*option.opts, *option.secondary_opts])
            default = option.default
            shown = (
                "none" if default is None or default in ((), []) else
                ("on" if default else "off") if isinstance(default, bool) else f"`{default}`"
            )  # fmt: skip
            helped = (option.help or "").replace("|", "\\|").replace("\n", " ")
            parts.append(f"| {names} | {shown} | {helped} |")
        parts.append("")
    return "\n".join(parts)


def tasks_table() -> str:
    from hubdemo.local.registry import runs_locally
    from hubdemo.tasks import TASKS, hub_tags

    rows = [
        "| task | inputs | outputs | parameters | Hub tags | on this machine |",
        "|---|---|---|---|---|---|",
    ]
    for name, handler in sorted(TASKS.items()):
        described = handler.describe()
        inputs = ", ".join(c["kind"] for c in described["inputs"])
        outputs = ", ".join(c["kind"] for c in described["outputs"])
        tags = ", ".join(hub_tags(name))
        local = "yes" if runs_locally(name) else "—"
        rows.append(
            f"| `{name}` | {inputs} | {outputs} | {len(described['parameters'])} | {tags} | {local} |"
        )
    return "\n".join(rows) + "\n"


def providers_table() -> str:
    from hubdemo.providers import helper_table

    def named(task: str) -> str:
        return "chat-completion" if task == "conversational" else task

    rows = ["| provider | tasks |", "|---|---|"]
    rows += [
        f"| {name} | {', '.join(sorted(named(t) for t in tasks))} |"
        for name, tasks in sorted(helper_table().items())
    ]
    return "\n".join(rows) + "\n"


def settings_table() -> str:
    from hubdemo.settings import markdown_table

    return markdown_table()


BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "cli": ("cli.md", cli_reference),
    "settings": ("configuration.md", settings_table),
    "tasks": ("tasks.md", tasks_table),
    "providers": ("providers.md", providers_table),
}


def with_block(text: str, name: str, made: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, found, rest = text.partition(start)
    if not found or end not in rest:
        raise SystemExit(f"the page has no {start} ... {end} markers")
    return f"{head}{start}\n{made}{end}{rest.split(end, 1)[1]}"


def stale() -> list[str]:
    """The pages whose generated block differs from what the code makes now."""
    found = []
    for name, (page, make) in BLOCKS.items():
        text = (DOCS / page).read_text(encoding="utf-8")
        if with_block(text, name, make()) != text:
            found.append(f"docs/{page} ({name})")
    return found


def main(argv: list[str]) -> int:
    if "--check" in argv:
        lagging = stale()
        if lagging:
            print(f"stale: {', '.join(lagging)}; run python docs/generate.py", file=sys.stderr)
        return 1 if lagging else 0
    for name, (page, make) in BLOCKS.items():
        path = DOCS / page
        path.write_text(with_block(path.read_text(encoding="utf-8"), name, make()), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
