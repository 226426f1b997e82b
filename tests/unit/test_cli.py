"""The command line in process, through typer's CliRunner, on the function backend: each
command's output and exit codes (docs/design.md §3: 0 ok, 1 a prediction failed, 2 bad usage or
input; an error is one line). tests/e2e/test_cli.py runs the real `hubdemo` process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubdemo import __version__
from hubdemo.cli import app
from hubdemo.tasks import TASKS

FEEL = ["support.functions:feel", "--task", "text-classification"]


def hubdemo(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    assert hubdemo("--version") == (0, f"hubdemo {__version__}\n", "")


def test_tasks_lists_every_task_of_the_registry() -> None:
    code, out, _ = hubdemo("tasks", "--json")
    assert code == 0
    listed = json.loads(out)
    names = {t["task"] if isinstance(t, dict) else t for t in listed}
    assert names >= set(TASKS)
    code, table, _ = hubdemo("tasks")
    assert code == 0 and all(task in table for task in TASKS)


def test_describe_json_has_the_documented_keys() -> None:
    code, out, err = hubdemo("describe", *FEEL, "--json")
    assert code == 0, err
    described = json.loads(out)
    assert set(described) >= {"model", "task", "inputs", "outputs", "chain", "examples", "upstream"}
    assert described["task"] == "text-classification"
    assert described["upstream"]["kind"] == "function"
    code, table, _ = hubdemo("describe", *FEEL)
    assert code == 0 and "text-classification" in table and "support.functions:feel" in table


def test_predict_json_is_the_task_and_its_normalized_output() -> None:
    code, out, err = hubdemo("predict", *FEEL, "I love it", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "task": "text-classification",
        "output": [{"label": "POSITIVE", "score": 0.9}, {"label": "NEGATIVE", "score": 0.1}],
    }


def test_predict_draws_labels_with_their_scores() -> None:
    code, out, err = hubdemo("predict", *FEEL, "I love it")
    assert code == 0, err
    assert "POSITIVE" in out and "NEGATIVE" in out
    assert out.index("POSITIVE") < out.index("NEGATIVE")  # highest first


def test_predict_takes_parameters_and_a_file(tmp_path: Path) -> None:
    code, out, err = hubdemo(
        "predict", "support.functions:shout", "hi", "--task", "text-generation",
        "--param", "max_new_tokens=3", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["output"] == {"generated_text": "HI!!!"}

    from PIL import Image

    picture = tmp_path / "tall.png"
    Image.new("RGB", (10, 40)).save(picture)
    code, out, err = hubdemo(
        "predict", "support.functions:size", str(picture), "--task", "image-classification",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["output"][0] == {"label": "tall", "score": 1.0}


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["predict", *FEEL, "x", "--param", "nope=1"], 2, "nope"),
        (["predict", *FEEL, "x", "--param", "no-equals-sign"], 2, "name=value"),
        (["predict", "support.functions:broken", "x", "--task", "text-classification"], 1,
         "the GPU caught fire"),
        (["predict", "support.functions:nothing", "x", "--task", "text-classification"], 2,
         "no function named 'nothing'"),
        (["describe", "support.functions:feel"], 2, "--task"),
        (["predict", "support.functions:size", "/no/such/file.png", "--task",
          "image-classification"], 2, "no such file '/no/such/file.png'"),
        (["predict", *FEEL, "a", "b"], 2, "takes 1 input(s)"),
    ],
)  # fmt: skip
def test_errors_are_one_line_with_the_documented_exit_code(args, code, words) -> None:
    got, out, err = hubdemo(*args)
    assert got == code, out + err
    assert words in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in out + err


def test_smoke_replays_a_recorded_space_and_writes_its_reports(tmp_path: Path) -> None:
    """tests/data/space-tapes (support.record_spaces): no Hub, no Space, nothing on the network."""
    from support.inprocess import NO_HUB
    from support.record_spaces import TAPES, space_of, tape_of

    model = f"spaces/{space_of('text_tools')}"
    report, junit = tmp_path / "smoke.json", tmp_path / "smoke.xml"
    recorded = TAPES / tape_of("text_tools", "/table")
    result = CliRunner().invoke(
        app,
        ["smoke", model, "--api-name", "/table", "--replay", str(recorded),
         "--report", str(report), "--report", str(junit)],
        env={"HF_ENDPOINT": NO_HUB, "HUBDEMO_ROUTER": NO_HUB, "COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    (checked,) = json.loads(report.read_text())["models"]
    assert checked["task"] and checked["examples"]
    assert all(not e["problems"] for e in checked["examples"])
    import xml.etree.ElementTree as ET

    suite = ET.parse(junit).getroot()
    assert suite.iter("testcase") and not list(suite.iter("failure"))


def test_smoke_without_its_recording_fails_in_one_line(tmp_path: Path) -> None:
    code, out, err = hubdemo("smoke", "org/model", "--replay", str(tmp_path / "nothing"))
    assert code != 0
    assert "Traceback" not in out + err


def test_serve_check_starts_runs_one_example_and_exits() -> None:
    code, out, err = hubdemo("serve", *FEEL, "--check")
    assert code == 0, out + err
    assert "POSITIVE" in out or "NEGATIVE" in out


def test_python_m_hubdemo_is_the_command(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import runpy

    monkeypatch.setattr("sys.argv", ["hubdemo", "--version"])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("hubdemo", run_name="__main__")
    assert done.value.code == 0
    assert capsys.readouterr().out == f"hubdemo {__version__}\n"


def test_a_usage_error_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from hubdemo.cli import main

    monkeypatch.setattr("sys.argv", ["hubdemo", "predict", *FEEL, "x", "--nope"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    printed = capsys.readouterr().err.strip().splitlines()
    assert len(printed) == 1 and "--nope" in printed[0] and "--help" in printed[0]


def test_the_asgi_factory_reads_the_model_from_the_environment(monkeypatch) -> None:
    from hubdemo.errors import UsageError
    from hubdemo.web.asgi import app_from_env
    from support.inprocess import InProcess

    monkeypatch.delenv("HUBDEMO_MODEL", raising=False)
    with pytest.raises(UsageError, match="HUBDEMO_MODEL"):
        app_from_env()
    monkeypatch.setenv("HUBDEMO_MODEL", "support.functions:feel")
    monkeypatch.setenv("HUBDEMO_TASK", "text-classification")
    with InProcess(app_from_env()) as served:
        answer = served.post("/api/predict", json={"data": ["I love it"]})
    assert answer.json()["output"][0]["label"] == "POSITIVE"
