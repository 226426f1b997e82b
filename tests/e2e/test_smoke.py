"""`hubdemo smoke` (reports, record and replay) and `hubdemo serve --check`, as CI runs them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from support.emulator import Emulator, Tapes
from support.servers import run_cli

TOKEN = "hf_test_token_123"
# Recorded models across text, image and audio tasks. The emulator is lenient here: a request
# it has no recording of gets the model's recorded answer, as a live router would answer.
MODELS = {
    "distilbert-base-uncased-finetuned-sst-2-english": "text-classification",
    "dbmdz/bert-large-cased-finetuned-conll03-english": "token-classification",
    "google-bert/bert-base-uncased": "fill-mask",
    "facebook/bart-large-cnn": "summarization",
    "google-t5/t5-small": "translation",
    "google/flan-t5-large": "text2text-generation",
    "sentence-transformers/distilbert-base-nli-mean-tokens": "feature-extraction",
    "sentence-transformers/paraphrase-xlm-r-multilingual-v1": "sentence-similarity",
    "google/vit-base-patch16-224": "image-classification",
    "Salesforce/blip-image-captioning-base": "image-to-text",
    "alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech": "audio-classification",
    "facebook/wav2vec2-large-960h-lv60-self": "automatic-speech-recognition",
    "speechbrain/sepformer-wham": "audio-to-audio",
    "hubdemo-emulated/tabular-classification": "tabular-classification",
}


@pytest.fixture(scope="module")
def lenient(tapes: Tapes) -> Iterator[Emulator]:
    with Emulator(tapes, tokens={TOKEN}, lenient=True) as emulator:
        yield emulator


def smoke(emulator: Emulator, *args: str, **env: str) -> Any:
    return run_cli(emulator, "smoke", *args, **env)


def without_times(report: dict[str, Any]) -> dict[str, Any]:
    for model in report["models"]:
        model["seconds"] = 0
        for example in model["examples"]:
            example["seconds"] = 0
    return report


def test_smoke_passes_for_recorded_models_and_writes_junit(lenient, tmp_path) -> None:
    xml_path, json_path = tmp_path / "smoke.xml", tmp_path / "smoke.json"
    result = smoke(
        lenient, *MODELS, "--examples", "2", "--report", str(xml_path), "--report", str(json_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(MODELS)}/{len(MODELS)} models passed" in result.stdout

    report = json.loads(json_path.read_text())
    assert report["failed"] == 0
    assert {m["model"].split("/")[-1]: m["task"] for m in report["models"]} == {
        model.split("/")[-1]: task for model, task in MODELS.items()
    }
    suites = ET.parse(xml_path).getroot()
    assert suites.tag == "testsuites" and suites.get("failures") == "0"
    cases = suites.findall("./testsuite/testcase")
    examples = sum(len(m["examples"]) for m in report["models"])
    assert len(cases) == examples == int(suites.get("tests", "0")) >= len(MODELS)
    assert all(case.get("classname") and case.get("name") for case in cases)


def test_an_output_that_breaks_its_schema_fails_with_a_clear_line(lenient, tmp_path) -> None:
    lenient.fail_next(200, [[{"label": 7, "score": 0.9}]])  # a label must be a string
    xml_path = tmp_path / "smoke.xml"
    model = "distilbert-base-uncased-finetuned-sst-2-english"
    result = smoke(lenient, model, "--examples", "1", "--report", str(xml_path))
    assert result.returncode == 1
    assert "breaks text-classification/output.json at 0/label" in result.stderr
    assert "0/1 models passed" in result.stdout
    failure = ET.parse(xml_path).getroot().find("./testsuite/testcase/failure")
    assert failure is not None and "0/label" in failure.get("message", "")


def test_a_recorded_run_replays_offline_to_the_same_report(tapes, tmp_path) -> None:
    cassette = tmp_path / "cassette"
    models = [
        "distilbert-base-uncased-finetuned-sst-2-english",
        "google/vit-base-patch16-224",
        "alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech",
    ]
    with Emulator(tapes, tokens={TOKEN}, lenient=True) as emulator:
        recorded = smoke(
            emulator,
            *models,
            "--record",
            str(cassette),
            "--report",
            str(tmp_path / "recorded.json"),
            HF_TOKEN=TOKEN,
        )
        url = emulator.url
    assert recorded.returncode == 0, recorded.stderr
    assert any(e.headers.get("authorization") == f"Bearer {TOKEN}" for e in emulator.log)

    # The emulator is gone: replay needs no network and no token.
    replayed = run_cli(
        emulator,
        "smoke",
        *models,
        "--replay",
        str(cassette),
        "--report",
        str(tmp_path / "replayed.json"),
        HF_ENDPOINT=url,
        HUBDEMO_ROUTER=url,
    )
    assert replayed.returncode == 0, replayed.stderr
    first = without_times(json.loads((tmp_path / "recorded.json").read_text()))
    again = without_times(json.loads((tmp_path / "replayed.json").read_text()))
    assert again == first

    # The token is nowhere in the cassette, headers included.
    files = [p for p in cassette.rglob("*") if p.is_file()]
    assert any(p.suffix == ".bin" for p in files), "the image and the sound are stored as files"
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path
    document = json.loads((cassette / "cassette.json").read_text())
    assert document["format"] == "hubdemo-cassette" and document["version"] == 1
    for exchange in document["exchanges"]:
        assert "authorization" not in exchange["request"]["headers"]


def test_replay_without_the_recording_fails_clearly(lenient, tmp_path) -> None:
    cassette = tmp_path / "cassette"
    assert smoke(lenient, "google/vit-base-patch16-224", "--record", str(cassette)).returncode == 0
    result = smoke(lenient, "gpt2", "--replay", str(cassette))
    assert result.returncode == 1
    assert "no recording of GET /api/models/gpt2" in result.stderr
    assert "--record" in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_are_one_line(lenient, tmp_path) -> None:
    both = smoke(lenient, "gpt2", "--record", str(tmp_path), "--replay", str(tmp_path))
    assert both.returncode == 2 and "exclude each other" in both.stderr
    report = smoke(lenient, "gpt2", "--report", str(tmp_path / "r.txt"))
    assert report.returncode == 2 and ".xml (JUnit) or .json" in report.stderr
    missing = smoke(lenient, "gpt2", "--replay", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "cannot read the cassette" in missing.stderr


def test_serve_check_runs_one_example_and_exits(lenient) -> None:
    model = "distilbert-base-uncased-finetuned-sst-2-english"
    good = run_cli(lenient, "serve", model, "--check")
    assert good.returncode == 0, good.stderr
    assert "page, /api/info and" in good.stdout and "POSITIVE" in good.stdout
    lenient.fail_next(500, {"error": "overloaded"})
    bad = run_cli(lenient, "serve", model, "--check")
    assert bad.returncode == 1
    assert "502" in bad.stderr and "overloaded" in bad.stderr and "Traceback" not in bad.stderr


def test_serve_check_prints_a_large_media_answer_shortened(lenient) -> None:
    checked = run_cli(lenient, "serve", "speechbrain/sepformer-wham", "--check")  # 230 kB JSON
    assert checked.returncode == 0, checked.stderr
    assert "Traceback" not in checked.stderr
    assert '"label": "label_0"' in checked.stdout and "characters)" in checked.stdout
    assert len(checked.stdout) < 2000


# -- what counts as a meaningful answer ----------------------------------------------------
