"""The Hub's per-task output schemas (huggingface.js, MIT), and checking an output against them.

``hubdemo/data/schemas/<task>/output.json`` and ``common-definitions.json`` are verbatim copies
of the hf-tasks specs (a test keeps them equal to tests/data/hf-tasks). Two readings are applied:
OpenAPI's ``"nullable": true`` allows null, and the few ``required`` names written in camelCase
for snake_case properties (fill-mask's ``tokenStr``) mean the property they name.

Tasks the Hub serves without a spec in hf-tasks get one written for hubdemo (OWN_SPECS, each
marked by its ``$comment``), shaped like the router's recorded answers.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "schemas"
OWN_SPECS = ("audio-to-audio", "tabular-classification", "tabular-regression")


def read_spec(schema: Any) -> Any:
    if isinstance(schema, dict) and schema.get("nullable") is True:
        # OpenAPI's "nullable" beside allOf/$ref is ignored by JSON Schema: say it in its words.
        rest = {k: v for k, v in schema.items() if k != "nullable"}
        return {"anyOf": [{"type": "null"}, read_spec(rest)]}
    if isinstance(schema, dict):
        props = schema.get("properties")
        if isinstance(props, dict) and isinstance(schema.get("required"), list):
            fixed = []
            for name in schema["required"]:
                snake = "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)
                fixed.append(name if name in props or snake not in props else snake)
            schema = {**schema, "required": fixed}
        return {k: read_spec(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [read_spec(v) for v in schema]
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
            resources.append((schema["$id"], Resource.from_contents(read_spec(schema))))
    registry: Registry[Any] = Registry().with_resources(resources)
    return registry


@cache
def _validator(spec_folder: str, root: Path, name: str = "output.json") -> Any:
    import jsonschema

    schema = read_spec(json.loads((root / spec_folder / name).read_text()))
    return jsonschema.Draft6Validator(schema, registry=_registry(root))


def output_errors(
    spec_folder: str, output: Any, root: Path = SCHEMA_DIR, name: str = "output.json"
) -> list[str]:
    """What makes ``output`` break ``<spec_folder>/<name>`` (empty when it is valid)."""
    errors = []
    for error in _validator(spec_folder, root, name).iter_errors(output):
        if (
            error.instance is None
            and isinstance(error.schema, dict)
            and error.schema.get("nullable")
        ):
            continue
        where = "/".join(str(p) for p in error.absolute_path) or "output"
        errors.append(f"{where}: {error.message}")
    return errors


def schema_errors(schema: dict[str, Any], value: Any) -> list[str]:
    """What makes ``value`` break a self-contained JSON Schema (2020-12, as OpenAPI 3.1)."""
    import jsonschema

    found = jsonschema.Draft202012Validator(schema).iter_errors(value)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or 'output'}: {e.message}" for e in found]


MAX_PARAMETER_ITEMS = 4096  # items of a list or object parameter (stop sequences, logit_bias…)
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
def parameters_schema(spec_folder: str, root: Path = SCHEMA_DIR) -> dict[str, Any]:
    """The schema of the task's ``parameters`` (its input.json definition, in that file's
    scope so $refs resolve), closed to other names and with the BOUNDS the specs leave out."""
    path = root / spec_folder / "input.json"
    if not path.is_file():
        return {"type": "object", "additionalProperties": False}
    schema = json.loads(path.read_text(encoding="utf-8"))
    declared = schema.get("properties", {}).get("parameters")
    if declared is None:  # feature-extraction: its options sit beside "inputs"
        # (chat-completion too, beside "messages"; what the request itself is is no parameter)
        request = ("inputs", "messages", "model", "stream", "stream_options")
        properties = {k: v for k, v in schema.get("properties", {}).items() if k not in request}
        target: dict[str, Any] = {"type": "object", "properties": properties}
    else:
        name = str(declared.get("$ref", "")).rsplit("/", 1)[-1]
        target = dict(schema.get("$defs", {}).get(name, {"type": "object"}))
    properties = dict(target.get("properties") or {})
    if "generate_parameters" in properties:
        # Generation settings are also accepted at the top level of "parameters", as the
        # router and transformers' pipelines take them (recorded clients send max_length).
        common = json.loads((root / "common-definitions.json").read_text(encoding="utf-8"))
        properties = {**common["definitions"]["GenerationParameters"]["properties"], **properties}
    for name, (low, high) in BOUNDS.items():
        if name in properties:
            bounded = dict(properties[name])
            if low is not None:
                bounded["minimum"] = max(low, bounded.get("minimum", low))
            if high is not None:
                bounded["maximum"] = min(high, bounded.get("maximum", high))
            properties[name] = bounded
    return {
        "$id": schema.get("$id", ""),
        "$defs": schema.get("$defs", {}),
        **target,
        "properties": properties,
        "additionalProperties": False,
    }


@cache
def _parameters_validator(spec_folder: str, root: Path) -> Any:
    import jsonschema

    return jsonschema.Draft6Validator(
        parameters_schema(spec_folder, root), registry=_registry(root)
    )


def parameter_errors(
    spec_folder: str, parameters: dict[str, Any], root: Path = SCHEMA_DIR
) -> list[str]:
    """What is wrong with ``parameters`` for the task: unknown names, wrong types, values or
    ranges (see parameters_schema). Empty when they are fine."""
    if not parameters:
        return []
    properties = parameters_schema(spec_folder, root)["properties"]
    unknown = sorted(set(parameters) - set(properties))
    if unknown:
        import difflib

        near = difflib.get_close_matches(unknown[0], properties, n=1, cutoff=0.75)
        if near:  # a slip of the keyboard
            return [f"parameters.{unknown[0]} is not a {spec_folder} parameter: "
                    f"did you mean {near[0]}?"]  # fmt: skip
        known = ", ".join(sorted(properties)) or "none"
        return [f"parameters.{unknown[0]} is not a {spec_folder} parameter (known: {known})"]
    # Checked before the schema: validating a list of millions of items holds the CPU for
    # seconds, and no parameter of any task needs that many.
    for name, value in parameters.items():
        if isinstance(value, (list, dict)) and len(value) > MAX_PARAMETER_ITEMS:
            return [f"parameters.{name}: {len(value):,} items; at most {MAX_PARAMETER_ITEMS:,}"]
    errors = []
    for error in _parameters_validator(spec_folder, root).iter_errors(parameters):
        where = ".".join(str(p) for p in error.absolute_path) or "parameters"
        errors.append(f"parameters.{where}: {_short(error.message)}")
    return errors


def _short(message: str, limit: int = 200) -> str:
    """A validation message cut to ``limit`` characters: it quotes the value it refuses, and a
    refused value may be megabytes."""
    return message if len(message) <= limit else f"{message[: limit - 1]}…"


def coerce_parameters(spec_folder: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Integers sent as 2.0 (valid JSON Schema integers) become 2: models index with them."""
    properties = parameters_schema(spec_folder)["properties"]
    return {
        name: int(value)
        if isinstance(value, float) and properties.get(name, {}).get("type") == "integer"
        else value
        for name, value in parameters.items()
    }
