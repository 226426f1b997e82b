"""The CLI contract (docs/design.md §3): describe --json, predict --json, tasks, one-line errors."""

from __future__ import annotations

import json

import pytest

from hubdemo.tasks import TASKS
from support import HF_TASKS
from support.checks import validate_output
from support.servers import run_cli


def test_describe_json_is_the_contract_object(emulator) -> None:
    result = run_cli(emulator, "describe", "huggingface/google/vit-base-patch16-224", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert {"model", "task", "inputs", "outputs", "examples", "upstream"} <= set(info)
    assert info["model"] == "google/vit-base-patch16-224"
    assert info["task"] == "image-classification"
    assert info["upstream"]["url"] == (
        f"{emulator.url}/hf-inference/models/google/vit-base-patch16-224"
    )
    assert set(info["chain"]) == {"preprocess", "serialize", "deserialize", "postprocess"}


def test_describe_follows_the_hubs_redirect_and_uses_card_examples(emulator) -> None:
    result = run_cli(emulator, "describe", "bert-base-uncased", "--json")
    info = json.loads(result.stdout)
    assert info["model"] == "google-bert/bert-base-uncased"  # the 307 target
    recorded = emulator.tapes.infos["google-bert/bert-base-uncased"]["widgetData"]
    assert [e["data"][0] for e in info["examples"]] == [w["text"] for w in recorded]


def test_describe_falls_back_to_the_hub_default_examples(emulator) -> None:
    info = json.loads(run_cli(emulator, "describe", "facebook/bart-large-cnn", "--json").stdout)
    defaults = json.loads((HF_TASKS / "default-widget-inputs.en.json").read_text())
    assert [e["data"][0] for e in info["examples"]] == defaults["summarization"]


def test_model_string_forms_resolve_to_the_same_model(emulator) -> None:
    # The public Hub's URL form is only parsed: every lookup goes to HF_ENDPOINT (the emulator).
    for form in ("models/gpt2", "huggingface/gpt2", "https://huggingface.co/gpt2", "gpt2"):
        before = len(emulator.log)
        result = run_cli(emulator, "describe", form, "--json")
        assert result.returncode == 0, (form, result.stderr)
        assert json.loads(result.stdout)["task"] == "text-generation"
        assert any(e.path.endswith("/models/gpt2") for e in emulator.log[before:]), form


def test_model_info_is_asked_once_per_process(emulator) -> None:
    before = len(emulator.log)
    run_cli(emulator, "predict", "gpt2", "The answer to the universe is", "--json")
    gets = [e for e in emulator.log[before:] if e.method == "GET"]
    assert [g.path for g in gets] == ["/api/models/gpt2"]


def test_predict_json_prints_task_and_normalized_output(emulator) -> None:
    result = run_cli(
        emulator,
        "predict",
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "I like you",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["task"] == "text-classification"
    assert printed["output"] == emulator.replayed().json()[0]
    validate_output("text-classification", printed["output"])


def test_predict_takes_a_file_for_media_and_params(emulator, media, tmp_path) -> None:
    image = tmp_path / "woman.png"
    image.write_bytes(media["image"])
    result = run_cli(emulator, "predict", "google/vit-base-patch16-224", str(image), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["output"] == emulator.replayed().json()


def test_predict_takes_a_video_file_a_csv_file_and_an_optional_image_left_empty(
    emulator, media, tmp_path
) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(media["video"])
    shown = run_cli(emulator, "predict", "hubdemo-emulated/video-classification", str(video))
    assert shown.returncode == 0, shown.stderr
    assert emulator.log[-1].body == media["video"]
    assert emulator.replayed().json()[0]["label"] in shown.stdout
    rows = tmp_path / "fish.csv"
    rows.write_text("Species,Length1\nBream,23.2\nBream,24\nPerch,25.4\n")
    table = run_cli(emulator, "predict", "hubdemo-emulated/tabular-regression", str(rows))
    assert table.returncode == 0, table.stderr
    assert "Predicted value" in table.stdout and "Perch" in table.stdout
    assert str(emulator.replayed().json()[2]) in table.stdout
    image = tmp_path / "photo.png"
    image.write_bytes(media["image"])
    nested = run_cli(
        emulator, "predict", "hubdemo-emulated/image-to-video", str(image), "",
        "--param", "target_size.width=320", "--param", "target_size.height=240",
        "--param", "negative_prompt=blurry",
    )  # fmt: skip
    assert nested.returncode == 0, nested.stderr
    assert json.loads(emulator.log[-1].body)["parameters"] == {
        "target_size": {"width": 320, "height": 240},
        "negative_prompt": "blurry",
    }
    prompt_only = run_cli(
        emulator, "predict", "hubdemo-emulated/image-text-to-image", "", "a red kite", "--json"
    )
    assert prompt_only.returncode == 0, prompt_only.stderr
    assert json.loads(emulator.log[-1].body) == {"parameters": {"prompt": "a red kite"}}
    missing = run_cli(emulator, "predict", "hubdemo-emulated/video-classification", "nope.mp4")
    assert missing.returncode == 2 and "give the path of a video file" in missing.stderr


def test_predict_prints_a_chat_answer_as_it_streams(emulator) -> None:
    from support.emulator import streamed_text

    result = run_cli(
        emulator, "predict", "mistralai/Mistral-7B-Instruct-v0.2",
        "Complete the equation 1+1= ,just the answer",
        "--param", "max_tokens=500", "--param", "temperature=0.1", "--param", "seed=0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sent = json.loads(emulator.log[-1].body)
    assert sent["stream"] is True  # asked as a stream, printed as it came
    assert result.stdout == streamed_text(emulator.replayed().body) + "\n"


def test_tasks_json_lists_every_registered_task(emulator) -> None:
    from support import HF_TASKS

    listed = json.loads(run_cli(emulator, "tasks", "--json").stdout)
    assert sorted(listed) == sorted(TASKS)
    assert all(entry["inputs"] and entry["outputs"] for entry in listed.values())
    local = {name for name, entry in listed.items() if entry["runs_locally"]}
    assert len(local) == 20 and {"chat-completion", "depth-estimation"} <= local
    tags = {tag for entry in listed.values() for tag in entry["pipeline_tags"]}
    assert len(tags) >= 32
    specs = {p.parent.name for p in HF_TASKS.glob("*/input.json")} - {"placeholder"}
    assert specs <= set(listed), f"tasks with a spec but no entry: {specs - set(listed)}"
    for name in specs:  # every parameter of the spec, bar those that are inputs on the page
        spec = json.loads((HF_TASKS / name / "input.json").read_text())
        declared = next(iter(spec.get("$defs", {}).values()), {}).get("properties", {})
        inputs = {c["name"] for c in listed[name]["inputs"]}
        shown = {p["name"].split(".")[0] for p in listed[name]["parameters"]}
        if "generate_parameters" in declared:  # its settings are listed at the top level
            shown.add("generate_parameters")
        if "parameters" in spec["properties"]:
            assert shown >= set(declared) - inputs, name


def test_help_of_every_command_reads(emulator) -> None:
    for command in ([], ["serve"], ["describe"], ["predict"], ["tasks"], ["endpoint"]):
        result = run_cli(emulator, *command, "--help")
        assert result.returncode == 0
        assert "Usage" in result.stdout


# -- one-line errors that say the fix --------------------------------------------------------


def _error(result) -> str:
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unknown_repo_says_check_spelling_or_pass_a_token(emulator) -> None:
    result = run_cli(emulator, "describe", "nobody/no-such-model")
    assert result.returncode == 2
    line = _error(result)
    assert "not found" in line and "--token" in line and "HF_TOKEN" in line


def test_private_repo_is_visible_with_the_token(emulator) -> None:
    emulator.private.add("gpt2")
    try:
        assert run_cli(emulator, "describe", "gpt2").returncode == 2
        ok = run_cli(emulator, "describe", "gpt2", "--json", HF_TOKEN="hf_test_token_123")
        assert ok.returncode == 0, ok.stderr
    finally:
        emulator.private.discard("gpt2")


def test_the_token_saved_by_hf_auth_login_is_used(emulator, tmp_path) -> None:
    (tmp_path / "token").write_text("hf_test_token_123\n")
    emulator.private.add("gpt2")
    try:
        ok = run_cli(emulator, "describe", "gpt2", "--json", HF_HOME=str(tmp_path))
        assert ok.returncode == 0, ok.stderr
        moved = tmp_path / "elsewhere"
        moved.write_text("hf_test_token_123")
        ok = run_cli(emulator, "describe", "gpt2", "--json", HF_TOKEN_PATH=str(moved))
        assert ok.returncode == 0, ok.stderr
    finally:
        emulator.private.discard("gpt2")


def test_gated_model_says_accept_the_terms(emulator) -> None:
    result = run_cli(emulator, "predict", "meta-llama/Llama-3.1-8B-Instruct", "Hello")
    assert result.returncode == 1
    line = _error(result)
    assert "gated" in line and "accept its terms" in line
    assert "/meta-llama/Llama-3.1-8B-Instruct" in line  # where to accept them


def test_no_pipeline_tag_says_pass_task_and_lists_tasks(emulator) -> None:
    emulator.tapes.infos["someone/untagged"] = {"id": "someone/untagged", "tags": []}
    result = run_cli(emulator, "describe", "someone/untagged")
    assert result.returncode == 2
    line = _error(result)
    assert "--task" in line and "text-classification" in line and "zero-shot-classification" in line
    ok = run_cli(emulator, "describe", "someone/untagged", "--task", "fill-mask", "--json")
    assert json.loads(ok.stdout)["task"] == "fill-mask"


def test_unsupported_task_lists_the_supported_ones(emulator) -> None:
    result = run_cli(emulator, "describe", "hubdemo-emulated/image-to-3d")
    assert result.returncode == 2
    line = _error(result)
    assert "image-to-3d" in line and "not supported" in line and "image-classification" in line


def test_hub_unreachable_says_so_and_names_the_way_out(emulator) -> None:
    result = run_cli(emulator, "describe", "gpt2", HF_ENDPOINT="http://127.0.0.1:9")
    assert result.returncode == 1
    line = _error(result)
    assert "cannot reach the Hub" in line and "--task" in line


@pytest.mark.parametrize("bad", ["bad id with spaces", "a/b/c/d", "org--x/name", "_lead/x"])
def test_invalid_repo_ids_are_refused_before_any_request(emulator, bad) -> None:
    before = len(emulator.log)
    result = run_cli(emulator, "describe", bad)
    assert result.returncode == 2
    assert "not a valid model id" in _error(result)
    assert len(emulator.log) == before


def test_a_prediction_failure_exits_1_with_the_upstreams_reason(emulator) -> None:
    emulator.fail_next(503, {"error": "Model gpt2 is currently loading", "estimated_time": 90.0})
    result = run_cli(emulator, "predict", "gpt2", "Hello")  # 90 s is past the 60 s budget
    assert result.returncode == 1
    assert "loading, about 90 s" in _error(result)


def test_token_reaches_the_upstream_and_never_the_output(emulator) -> None:
    token = "hf_test_token_123"
    result = run_cli(
        emulator, "predict", "gpt2", "The answer to the universe is", "--json", HF_TOKEN=token
    )
    assert result.returncode == 0
    post = [e for e in emulator.log if e.method == "POST"][-1]
    assert post.headers["authorization"] == f"Bearer {token}"
    assert token not in result.stdout + result.stderr


def test_table_questions_take_a_csv_file(emulator, tmp_path) -> None:
    table = tmp_path / "repos.csv"
    table.write_text(
        "Repository,Stars,Contributors,Programming language\n"
        "Transformers,36542,651,Python\nDatasets,4512,77,Python\n"
        'Tokenizers,3934,34,"Rust, Python and NodeJS"\n'
    )
    question = "How many stars does the transformers repository have?"
    result = run_cli(
        emulator, "predict", "google/tapas-base-finetuned-wtq", str(table), question, "--json"
    )
    assert result.returncode == 0, result.stderr
    (answer,) = json.loads(result.stdout)["output"]
    assert answer["cells"] == ["36542"] and answer["coordinates"] == [[0, 1]]


def test_predict_saves_what_the_model_generates(emulator, tmp_path) -> None:
    """-o PATH: a generated picture as its file (the recorded bytes), a sound likewise, text as
    text; a file where a folder is needed is refused in one line."""
    from support.cases import CASES

    picture = tmp_path / "tortoise.jpg"
    case = CASES["text-to-image"]
    made = run_cli(emulator, "predict", case.model, *case.data, "-o", str(picture))
    assert made.returncode == 0, made.stderr
    assert picture.read_bytes() == emulator.replayed().body  # the image the model sent
    size = len(picture.read_bytes()) / 1024
    assert f"saved image/jpeg, {size:.1f} KB to {picture}" in made.stderr
    folder = tmp_path / "sounds"
    folder.mkdir()
    speech = CASES["text-to-speech"]
    said = run_cli(emulator, "predict", speech.model, *speech.data, "-o", str(folder))
    assert said.returncode == 0, said.stderr
    [sound] = list(folder.iterdir())
    assert sound.read_bytes() == emulator.replayed().body and sound.suffix == ".flac"
    text = CASES["text-classification"]
    labels = tmp_path / "labels.json"
    kept = run_cli(emulator, "predict", text.model, *text.data, "-o", str(labels))
    assert kept.returncode == 0, kept.stderr
    printed = run_cli(emulator, "predict", text.model, *text.data, "--json").stdout
    assert json.loads(labels.read_text()) == json.loads(printed)["output"]


def test_slips_of_the_keyboard_get_a_did_you_mean(emulator) -> None:
    text = "distilbert-base-uncased-finetuned-sst-2-english"
    task = run_cli(emulator, "describe", text, "--task", "text-clasification")
    assert task.returncode == 2
    assert "did you mean --task text-classification?" in task.stderr
    assert "audio-to-audio" not in task.stderr  # not the list of 36
    far = run_cli(emulator, "describe", text, "--task", "poetry")
    assert far.returncode == 2 and "one of: audio-classification" in far.stderr
    param = run_cli(emulator, "predict", text, "I like you", "--param", "top_kk=3")
    assert param.returncode == 2 and "did you mean top_k?" in param.stderr
    spaced = run_cli(emulator, "predict", text, "I like you", "--param", "top_k", "3")
    assert spaced.returncode == 2 and "write it as name=value" in spaced.stderr


def test_serve_printed_to_a_pipe_never_wraps_a_url(emulator) -> None:
    from support.servers import Server

    server = Server(emulator, "distilbert-base-uncased-finetuned-sst-2-english")
    printed = server.stop()
    first = printed.splitlines()[0]
    assert len(first) > 80 and first.endswith("distilbert-base-uncased-finetuned-sst-2-english)")


def test_entities_boxes_and_table_answers_print_as_tables(emulator, media, tmp_path) -> None:
    """One table per output kind, read against the recorded answers (not JSON, not dicts)."""
    text = "My name is Sarah Jessica Parker but you can call me Jessica"
    ner = run_cli(emulator, "predict", "dbmdz/bert-large-cased-finetuned-conll03-english", text)
    assert ner.returncode == 0, ner.stderr
    lines = ner.stdout.splitlines()
    assert [w for w in lines[1].split() if w != "┃"] == ["entity", "type", "score", "characters"]
    for found in emulator.replayed().json():
        row = next(line for line in lines if f"{found['start']}–{found['end']}" in line)
        assert text[found["start"] : found["end"]] in row and found["entity_group"] in row
        assert f"{found['score']:.2%}" in row
    image = tmp_path / "cats.png"
    image.write_bytes(media["image"])
    boxes = run_cli(emulator, "predict", "facebook/detr-resnet-50", str(image))
    assert boxes.returncode == 0, boxes.stderr
    for found in emulator.replayed().json():
        box = found["box"]
        where = f"x {box['xmin']}–{box['xmax']}, y {box['ymin']}–{box['ymax']}"
        assert any(found["label"] in line and where in line for line in boxes.stdout.splitlines())
    assert "{" not in boxes.stdout
    table = tmp_path / "repos.csv"
    table.write_text(
        "Repository,Stars,Contributors,Programming language\n"
        "Transformers,36542,651,Python\nDatasets,4512,77,Python\n"
        'Tokenizers,3934,34,"Rust, Python and NodeJS"\n'
    )  # as recorded
    question = "How many stars does the transformers repository have?"
    answered = run_cli(emulator, "predict", "google/tapas-base-finetuned-wtq", str(table), question)
    assert answered.returncode == 0, answered.stderr
    recorded = emulator.replayed().json()
    recorded = recorded[0] if isinstance(recorded, list) else recorded
    assert answered.stdout.splitlines()[0].startswith(recorded["answer"])
    assert "▶ 36542" in answered.stdout and "▶ 4512" not in answered.stdout


def test_a_wait_shows_a_status_line_with_the_retries_on_a_terminal(emulator) -> None:
    """A loading model: the seconds so far and the retry to come, then the answer; none of it
    when printed to a pipe."""
    from support.servers import hubdemo_env
    from support.terminal import run_in_terminal

    model = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    emulator.configure(loading_for=2.5, estimated_time=1.0)
    try:
        code, shown = run_in_terminal(["predict", model, "I like you. I love you."],
                                      hubdemo_env(emulator))  # fmt: skip
        emulator.configure(loading_for=2.5, estimated_time=1.0)
        piped = run_cli(emulator, "predict", model, "I like you. I love you.")
    finally:
        emulator.configure()
    assert code == 0, shown
    assert f"Waiting for {model}… " in shown
    assert "loading" in shown and "retrying in 1.0 s" in shown
    assert "POSITIVE" in shown  # then the answer
    assert piped.returncode == 0 and "Waiting" not in piped.stderr + piped.stdout
