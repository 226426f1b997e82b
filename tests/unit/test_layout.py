"""The layout of docs/design.md, kept: layers and no cycles (import-linter's contracts in
pyproject.toml, and every module checked for a cycle through any other), small modules,
functions and classes, and no caller probing a backend for members (upstream/base.py has them
all)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import grimp

from support import REPO

PACKAGE = REPO / "hubdemo"
MAX_FILE_LINES = 450
MAX_FUNCTION_LINES = 80
MAX_CLASS_LINES = 250
MAX_TOP_MODULES = 24
# Data tables, not code: allowed up to MAX_TABLE_LINES (every setting's declaration).
DATA_TABLES = {"hubdemo/settings.py"}
MAX_TABLE_LINES = 600


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_import_contracts_hold() -> None:
    """Entry points over the library, the library over its backends, the core under all."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph("hubdemo", exclude_type_checking_imports=True)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if importer == "hubdemo" or imported == "hubdemo":
                continue  # the package's lazy hubdemo.load, for users
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.append(" -> ".join((importer, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_every_import_names_something_that_exists() -> None:
    """Imports inside functions (kept lazy so that the CLI starts quickly) run only when their
    function does: a moved module must not leave one behind."""
    stale = []
    for path in modules():
        package = list(path.relative_to(REPO).parts[:-1])  # a module's and an __init__'s
        where = path.relative_to(REPO)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = package[: len(package) - (node.level - 1)]
            target = ".".join([*base, *([node.module] if node.module else [])])
            try:
                module = importlib.import_module(target)
            except ImportError:
                stale.append(f"{where}:{node.lineno} {target}")
                continue
            for alias in node.names:
                if not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{target}.{alias.name}")
                    except ImportError:
                        stale.append(f"{where}:{node.lineno} {target}.{alias.name}")
    assert not stale, "imports of what does not exist:\n" + "\n".join(stale)


def test_modules_functions_and_classes_stay_small() -> None:
    too_big = []
    for path in modules():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(REPO))
        lines = len(text.splitlines())
        if lines > (MAX_TABLE_LINES if name in DATA_TABLES else MAX_FILE_LINES):
            too_big.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
            if length > limit:
                too_big.append(f"{name}:{node.name} {length} lines")
    assert not too_big, "split these:\n" + "\n".join(too_big)
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, f"{len(top)} modules at the top of hubdemo/: {top}"


BACKEND_NAMES = ("upstream", "backend", "remote", "active", "local")


def test_no_caller_probes_a_backend_for_members() -> None:
    """getattr/hasattr on a backend means the contract (upstream/base.py) lacks a member."""
    probes = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in ("getattr", "hasattr") and node.args:
                target = ast.unparse(node.args[0]).lower()
                if any(word in target for word in BACKEND_NAMES):
                    probes.append(f"{path.relative_to(REPO)}:{node.lineno} {ast.unparse(node)}")
    assert not probes, "\n".join(probes)


def test_every_module_says_what_it_is_for() -> None:
    missing = [
        str(p.relative_to(REPO))
        for p in modules()
        if p.name != "__main__.py" and not ast.get_docstring(ast.parse(p.read_text()))
    ]
    assert not missing, f"modules without a docstring: {missing}"


def test_the_design_document_cited_is_the_repositorys() -> None:
    assert (REPO / "docs" / "design.md").is_file()
    stale = [
        f"{path.relative_to(REPO)}"
        for folder in ("hubdemo", "tests", "templates")
        for path in (REPO / folder).rglob("*")
        if path.suffix in (".py", ".js", ".html", ".md")
        and "node_modules" not in path.parts
        and path.name != "test_layout.py"
        and "DESIGN.md" in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert not stale, f"cite docs/design.md, not DESIGN.md: {stale}"


# -- the tests' own layout (tests/conftest.py says why) ----------------------------------------


def test_every_test_file_is_in_a_layer_and_imports_no_other_test_file() -> None:
    tests = REPO / "tests"
    stray, imports = [], []
    for path in sorted(tests.rglob("test_*.py")):
        where = path.relative_to(tests)
        if where.parts[0] not in ("unit", "e2e", "browser"):
            stray.append(str(where))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            for name in names:
                if name == "conftest" or name.split(".")[-1].startswith("test_"):
                    imports.append(f"{where}:{node.lineno} imports {name}")
    assert not stray, f"test files outside tests/{{unit,e2e,browser}}: {stray}"
    assert not imports, "a test imports from tests/support, never another test:\n" + "\n".join(
        imports
    )
