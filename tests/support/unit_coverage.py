"""Which modules of hubdemo/ the unit layer exercises, read from the coverage data that
`pytest tests/unit --cov=hubdemo` left in .coverage: a module counts when a line inside one of
its functions ran (importing it runs only its top level). Prints the table of the closing notes
and docs/contributing.md; exits 1 naming the modules no unit test reaches.

    make coverage    (or: PYTHONPATH=tests .venv/bin/python -m support.unit_coverage)"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from support import REPO


def function_lines(path: Path) -> set[int]:
    """The lines inside function bodies (docstrings aside)."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            for statement in body:
                lines.update(
                    range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
                )
    return lines


def main() -> int:
    import coverage

    data = coverage.Coverage(data_file=str(REPO / ".coverage")).get_data()
    data.read()
    rows, unreached = [], []
    for path in sorted((REPO / "hubdemo").rglob("*.py")):
        name = str(path.relative_to(REPO))
        inside = function_lines(path)
        ran = set(data.lines(str(path)) or ())
        statements = len(ran | inside) or 1
        reached = len(ran & inside)
        if inside and not reached:
            unreached.append(name)
        share = 100 * reached / len(inside) if inside else 100.0
        rows.append(f"| `{name}` | {reached}/{len(inside)} | {share:.0f}% |")
        del statements
    print("| module | function lines run by tests/unit | share |\n|---|---|---|")
    print("\n".join(rows))
    if unreached:
        print(f"\nno unit test reaches: {', '.join(unreached)}", file=sys.stderr)
        return 1
    print(f"\nall {len(rows)} modules are exercised by tests/unit", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
