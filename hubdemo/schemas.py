"""The Hub's per-task output schemas (huggingface.js, MIT), and checking an output against them.

``hubdemo/data/schemas/<task>/output.json`` and ``common-definitions.json`` are verbatim copies
of the hf-tasks specs (a test keeps them equal to ../shared/hf-tasks). Two readings are applied:
OpenAPI's ``"nullable": true`` allows null, and the few ``required`` names written in camelCase
for snake_case properties (fill-mask's ``tokenStr``) mean the property they name.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "schemas"


def _fix_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        props = schema.get("properties")
        if isinstance(props, dict) and isinstance(schema.get("required"), list):
            fixed = []
            for name in schema["required"]:
                snake = "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)
                fixed.append(name if name in props or snake not in props else snake)
            schema = {**schema, "required": fixed}
        return {k: _fix_required(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_fix_required(v) for v in schema]
    return schema


@cache
def _validator(spec_folder: str, root: Path) -> Any:
    import jsonschema
    from referencing import Registry, Resource

    resources = []
    for path in root.glob("**/*.json"):
        if "tapes" in path.parts or "task-data" in path.parts:
            continue
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(schema, dict) and "$id" in schema:
            resources.append((schema["$id"], Resource.from_contents(_fix_required(schema))))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = _fix_required(json.loads((root / spec_folder / "output.json").read_text()))
    return jsonschema.Draft6Validator(schema, registry=registry)


def output_errors(spec_folder: str, output: Any, root: Path = SCHEMA_DIR) -> list[str]:
    """What makes ``output`` break ``<spec_folder>/output.json`` (empty when it is valid)."""
    errors = []
    for error in _validator(spec_folder, root).iter_errors(output):
        if (
            error.instance is None
            and isinstance(error.schema, dict)
            and error.schema.get("nullable")
        ):
            continue
        where = "/".join(str(p) for p in error.absolute_path) or "output"
        errors.append(f"{where}: {error.message}")
    return errors
