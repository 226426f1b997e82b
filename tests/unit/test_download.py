"""What --local downloads: the files chosen from real repositories' file lists (the Hub's
recorded model infos), the refusals, the progress the terminal and the page show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hubdemo.cache import has_weights
from hubdemo.download import DownloadProgress, RepoFile, choose_files
from hubdemo.download.choose import Choice
from hubdemo.download.fetch import Plan, _guard_disk, _guard_size, human
from hubdemo.download.progress import bar_class
from hubdemo.errors import DownloadRefused, InvalidModelString
from hubdemo.resolve import parse_model_string


@pytest.fixture(scope="module")
def siblings(tapes: Any) -> dict[str, list[RepoFile]]:
    """Repository -> its files as the real Hub listed them (sizes are not recorded: 1 byte)."""
    return {
        repo: [RepoFile(s["rfilename"], 1) for s in info["siblings"]]
        for repo, info in tapes.infos.items()
        if info.get("siblings")
    }


def chosen(siblings: dict[str, list[RepoFile]], repo: str) -> set[str]:
    return {f.path for f in choose_files(repo, siblings[repo]).files}


def test_gpt2_gets_safetensors_and_its_tokenizer_not_its_six_other_copies(siblings):
    assert chosen(siblings, "openai-community/gpt2") == {
        "README.md", "config.json", "generation_config.json", "merges.txt",
        "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.json",
    }  # fmt: skip
    choice = choose_files("openai-community/gpt2", siblings["openai-community/gpt2"])
    assert choice.weights == "safetensors"
    assert {"PyTorch", "TensorFlow", "Flax", "ONNX", "Rust", "TF Lite"} <= set(choice.skipped)


def test_a_sentence_transformers_model_keeps_its_module_folders(siblings):
    files = chosen(siblings, "sentence-transformers/all-MiniLM-L6-v2")
    assert {"1_Pooling/config.json", "modules.json", "sentence_bert_config.json",
            "model.safetensors", "vocab.txt", "tokenizer.json"} <= files  # fmt: skip
    assert not {f for f in files if f.startswith(("onnx/", "openvino/"))}
    assert not files & {"pytorch_model.bin", "tf_model.h5", "rust_model.ot", "train_script.py"}


def test_sharded_weights_come_with_every_shard_and_their_index_only(siblings):
    files = chosen(siblings, "google/flan-t5-xxl")
    shards = {f"model-0000{i}-of-00005.safetensors" for i in range(1, 6)}
    assert shards | {"model.safetensors.index.json"} <= files
    assert not {f for f in files if f.startswith(("pytorch_model", "tf_model", "flax_model"))}


def test_pytorch_weights_when_there_are_no_safetensors(siblings):
    repo = "Salesforce/blip-image-captioning-base"
    choice = choose_files(repo, siblings[repo])
    assert choice.weights == "PyTorch" and "pytorch_model.bin" in chosen(siblings, repo)
    assert "tf_model.h5" not in chosen(siblings, repo)


def test_the_original_checkpoint_folder_is_left_out(siblings):
    files = chosen(siblings, "meta-llama/Llama-3.1-8B-Instruct")
    assert not {f for f in files if f.startswith("original/")}
    assert {f"model-0000{i}-of-00004.safetensors" for i in range(1, 5)} <= files


def test_a_repository_of_checkpoints_only_is_refused_naming_them(siblings):
    with pytest.raises(DownloadRefused) as refused:
        choose_files("speechbrain/sepformer-wham", siblings["speechbrain/sepformer-wham"])
    assert "a checkpoint" in refused.value.message and "drop --local" in refused.value.message


def test_every_recorded_repository_is_chosen_or_refused_in_words(siblings):
    for repo, files in siblings.items():
        try:
            choice = choose_files(repo, files)
        except DownloadRefused as refused:
            assert repo in refused.message
            continue
        assert choice.files and choice.size <= sum(f.size for f in files)
        assert sum(1 for f in choice.files if f.path.endswith((".safetensors", ".bin"))) >= 1


def test_sizes_are_said_as_people_read_them():
    assert [human(n) for n in (0, 812, 1_500, 26_596, 346_000_000, 1.2e9, 20e9)] == [
        "0 B", "812 B", "1.5 KB", "27 KB", "346 MB", "1.2 GB", "20 GB",
    ]  # fmt: skip


def _plan(tmp_path: Path, sizes: dict[str, int]) -> Plan:
    files = tuple(RepoFile(p, s) for p, s in sizes.items())
    choice = Choice(files, "safetensors")
    return Plan("org/m", "main", "c" * 40, choice, files, sum(sizes.values()), tmp_path / "hub")


def test_the_size_limit_and_the_free_disk_are_checked_before_a_byte(tmp_path):
    big = _plan(tmp_path, {"model.safetensors": 30 * 10**9, "config.json": 800})
    with pytest.raises(DownloadRefused) as over:
        _guard_size(big, 20e9)
    assert "30 GB" in over.value.message and "over the 20 GB limit" in over.value.message
    huge = _plan(tmp_path, {"model.safetensors": 10**18})
    with pytest.raises(DownloadRefused) as full:
        _guard_disk(huge)  # the real free space of this machine's disk
    message = full.value.message
    assert "needs 1000000000 GB and" in message and "free (keeping 537 MB spare)" in message
    assert "HF_HUB_CACHE" in full.value.message
    _guard_disk(_plan(tmp_path, {"config.json": 800}))  # fits: no error


def test_progress_counts_every_files_bytes_once(tmp_path):
    progress = DownloadProgress("org/m", total=1000, files=2)
    finished: list[str] = []
    progress.on_file(lambda path, size: finished.append(path))
    bar = bar_class(progress)(total=600, initial=100)  # 100 bytes kept from a cut attempt
    bar.update(500)
    bar.update(-100)  # huggingface_hub's rewind when a server ignores a range
    progress.file_done("model.safetensors", 600)
    shown = progress.as_dict()
    assert (shown["bytes"], shown["total"], shown["files"], shown["of_files"]) == (500, 1000, 1, 2)
    assert finished == ["model.safetensors"]
    bar_class(progress)(total=1).update(10_000)
    assert progress.as_dict()["bytes"] == 1000  # never past the total


def test_weights_are_complete_only_with_every_shard(tmp_path):
    assert not has_weights(tmp_path)
    (tmp_path / "config.json").write_text("{}")
    index = {"weight_map": {"a": "model-00001-of-00002.safetensors",
                            "b": "model-00002-of-00002.safetensors"}}  # fmt: skip
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    (tmp_path / "model-00001-of-00002.safetensors").write_bytes(b"x")
    assert not has_weights(tmp_path)  # a download cut short
    (tmp_path / "model-00002-of-00002.safetensors").write_bytes(b"x")
    assert has_weights(tmp_path)


def test_a_revision_follows_an_at_sign():
    ref = parse_model_string("google/vit-base-patch16-224@refs/pr/3")
    assert (ref.value, ref.revision) == ("google/vit-base-patch16-224", "refs/pr/3")
    assert parse_model_string("gpt2").revision is None
    for bad in ("org/m@", "org/m@../x", "org/m@a b"):
        with pytest.raises(InvalidModelString) as caught:
            parse_model_string(bad)
        assert "branch, a tag or a commit" in caught.value.message


def test_what_pull_chose_and_why_is_said_in_lines(tmp_path):
    from hubdemo.cli.downloads import choice_lines

    found = _plan(tmp_path, {"model.safetensors": 268_000_000, "config.json": 700})
    found = Plan(found.model_id, "v1", found.commit,
                 Choice(found.choice.files, "safetensors", {"TensorFlow": 268_000_000}),
                 found.missing[:1], 1_072_000_000, found.cache)  # fmt: skip
    lines = choice_lines(found)
    assert lines[0].startswith("org/m @ v1 (commit ccccccc): 2 files, 268 MB (safetensors")
    assert lines[0].endswith("of the repository's 1.1 GB")
    assert lines[1] == "left out: TensorFlow 268 MB (the local backend loads one weight format)"
    assert lines[2] == "700 B already in the cache; 268 MB to download"


def test_off_a_terminal_each_finished_file_is_one_line():
    import io

    from rich.console import Console

    from hubdemo.cli.downloads import DownloadDisplay

    written = io.StringIO()
    progress = DownloadProgress("org/m", total=2000, files=2)
    display = DownloadDisplay(progress, Console(file=written, width=100)).start()
    progress.file_done("config.json", 800)
    progress.file_done("model.safetensors", 1200)
    display.stop()
    assert written.getvalue() == "  ✓ config.json (800 B)\n  ✓ model.safetensors (1.2 KB)\n"


@pytest.mark.parametrize(
    ("args", "env", "code", "words"),
    [
        (["support.functions:feel"], {}, 2, "is not a Hub model id: pull takes org/name"),
        (["org/m"], {"HF_HUB_OFFLINE": "1"}, 2, "HF_HUB_OFFLINE is set: unset it"),
        (["org/m@.."], {}, 2, "is not a revision"),
        (["org/m"], {"HF_ENDPOINT": "http://127.0.0.1:9"}, 1, "check your connection"),
    ],
)
def test_pull_refuses_in_one_line(args, env, code, words, monkeypatch):
    from typer.testing import CliRunner

    from hubdemo.cli import app

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["pull", *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == code, result.output
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
