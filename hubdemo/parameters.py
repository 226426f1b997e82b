"""The page's parameter controls, made from the task's parameters schema (the Hub's input.json).

Each control is {name, kind, description, minimum?, maximum?, options?, default?} with kind one
of "integer", "number", "boolean", "choice" (an enum), "text", "list" (strings, comma-separated
in the form) or "json" (anything else: unions, lists of objects, free-form objects, typed as
JSON). An object parameter with named settings (generation_parameters, target_size) becomes one
control per setting, named "<parameter>.<setting>". Parameters that are already inputs of the
form (zero-shot's candidate_labels) are left out.

Also: parameters written as ``name=value`` pairs (``hubdemo predict --param`` and the query
string of a raw media body), see ``named_values``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .errors import InputError
from .openapi import inline
from .schemas import parameters_schema

SCALARS = {"integer", "number", "boolean", "string"}
# The object whose settings schemas.parameters_schema also lists at the top level (where the
# router takes them): its settings get their controls there, not twice.
FLATTENED = "generate_parameters"


def _type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):  # ["integer", "null"]
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    return kind if isinstance(kind, str) else None


def control(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:  # a $ref'd enum
        schema = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
    kind = _type(schema)
    found: dict[str, Any] = {"name": name, "description": schema.get("description", "")}
    if "enum" in schema:
        found.update(kind="choice", options=[str(o) for o in schema["enum"] if o is not None])
    elif kind in SCALARS:
        found["kind"] = "text" if kind == "string" else kind
    elif kind == "array" and _type(schema.get("items") or {}) == "string":
        found["kind"] = "list"
    else:
        found["kind"] = "json"
    for key in ("minimum", "maximum", "default"):
        if key in schema:
            found[key] = schema[key]
    if "exclusiveMinimum" in schema and "minimum" not in found:
        found["minimum"] = schema["exclusiveMinimum"]
    return found


def parameter_controls(spec_folder: str, exclude: set[str]) -> list[dict[str, Any]]:
    schema = parameters_schema(spec_folder)
    properties = inline(schema, schema).get("properties", {})
    controls = []
    for name in sorted(properties):
        if name in exclude or name == FLATTENED:
            continue
        schema_of = properties[name]
        settings = schema_of.get("properties") if _type(schema_of) == "object" else None
        if settings:
            controls += [control(f"{name}.{key}", settings[key]) for key in sorted(settings)]
        else:
            controls.append(control(name, schema_of))
    return controls


def named_values(
    pairs: Iterable[tuple[str, str | None]], option: str = "--param"
) -> dict[str, Any]:
    """The parameters of ``(name, value)`` pairs; ``value`` None when the ``=`` was missing.
    A value is JSON when it reads as JSON (``3``, ``true``, ``["a"]``), else text;
    ``name.setting=value`` sets one setting of an object parameter."""
    parameters: dict[str, Any] = {}
    for name, value in pairs:
        pair = name if value is None else f"{name}={value}"
        if value is None or not name:
            raise InputError(
                f"{option} {pair!r}: write it as name=value, e.g. {option} top_k=3 (a setting of "
                "an object parameter as name.setting=value)"
            )
        try:
            parsed: Any = json.loads(value)
        except ValueError:
            parsed = value
        group, dot, setting = name.partition(".")  # a setting of an object parameter
        if dot and setting:
            nested = parameters.setdefault(group, {})
            if not isinstance(nested, dict):
                raise InputError(f"{option} {pair!r}: {group} was already given a value")
            nested[setting] = parsed
        else:
            parameters[name] = parsed
    return parameters
