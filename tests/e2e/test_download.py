"""--local and `hubdemo pull` fetch a model through huggingface_hub's own downloads, from the
emulated Hub's file routes (support/hub_repos.py): only the files the task needs, resumed when
cut, shared by two processes, refused in one line when it cannot go well."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.hub_repos import OTHER_FORMATS, HubRepo, publish
from support.local import config_labels
from support.servers import CLI_WITHIN, hubdemo_env, run_cli, wait_until
from support.terminal import read_terminal, start_in_terminal

WEIGHT_COPIES = {p for p in OTHER_FORMATS if not p.endswith(".json")}


def chosen_size(repo: HubRepo) -> int:
    """What the local backend needs, from the repository's own list: everything but the
    copies of the weights in other formats and the ONNX export's folder."""
    return sum(len(d) for p, d in repo.files.items() if p not in OTHER_FORMATS)


@pytest.fixture
def repo(emulator: Any, tiny_models: dict[str, Path], request: pytest.FixtureRequest) -> HubRepo:
    emulator.hub_files.drip = 0.0
    emulator.hub_files.cut_after.clear()
    name = f"tiny/{request.node.name[:60].replace('_', '-')}"
    return publish(emulator, name, tiny_models["text-classification"])


def served_since(emulator: Any, mark: int, repo: HubRepo) -> int:
    return sum(s.sent for s in emulator.hub_files.served[mark:] if s.path.startswith(repo.repo_id))


def test_pull_fetches_only_the_files_the_task_needs(
    emulator: Any, repo: HubRepo, tmp_path: Path
) -> None:
    mark = len(emulator.hub_files.served)
    result = run_cli(emulator, "pull", repo.repo_id, HF_HUB_CACHE=str(tmp_path))
    assert result.returncode == 0, result.stderr
    snapshot = Path(result.stdout.strip())
    assert (
        snapshot
        == tmp_path / f"models--{repo.repo_id.replace('/', '--')}" / "snapshots" / repo.commit
    )
    fetched = {str(p.relative_to(snapshot)) for p in snapshot.rglob("*") if p.is_file()}
    assert fetched == set(repo.files) - set(OTHER_FORMATS)
    assert served_since(emulator, mark, repo) == chosen_size(repo)  # not a byte more
    # What was chosen and why, and the branch recorded as huggingface_hub records it.
    assert "safetensors weights" in result.stderr and "left out:" in result.stderr
    assert "TensorFlow" in result.stderr and "ONNX" in result.stderr
    ref = snapshot.parent.parent / "refs" / "main"
    assert ref.read_text() == repo.commit
    again = run_cli(emulator, "pull", repo.repo_id, HF_HUB_CACHE=str(tmp_path))
    assert again.returncode == 0 and "nothing to download" in again.stderr
    assert served_since(emulator, mark, repo) == chosen_size(repo)


def test_predict_local_on_an_empty_cache_downloads_then_answers(
    emulator: Any, repo: HubRepo, tmp_path: Path, tiny_models: dict[str, Path]
) -> None:
    result = run_cli(
        emulator, "predict", repo.repo_id, "I love it", "--local", "--json",
        HF_HUB_CACHE=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    labels = {row["label"] for row in __import__("json").loads(result.stdout)["output"]}
    assert labels == config_labels(tiny_models["text-classification"])
    assert f"Downloading {repo.repo_id}" in result.stderr
    # Not a terminal: a line per file, no bar.
    assert "✓ model.safetensors" in result.stderr and "━" not in result.stderr


def test_a_connection_cut_midway_resumes_with_a_range_request(
    emulator: Any, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    """huggingface_hub keeps what it received in 10 MiB pieces: weights of 24 MiB cut at
    12 MiB are asked again from 10 MiB on, not from the start."""
    size, cut = 24 * 2**20, 12 * 2**20
    repo = publish(emulator, "tiny/cut-classifier", tiny_models["text-classification"],
                   others=False, extra={"model.safetensors": size})  # fmt: skip
    emulator.hub_files.cut_after["model.safetensors"] = cut
    mark = len(emulator.hub_files.served)
    result = run_cli(emulator, "pull", repo.repo_id, HF_HUB_CACHE=str(tmp_path))
    assert result.returncode == 0, result.stderr
    weights = [s for s in emulator.hub_files.served[mark:] if s.path.endswith("model.safetensors")]
    assert [w.start for w in weights] == [0, 10 * 2**20]  # the second asked for the rest only
    assert [w.sent for w in weights] == [cut, size - 10 * 2**20]
    snapshot = Path(result.stdout.strip())
    assert (snapshot / "model.safetensors").read_bytes() == repo.files["model.safetensors"]


def test_an_interrupted_pull_keeps_its_finished_files(
    emulator: Any, repo: HubRepo, tmp_path: Path
) -> None:
    """Killed while the weights drip in, the next pull fetches only what was not finished."""
    emulator.hub_files.drip = 4_000.0  # bytes per second: the weights take ~7 s
    mark = len(emulator.hub_files.served)
    env = hubdemo_env(emulator, HF_HUB_CACHE=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "hubdemo", "pull", repo.repo_id],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    snapshot = tmp_path / f"models--{repo.repo_id.replace('/', '--')}" / "snapshots" / repo.commit
    try:
        wait_until(lambda: (snapshot / "tokenizer.json").exists(), "the small files")
        wait_until(
            lambda: any(s.path.endswith("model.safetensors") and s.sent
                        for s in emulator.hub_files.served[mark:]),
            "the weights' first bytes",
        )  # fmt: skip
    finally:
        process.kill()
        process.communicate()
    first = served_since(emulator, mark, repo)
    assert 0 < first < chosen_size(repo)
    emulator.hub_files.drip = 0.0
    mark = len(emulator.hub_files.served)
    result = run_cli(emulator, "pull", repo.repo_id, HF_HUB_CACHE=str(tmp_path))
    assert result.returncode == 0, result.stderr
    second = served_since(emulator, mark, repo)
    small = chosen_size(repo) - len(repo.files["model.safetensors"])
    assert second == len(repo.files["model.safetensors"])  # the small files were kept
    assert second < chosen_size(repo) and small > 0
    assert "already in the cache" in result.stderr


def test_two_processes_pulling_at_once_share_one_copy(
    emulator: Any, repo: HubRepo, tmp_path: Path
) -> None:
    emulator.hub_files.drip = 40_000.0
    env = hubdemo_env(emulator, HF_HUB_CACHE=str(tmp_path))
    command = [sys.executable, "-m", "hubdemo", "pull", repo.repo_id]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=CLI_WITHIN) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert outputs[0][0] == outputs[1][0]  # the same snapshot folder
    storage = tmp_path / f"models--{repo.repo_id.replace('/', '--')}"
    blobs = [p for p in (storage / "blobs").iterdir() if not p.name.endswith(".lock")]
    chosen = len(set(repo.files) - set(OTHER_FORMATS))
    assert len(blobs) == chosen, sorted(p.name for p in blobs)  # one copy of each file
    assert not list(storage.rglob("*.incomplete"))


def test_a_gated_model_says_where_to_accept_and_which_token(
    emulator: Any, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    repo = publish(emulator, "tiny/gated-classifier", tiny_models["text-classification"],
                   tokens={"hf_granted"})  # fmt: skip
    refused = run_cli(
        emulator, "predict", repo.repo_id, "hi", "--local", HF_HUB_CACHE=str(tmp_path)
    )
    assert refused.returncode == 2
    assert f"accept its licence at {emulator.url}/{repo.repo_id}" in refused.stderr
    assert "--token" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    allowed = run_cli(emulator, "pull", repo.repo_id, "--token", "hf_granted",
                      HF_HUB_CACHE=str(tmp_path))  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr


def test_too_large_for_the_limit_is_refused_before_a_byte(
    emulator: Any, repo: HubRepo, tmp_path: Path
) -> None:
    mark = len(emulator.hub_files.served)
    result = run_cli(
        emulator, "serve", repo.repo_id, "--local", "--max-download-gb", "0.00001",
        HF_HUB_CACHE=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 2
    assert "32 KB" in result.stderr and "over the 10 KB limit" in result.stderr
    assert "--max-download-gb" in result.stderr
    assert served_since(emulator, mark, repo) == 0


def test_a_repository_with_no_loadable_weights_names_what_it_has(
    emulator: Any, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "onnx-only"
    folder.mkdir()
    for name in ("config.json", "README.md", "tokenizer.json"):
        (folder / name).write_bytes((tiny_models["text-classification"] / name).read_bytes())
    (folder / "model.safetensors").write_bytes(b"x")  # publish sizes the other formats by it
    repo = publish(emulator, "tiny/onnx-only", folder, others=False,
                   extra={"model.onnx": 5000, "model-q4.gguf": 3000})  # fmt: skip
    del repo.files["model.safetensors"]
    result = run_cli(emulator, "pull", repo.repo_id, HF_HUB_CACHE=str(tmp_path / "cache"))
    assert result.returncode == 2
    assert "no weights the local backend can load (GGUF, ONNX" in result.stderr


def test_a_revision_pins_the_files_and_is_recorded(
    emulator: Any, repo: HubRepo, tmp_path: Path
) -> None:
    repo.branches["v1.0"] = repo.commit
    result = run_cli(emulator, "pull", f"{repo.repo_id}@v1.0", HF_HUB_CACHE=str(tmp_path))
    assert result.returncode == 0, result.stderr
    storage = tmp_path / f"models--{repo.repo_id.replace('/', '--')}"
    assert (storage / "refs" / "v1.0").read_text() == repo.commit
    assert "@ v1.0 (commit" in result.stderr
    missing = run_cli(emulator, "pull", f"{repo.repo_id}@nope", HF_HUB_CACHE=str(tmp_path))
    assert missing.returncode == 2 and "has no revision 'nope'" in missing.stderr
    described = run_cli(emulator, "describe", f"{repo.repo_id}@v1.0", "--local",
                        HF_HUB_CACHE=str(tmp_path))  # fmt: skip
    assert described.returncode == 0, described.stderr
    assert "v1.0" in described.stdout


def test_offline_without_a_cached_copy_says_how_to_get_one(emulator: Any, tmp_path: Path) -> None:
    result = run_cli(emulator, "predict", "gpt2", "hello", "--local", HF_HUB_OFFLINE="1",
                     HF_HUB_CACHE=str(tmp_path))  # fmt: skip
    assert result.returncode == 2
    assert "hubdemo pull gpt2" in result.stderr and "Traceback" not in result.stderr


def test_serve_local_on_an_empty_cache_shows_a_bar_then_serves(
    emulator: Any, repo: HubRepo, tmp_path: Path, tiny_models: dict[str, Path]
) -> None:
    """One command, in a terminal: the progress bar, the page at once, then answers."""
    emulator.hub_files.drip = 8_000.0
    from support.servers import answers, free_port

    port = free_port()
    env = hubdemo_env(emulator, HF_HUB_CACHE=str(tmp_path))
    process, master = start_in_terminal(
        ["serve", repo.repo_id, "--local", "--port", str(port)], env
    )
    seen = bytearray()
    url = f"http://127.0.0.1:{port}"
    try:
        read_terminal(master, seen, time.monotonic() + 60, lambda: answers(f"{url}/healthz"))
        health = httpx.get(f"{url}/healthz").json()
        assert health["model"] == "downloading"  # the server is up before the model is
        assert health["download"]["total"] == chosen_size(repo)
        answer = httpx.post(f"{url}/api/predict", json={"inputs": "I love it"}, timeout=60)
        assert answer.status_code == 200, answer.text  # waited for the download and the load
        labels = {row["label"] for row in answer.json()["output"]}
        assert labels == config_labels(tiny_models["text-classification"])
        read_terminal(master, seen, time.monotonic() + 3, lambda: b"model ready" in seen)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
        os.close(master)
    text = seen.decode("utf-8", "replace")
    assert f"Downloading {repo.repo_id}" in text
    assert "━" in text and "KB" in text  # rich's bar with bytes
    assert "✓ model.safetensors" in text and "model ready" in text


def test_an_unreachable_router_fetches_the_model_for_this_machine(
    emulator: Any, repo: HubRepo, tmp_path: Path, tiny_models: dict[str, Path]
) -> None:
    """No --local and nothing cached: the router does not answer, the Hub does, so the model's
    chosen files are fetched and it answers on this machine, the page showing the download."""
    from support.inprocess import NO_HUB
    from support.servers import Server

    emulator.hub_files.drip = 8_000.0
    mark = len(emulator.hub_files.served)
    server = Server(emulator, repo.repo_id, HUBDEMO_ROUTER=NO_HUB, HF_HUB_CACHE=str(tmp_path))
    try:
        assert httpx.get(f"{server.url}/healthz").json()["model"] == "ready"  # the router's
        seen: list[dict[str, Any]] = []
        with ThreadPoolExecutor(1) as pool:
            asked = pool.submit(server.predict, {"inputs": "I love it"})
            while not asked.done():
                seen.append(httpx.get(f"{server.url}/healthz").json())
                time.sleep(0.05)
        answer = asked.result()
        assert answer.status_code == 200, answer.text
        labels = {row["label"] for row in answer.json()["output"]}
        assert labels == config_labels(tiny_models["text-classification"])
        downloading = [h["download"] for h in seen if h["model"] == "downloading"]
        assert downloading and downloading[-1]["total"] == chosen_size(repo)
        info = httpx.get(f"{server.url}/api/info").json()
        assert info["upstream"]["kind"] == "local"
    finally:
        printed = server.stop()
    assert served_since(emulator, mark, repo) == chosen_size(repo)  # the chosen files only
    assert "fetching it from the Hub for the model on this machine" in printed
