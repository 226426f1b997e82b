"""The served model's API as an OpenAPI 3.1 document (``GET /openapi.json``).

``POST /api/predict`` takes either body form of docs/design.md §3: ``{"data": [...]}`` with one
string per input, or the task's own body, whose ``inputs`` and ``parameters`` are the Hub's
``input.json`` for the task with every ``$ref`` inlined (so tools need no other file). The 200
answer carries ``output`` as the task's ``output.json``; errors share one schema.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .schemas import SCHEMA_DIR, parameters_schema, read_spec

ERROR_STATUSES = {
    "400": "The body or an input is wrong",
    "401": "Credentials needed (--auth), or the upstream refused the token",
    "403": "The upstream refused the token",
    "404": "The upstream does not serve the model",
    "413": "The body or a decoded image is too large",
    "415": "An input is not a file of the kind the task takes",
    "422": "A parameter is wrong, or the model refused the input",
    "429": "Rate limited upstream, or too many requests waiting here (see Retry-After)",
    "502": "The upstream failed or answered something that is not the task's output",
    "503": "The model is loading or unavailable (see Retry-After)",
    "504": "The upstream did not answer in time",
}
ERROR = {
    "type": "object",
    "required": ["error", "type"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong and what to do"},
        "type": {"type": "string", "description": "The error's class, e.g. InvalidParameter"},
    },
}
NON_BLANK = {"type": "string", "pattern": "\\S"}
INPUT_SCHEMAS = {
    "image": {"type": "string", "description": "data:image/...;base64,... or plain base64"},
    "audio": {"type": "string", "description": "data:audio/...;base64,... or plain base64"},
    "video": {"type": "string", "description": "data:video/...;base64,... or plain base64"},
    "labels": {**NON_BLANK, "description": "Comma-separated labels"},
    "sentences": {**NON_BLANK, "description": "One sentence per line"},
    "table": {
        "anyOf": [
            {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": ["string", "number"]},
                },
            },
            {**NON_BLANK, "description": "CSV text, the first line the column names"},
        ],
        "description": 'A table: {"column": ["cell", ...], ...} (columns of equal length) or CSV',
    },
}


@cache
def _document(path: Path) -> dict[str, Any]:
    """A spec file as hubdemo reads it: "nullable" as null allowed, camelCase required names as
    the snake_case properties they mean (schemas.py)."""
    data: dict[str, Any] = read_spec(json.loads(path.read_text(encoding="utf-8")))
    return data


def inline(schema: Any, document: dict[str, Any], root: Path = SCHEMA_DIR) -> Any:
    """``schema`` with its $refs replaced by what they name (local ``#/$defs/...`` or
    ``/inference/schemas/<file>#/...``), and OpenAPI's ``nullable`` as a JSON Schema type."""
    if isinstance(schema, list):
        return [inline(item, document, root) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = dict(schema)
    reference = schema.pop("$ref", None)
    if isinstance(reference, str):
        where, _, pointer = reference.partition("#")
        source = document if not where else _document(root / where.split("/schemas/", 1)[1])
        target: Any = source
        for part in pointer.strip("/").split("/"):
            target = target[part]
        schema = {**inline(target, source, root), **schema}
    for key in ("$id", "$schema", "$defs", "comment"):
        schema.pop(key, None)
    if schema.pop("nullable", False) and isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
    return {key: inline(value, document, root) for key, value in schema.items()}


def _non_blank(schema: Any) -> Any:
    """Text inputs must hold something besides spaces (hubdemo refuses blank text)."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & set(schema)):
            return {**schema, "pattern": "\\S"}
        return {key: _non_blank(value) for key, value in schema.items()}
    return schema


def _native_body(spec_folder: str, media: bool) -> dict[str, Any]:
    document = _document(SCHEMA_DIR / spec_folder / "input.json")
    body: dict[str, Any] = inline(document, document)
    properties = body.setdefault("properties", {})
    if "inputs" in properties and not media:
        properties["inputs"] = _non_blank(properties["inputs"])
    body["additionalProperties"] = True  # "options" and the like are tolerated...
    body["not"] = {"required": ["data"]}  # ...but a "data" key makes it the other form
    return body


def _without_required(parameters: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """In the {"data": [...]} form a parameter that is also an input (zero-shot's
    candidate_labels) comes from "data", so "parameters" need not have it."""
    required = [name for name in parameters.get("required", []) if name not in names]
    trimmed = {k: v for k, v in parameters.items() if k != "required"}
    return {**trimmed, "required": required} if required else trimmed


def openapi(info: dict[str, Any], spec_folder: str) -> dict[str, Any]:
    """The document of a task of the Hub's: its bodies and output from hf-tasks."""
    inputs = info["inputs"]
    native = _native_body(spec_folder, media=inputs[0]["kind"] in ("image", "audio", "video"))
    declared = parameters_schema(spec_folder)
    parameters = inline(declared, declared)
    if "parameters" in native.get("properties", {}):
        native["properties"]["parameters"] = parameters
    else:  # feature-extraction: the options sit beside "inputs"
        native["properties"].update(parameters.get("properties", {}))
    produced = _document(SCHEMA_DIR / spec_folder / "output.json")
    document = openapi_from(info, native, parameters, inline(produced, produced))
    post = document["paths"]["/api/predict"]["post"]
    post["requestBody"]["content"].update(media_body(inputs))  # the file itself as the body
    post.update(media_query(inputs, parameters))
    return document


def openapi_from(
    info: dict[str, Any],
    native: dict[str, Any],
    parameters: dict[str, Any],
    output: dict[str, Any],
) -> dict[str, Any]:
    """The document, given the task's own body, its parameters and its output schema."""
    data_body = _data_body(info["inputs"], parameters)
    prediction = {
        "type": "object",
        "required": ["output", "data", "duration"],
        "properties": {
            "output": output,
            "data": {"type": "array", "description": "Display values, one per output"},
            "duration": {"type": "number", "minimum": 0},
        },
    }

    def json_of(schema: dict[str, Any]) -> dict[str, Any]:
        return {"application/json": {"schema": schema}}

    anything = json_of({"type": "object"})
    errors = {
        status: {"description": text, "content": json_of({"$ref": "#/components/schemas/Error"})}
        for status, text in ERROR_STATUSES.items()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{info['model']} · {info['title']}",
            "version": "1",
            "description": f"hubdemo's HTTP API for {info['model']} ({info['task']}).",
        },
        "paths": {
            "/healthz": {
                "get": {
                    "summary": "Liveness, and whether a local model is loaded",
                    "responses": {"200": {"description": "Alive", "content": anything}},
                }
            },
            "/api/info": {
                "get": {
                    "summary": "The model, its task, inputs, outputs and examples",
                    "responses": {"200": {"description": "describe --json", "content": anything}},
                }
            },
            "/api/predict": {
                "post": {
                    "summary": f"{info['action']}: one prediction",
                    "requestBody": {
                        "required": True,
                        "content": json_of({"oneOf": [data_body, native]}),
                    },
                    "responses": {
                        "200": {"description": "The answer", "content": json_of(prediction)},
                        **errors,
                    },
                }
            },
        },
        "components": {"schemas": {"Error": ERROR}},
    }


def _data_body(inputs: list[dict[str, Any]], parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``{"data": [...], "parameters": {...}}`` body: one value per input, in order."""
    items = [
        {"type": "string"} if c.get("optional") else INPUT_SCHEMAS.get(c["kind"], NON_BLANK)
        for c in inputs
    ]
    return {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "array",
                "prefixItems": items,
                "items": False,
                "minItems": len(items),
                "maxItems": len(items),
                "description": "One value per input: " + ", ".join(c["name"] for c in inputs),
            },
            "parameters": _without_required(parameters, {c["name"] for c in inputs}),
        },
    }


def _one_file(inputs: list[dict[str, Any]]) -> str | None:
    kinds = [c["kind"] for c in inputs]
    return kinds[0] if len(kinds) == 1 and kinds[0] in ("image", "audio", "video") else None


def media_body(inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """A task whose one input is a file also takes the file itself as the body."""
    kind = _one_file(inputs)
    if kind is None:
        return {}
    return {
        f"{kind}/*": {
            "schema": {"type": "string", "contentMediaType": f"{kind}/*"},
            "example": f"the {kind} file's bytes; parameters in the query string",
        }
    }


def media_query(inputs: list[dict[str, Any]], parameters: dict[str, Any]) -> dict[str, Any]:
    """With the file as the body, the task's parameters go in the query string (name=value,
    the value JSON when it reads as JSON)."""
    if _one_file(inputs) is None:
        return {}
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": "only with the file as the body (else in the JSON body)",
                "schema": schema,
            }
            for name, schema in (parameters.get("properties") or {}).items()
        ]
    }
