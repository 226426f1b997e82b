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
def _registry(root: Path) -> Any:
    """Every schema under ``root`` by its $id, so that cross-file $refs resolve."""
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
    return registry


@cache
def _validator(spec_folder: str, root: Path) -> Any:
    import jsonschema

    schema = _fix_required(json.loads((root / spec_folder / "output.json").read_text()))
    return jsonschema.Draft6Validator(schema, registry=_registry(root))


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


# Ranges the specs leave implicit; a value outside them is refused before it reaches a model.
BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "top_k": (1, None),
    "max_new_tokens": (1, None),
    "best_of": (1, None),
    "max_answer_len": (1, None),
    "max_question_len": (1, None),
    "top_n_tokens": (0, None),
    "doc_stride": (0, None),
    "temperature": (0, None),
    "repetition_penalty": (0, None),
    "top_p": (0, 1),
    "typical_p": (0, 1),
    "threshold": (0, 1),
}


@cache
def _parameters(spec_folder: str, root: Path) -> tuple[dict[str, Any], Any]:
    """The task's parameter properties and a validator for them (None when it has none)."""
    import jsonschema

    path = root / spec_folder / "input.json"
    if not path.is_file():
        return {}, None
    schema = json.loads(path.read_text(encoding="utf-8"))
    declared = schema.get("properties", {}).get("parameters")
    if declared is None:  # feature-extraction: its options sit beside "inputs"
        properties = {k: v for k, v in schema.get("properties", {}).items() if k != "inputs"}
        target: dict[str, Any] = {"type": "object", "properties": properties}
    else:
        name = str(declared.get("$ref", "")).rsplit("/", 1)[-1]
        target = schema.get("$defs", {}).get(name, {"type": "object"})
    if "generate_parameters" in (target.get("properties") or {}):
        # Generation settings are also accepted at the top level of "parameters", as the
        # router and transformers' pipelines take them (recorded clients send max_length).
        common = json.loads((root / "common-definitions.json").read_text(encoding="utf-8"))
        generation = common["definitions"]["GenerationParameters"]["properties"]
        target = {**target, "properties": {**generation, **target["properties"]}}
    # The parameters' own schema, kept in its file's scope so that relative $refs resolve.
    full = {"$id": schema.get("$id", ""), "$defs": schema.get("$defs", {}), **target}
    validator = jsonschema.Draft6Validator(full, registry=_registry(root))
    return dict(target.get("properties") or {}), validator


def parameter_errors(
    spec_folder: str, parameters: dict[str, Any], root: Path = SCHEMA_DIR
) -> list[str]:
    """What is wrong with ``parameters`` for the task: unknown names, wrong types or values
    (from input.json), values out of range (BOUNDS). Empty when they are fine."""
    if not parameters:
        return []
    properties, validator = _parameters(spec_folder, root)
    unknown = sorted(set(parameters) - set(properties))
    if unknown:
        known = ", ".join(sorted(properties)) or "none"
        return [f"parameters.{unknown[0]} is not a {spec_folder} parameter (known: {known})"]
    errors = []
    for error in validator.iter_errors(parameters):
        where = ".".join(str(p) for p in error.absolute_path) or "parameters"
        errors.append(f"parameters.{where}: {error.message}")
    for name, value in parameters.items():
        low, high = BOUNDS.get(name, (None, None))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            errors.append(f"parameters.{name}: {value} is out of range (it must be {span})")
    return errors
