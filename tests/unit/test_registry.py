"""Keeps the registry honest: every task has its partials, its spec and its end-to-end case."""

from __future__ import annotations

import json

from hubdemo.components import INPUT_KINDS, OUTPUT_KINDS
from hubdemo.tasks import TASKS
from support import HF_TASKS, REPO
from support.cases import CASES


def test_registry_is_alphabetical() -> None:
    assert list(TASKS) == sorted(TASKS)


def test_every_component_kind_has_its_partial() -> None:
    partials = REPO / "templates" / "partials"
    for handler in TASKS.values():
        for component in handler.inputs:
            assert component.kind in INPUT_KINDS
            assert (partials / f"input_{component.kind}.html").is_file(), component.kind
        for component in handler.outputs:
            assert component.kind in OUTPUT_KINDS
            assert (partials / f"output_{component.kind}.html").is_file(), component.kind


def test_every_task_has_a_spec_and_a_recorded_exchange(tapes) -> None:
    from hubdemo.schemas import OWN_SPECS, SCHEMA_DIR

    for name, handler in TASKS.items():
        specs = SCHEMA_DIR if handler.spec in OWN_SPECS else HF_TASKS
        assert (specs / handler.spec / "output.json").is_file(), name
        assert name in CASES, f"{name} has no end-to-end case"
        route = {"": "", "chat": "chat"}.get(handler.route, f"pipeline/{name}")
        assert tapes.candidates(CASES[name].model, route), name


def test_every_output_kind_has_every_column_of_its_table() -> None:
    """An output kind lives in six places (hubdemo/components.py): each must have it."""
    from hubdemo.cli.render import RENDERERS
    from hubdemo.spaces.components import OUTPUTS

    script = (REPO / "templates" / "static" / "renderers.js").read_text()
    partials = REPO / "templates" / "partials"
    gradio_types = {"json", "label", "textbox", "highlightedtext", "image", "audio", "video"}
    for kind, entry in OUTPUT_KINDS.items():
        assert entry.name == kind
        assert (partials / f"output_{kind}.html").is_file(), f"{kind} has no partial"
        assert f"  {kind}(root" in script, f"renderers.js has no renderer for {kind}"
        assert kind in RENDERERS, f"cli/render.py prints no {kind}"
        assert entry.gradio in gradio_types, f"{kind}: {entry.gradio} is no Gradio type"
    for component, kind in OUTPUTS.items():  # what a Space's output is drawn as
        assert OUTPUT_KINDS[kind].space_schema is not None, f"{component} -> {kind}: no schema"
    assert set(RENDERERS) == set(OUTPUT_KINDS), "cli/render.py prints a kind that is not listed"


def test_bundled_output_schemas_are_the_hub_specs_verbatim() -> None:
    from hubdemo.schemas import OWN_SPECS, SCHEMA_DIR
    from support import HF_TASKS

    hub_specs = {p.parent.name for p in HF_TASKS.glob("*/output.json")} - {"placeholder"}
    bundled = {p.parent.name for p in SCHEMA_DIR.glob("*/output.json")}
    assert bundled == hub_specs | set(OWN_SPECS)
    for name in OWN_SPECS:  # written for hubdemo only where the Hub has no spec, and marked
        assert not (HF_TASKS / name).exists()
        for part in ("input.json", "output.json"):
            text = (SCHEMA_DIR / name / part).read_text()
            assert "Written for hubdemo" in json.loads(text)["$comment"]
    for name in hub_specs:
        assert (SCHEMA_DIR / name / "output.json").read_bytes() == (
            HF_TASKS / name / "output.json"
        ).read_bytes()
    common = "common-definitions.json"
    assert (SCHEMA_DIR / common).read_bytes() == (HF_TASKS / common).read_bytes()


def test_the_schema_check_finds_a_broken_output() -> None:
    from hubdemo.schemas import output_errors

    assert output_errors("text-classification", [{"label": "A", "score": 0.5}]) == []
    errors = output_errors("text-classification", [{"label": "A", "score": "high"}])
    assert errors and errors[0].startswith("0/score")
    assert output_errors("fill-mask", [{"sequence": "s", "score": 1, "token": 1}])  # token_str


def test_parameter_controls_follow_each_tasks_spec() -> None:
    from hubdemo.parameters import parameter_controls
    from hubdemo.schemas import parameters_schema
    from support import HF_TASKS

    for name, handler in TASKS.items():
        inputs = {c.name for c in handler.inputs}
        controls = parameter_controls(handler.spec, inputs)
        names = [c["name"].split(".")[0] for c in controls]  # "group.setting" sits in group
        assert set(names) <= set(parameters_schema(handler.spec)["properties"]), name
        assert not set(names) & inputs, f"{name}: an input is also a parameter control"
        assert all(c["kind"] in {"integer", "number", "boolean", "choice", "text", "list", "json"}
                   for c in controls)  # fmt: skip
    spec = json.loads((HF_TASKS / "text-classification" / "input.json").read_text())
    declared = spec["$defs"]["TextClassificationParameters"]["properties"]
    controls = {c["name"]: c for c in parameter_controls("text-classification", {"text"})}
    assert set(controls) == set(declared)
    assert controls["top_k"]["kind"] == "integer" and controls["top_k"]["minimum"] == 1
    assert controls["function_to_apply"]["options"] == ["sigmoid", "softmax", "none"]


def test_the_recorded_traffic_is_the_one_source_txt_names() -> None:
    """tests/data/hf-tasks/tapes/tapes.json is the recording SOURCE.txt describes, byte for
    byte (its sha256 is written there)."""
    import hashlib
    import re

    from support import HF_TASKS

    source = (HF_TASKS / "SOURCE.txt").read_text()
    named = re.search(r"sha256\s+([0-9a-f]{64})", source)
    assert named, "SOURCE.txt names the sha256 of tapes.json"
    tapes = (HF_TASKS / "tapes" / "tapes.json").read_bytes()
    assert hashlib.sha256(tapes).hexdigest() == named.group(1)
    assert (HF_TASKS / "LICENSE").is_file()
    assert (HF_TASKS / "tapes" / "huggingface_hub-cassettes" / "LICENSE").is_file()
