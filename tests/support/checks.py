"""Checks of answers against the Hub's schemas and the recordings."""

from __future__ import annotations

import json
from typing import Any

from hubdemo.schemas import output_errors
from support import HF_TASKS


def validate_output(spec_folder: str, output: Any, name: str = "output.json") -> None:
    """Validate against tests/data/hf-tasks/<spec_folder>/output.json (or ``name``, e.g.
    stream_output.json), the Hub's own spec (not hubdemo's bundled copy); OpenAPI "nullable"
    honoured. Tasks hf-tasks has no spec for are checked against the one written for hubdemo."""
    from hubdemo.schemas import OWN_SPECS, SCHEMA_DIR

    errors = output_errors(
        spec_folder, output, SCHEMA_DIR if spec_folder in OWN_SPECS else HF_TASKS, name
    )
    assert not errors, f"{spec_folder} output breaks its schema: {errors[0]}"


def sse_events(text: str) -> list[tuple[str, Any]]:
    """The server-sent events of /api/predict?stream=true: ("message" | "error", data)."""
    events = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        data = [line[6:] for line in lines if line.startswith("data: ")]
        if data:
            kind = "error" if "event: error" in lines else "message"
            events.append((kind, json.loads(data[0])))
    return events


def close(got: Any, expected: Any, tolerance: float = 1e-4) -> bool:
    """Nested JSON equal, numbers within ``tolerance`` (a padded batch rounds differently)."""
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and got.keys() == expected.keys()
            and all(close(got[k], expected[k], tolerance) for k in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(close(g, e, tolerance) for g, e in zip(got, expected, strict=True))
        )
    if isinstance(expected, float):
        return isinstance(got, (int, float)) and abs(got - expected) <= tolerance
    return bool(got == expected)


def answer_schema(url: str) -> dict[str, Any]:
    """The schema /openapi.json gives for a 200 of /api/predict at ``url``."""
    import httpx

    document = httpx.get(f"{url}/openapi.json").json()
    content = document["paths"]["/api/predict"]["post"]["responses"]["200"]["content"]
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema
