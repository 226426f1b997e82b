"""Resolving a model with no network: the cache's snapshot, a saved folder's task from its
architecture, and one-line errors when something is missing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from hubdemo import local as local_backend
from hubdemo.cache import cached_snapshot, task_from_config
from hubdemo.errors import LocalBackendMissing, ModelNotFound, NoTaskError
from hubdemo.hub import HubClient
from hubdemo.resolve import resolve
from support.inprocess import NO_HUB
from support.local import cached_snapshot_of


def test_the_cache_snapshot_is_the_one_refs_main_names(tmp_path: Path) -> None:
    old = cached_snapshot_of(tmp_path, "org/m", "aaa", {})
    new = cached_snapshot_of(tmp_path, "org/m", "bbb", {})
    os.utime(old, (1, 1))
    assert cached_snapshot("org/m", tmp_path) == new  # newest, without a ref
    (tmp_path / "models--org--m" / "refs").mkdir()
    (tmp_path / "models--org--m" / "refs" / "main").write_text("aaa\n")
    assert cached_snapshot("org/m", tmp_path) == old
    assert cached_snapshot("org/other", tmp_path) is None


@pytest.mark.parametrize(
    ("config", "task"),
    [
        ({"architectures": ["ViTForImageClassification"]}, "image-classification"),
        ({"architectures": ["DetrForObjectDetection"]}, "object-detection"),
        ({"architectures": ["GPT2LMHeadModel"]}, "text-generation"),
        ({"architectures": ["T5ForConditionalGeneration"]}, "text2text-generation"),
        ({"architectures": ["WhisperForConditionalGeneration"]}, "automatic-speech-recognition"),
        (
            {"architectures": ["Wav2Vec2ForSequenceClassification"], "model_type": "wav2vec2"},
            "audio-classification",
        ),
        ({"architectures": ["BertModel"]}, "feature-extraction"),
        ({"architectures": ["SomethingNew"]}, None),
    ],
)
def test_the_task_of_a_saved_model_comes_from_its_architecture(
    tmp_path: Path, config: dict[str, Any], task: str | None
) -> None:
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert task_from_config(tmp_path) == task


def test_a_directory_without_a_task_says_what_was_looked_for(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"architectures": ["SomethingNew"]}')
    with pytest.raises(NoTaskError) as caught:
        resolve(str(tmp_path), HubClient(endpoint=NO_HUB))
    message = caught.value.message
    assert "README.md" in message and "config.json" in message and "SomethingNew" in message
    assert "--task" in message


def test_offline_and_not_cached_names_the_folder_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFound) as caught:
        resolve("org/absent", HubClient(endpoint=NO_HUB))
    assert str(tmp_path / "models--org--absent") in caught.value.message
    assert "hubdemo pull org/absent" in caught.value.message


def test_missing_torch_says_how_to_install_the_local_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local_backend.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(LocalBackendMissing) as caught:
        local_backend.require_local()
    assert "pip install 'hubdemo[local]'" in caught.value.message
