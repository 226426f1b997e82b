"""The results of a smoke run, and their reports: JUnit XML (one testcase per example) and
JSON, secrets redacted in any form they take."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..redact import Redactor


@dataclass
class ExampleResult:
    title: str
    ok: bool
    seconds: float
    problems: list[str] = field(default_factory=list)
    output: Any = None


@dataclass
class ModelResult:
    model: str
    task: str | None = None
    backend: str | None = None
    problems: list[str] = field(default_factory=list)  # before any example: resolve, page
    examples: list[ExampleResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.examples) and all(e.ok for e in self.examples)


def junit_xml(results: list[ModelResult]) -> str:
    """One <testsuite> per model, one <testcase> per example (plus "resolve and page" when
    the model failed before its examples)."""
    root = ET.Element("testsuites", name="hubdemo smoke")
    total = failures = 0
    for model in results:
        suite = ET.SubElement(root, "testsuite", name=model.model)
        cases: list[tuple[str, float, list[str]]] = []
        if model.problems:
            cases.append(("resolve and page", model.seconds, model.problems))
        cases += [(f"example: {e.title}", e.seconds, e.problems) for e in model.examples]
        for name, seconds, problems in cases:
            case = ET.SubElement(
                suite, "testcase", classname=model.model, name=name, time=f"{seconds:.3f}"
            )
            if problems:
                failure = ET.SubElement(case, "failure", message=problems[0])
                failure.text = "\n".join(problems)
        broken = sum(1 for _, _, p in cases if p)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(broken))
        suite.set("errors", "0")
        suite.set("time", f"{model.seconds:.3f}")
        total, failures = total + len(cases), failures + broken
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def json_report(results: list[ModelResult]) -> dict[str, Any]:
    models = []
    for model in results:
        entry = asdict(model)
        entry["ok"] = model.ok
        models.append(entry)
    passed = sum(1 for m in results if m.ok)
    return {"passed": passed, "failed": len(results) - passed, "models": models}


def write_report(path: Path, results: list[ModelResult], secrets: list[str | None]) -> None:
    """Write the JUnit XML or JSON report; ``secrets`` are redacted in any form they take
    (an output or an error may quote what the upstream echoed)."""
    if path.suffix.lower() == ".xml":
        text = junit_xml(results)
    else:
        text = json.dumps(json_report(results), indent=2) + "\n"
    path.write_text(Redactor(secrets).text(text), encoding="utf-8")
