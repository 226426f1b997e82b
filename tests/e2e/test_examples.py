"""Card examples with media: fetched by the server from the Hub only, size-limited, cached."""

from __future__ import annotations

import base64
import io
import json

from PIL import Image

from hubdemo import examples
from support.servers import run_cli


def test_media_examples_of_the_card_are_fetched_from_the_hub(emulator) -> None:
    result = run_cli(emulator, "describe", "openai/clip-vit-base-patch32", "--json")
    assert result.returncode == 0, result.stderr
    (example,) = json.loads(result.stdout)["examples"]
    image, labels = example["data"]
    assert image.startswith("data:image/png;base64,")
    Image.open(io.BytesIO(base64.b64decode(image.split(",", 1)[1]))).verify()
    assert labels == "playing music, playing sports"
    fetched = [e.path for e in emulator.log if e.method == "GET" and "/resolve/" in e.path]
    assert "/datasets/mishig/sample_images/resolve/main/cat-dog-music.png" in fetched


def test_document_examples_keep_their_question(emulator, tapes) -> None:
    model = "naver-clova-ix/donut-base-finetuned-docvqa"
    result = run_cli(emulator, "describe", model, "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["examples"]
    card = tapes.infos[model]["widgetData"]
    assert [e["data"][1] for e in found] == [w["text"] for w in card]
    assert all(e["data"][0].startswith(("data:image/png", "data:image/jpeg")) for e in found)


def test_only_files_on_the_hub_are_fetched(emulator) -> None:
    # The Hub URLs below are asked of HF_ENDPOINT (the emulator, given as with_media's endpoint),
    # never of the public Hub: the assertion on the emulator's log proves it.
    before = len(emulator.log)
    widgets = (
        {"src": "https://evil.example/cat.png", "example_title": "off the Hub"},
        {"src": "http://169.254.169.254/latest/meta-data.png"},
        {"src": "https://huggingface.co/datasets/x/y/resolve/main/ok.png"},
    )
    kept = examples.with_media(widgets, emulator.url, "image")
    assert [w["src"][:22] for w in kept] == ["data:image/png;base64,"]
    asked = [e.path for e in emulator.log[before:]]
    assert asked == ["/datasets/x/y/resolve/main/ok.png"], "nothing off the Hub was asked"


def test_a_file_that_is_too_big_or_not_media_is_left_out(emulator, monkeypatch) -> None:
    monkeypatch.setattr(examples, "MAX_BYTES", 100)
    before = len(emulator.log)
    big = ({"src": "https://huggingface.co/datasets/x/y/resolve/main/big.png"},)
    assert examples.with_media(big, emulator.url, "image") == []
    sound = ({"src": "https://huggingface.co/datasets/x/y/resolve/main/a.flac"},)
    assert examples.with_media(sound, emulator.url, "image") == []  # not an image
    missing = ({"src": "https://huggingface.co/datasets/x/y/resolve/main/none.gif"},)
    assert examples.with_media(missing, emulator.url, "image") == []
    # Each was asked of the emulated Hub (never the public one): left out for what it is.
    asked = [e.path.rsplit("/", 1)[-1] for e in emulator.log[before:]]
    assert asked == ["big.png", "a.flac", "none.gif"], asked


def test_video_examples_are_fetched_and_a_prompt_alone_is_an_example(emulator) -> None:
    result = run_cli(emulator, "describe", "hubdemo-emulated/video-classification", "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["examples"]
    assert [e["title"] for e in found] == ["Juggling (MP4)", "A square (WEBM)"]
    assert found[0]["data"][0].startswith("data:video/mp4;base64,")
    assert found[1]["data"][0].startswith("data:video/webm;base64,")  # not audio/webm
    prompt = run_cli(emulator, "describe", "hubdemo-emulated/image-text-to-image", "--json")
    (example,) = json.loads(prompt.stdout)["examples"]
    assert example == {"title": "Kite", "data": ["", "a red kite over the sea"]}


def test_a_media_page_without_card_examples_shows_the_hubs_example_for_the_task(
    emulator,
) -> None:
    """google/vit-base-patch16-224's card has none: the Hub's image-classification example,
    fetched as a card's would be (from HF_ENDPOINT, the emulator); each media task has one."""
    cases = {
        "google/vit-base-patch16-224": ("image-classification", "image-classification-input.jpeg"),
        "facebook/wav2vec2-large-960h-lv60-self": ("automatic-speech-recognition", "input.flac"),
        "dandelin/vilt-b32-finetuned-vqa": ("visual-question-answering", "elephant.jpeg"),
    }
    for model, (task, name) in cases.items():
        result = run_cli(emulator, "describe", model, "--json")
        assert result.returncode == 0, result.stderr
        (example,) = json.loads(result.stdout)["examples"]
        assert example["title"] == "The Hub's example"
        kind = "audio" if "speech" in task else "image"
        assert example["data"][0].startswith(f"data:{kind}/")
        wanted = f"/datasets/huggingfacejs/tasks/resolve/main/{task}/{name}"
        assert wanted in [e.path for e in emulator.log if e.method == "GET"]
    assert example["data"][1] == "What is in this image?"  # the task page's question too


def test_offline_or_unreachable_a_sample_made_by_hubdemo_stands_in(emulator) -> None:
    """The video task's page example is a GIF (not a video): hubdemo's own clip stands in; the
    image sample is a real PNG."""
    result = run_cli(emulator, "describe", "hubdemo-emulated/depth-estimation", "--json",
                     HF_ENDPOINT="http://127.0.0.1:9", HUBDEMO_TASK="depth-estimation")  # fmt: skip
    assert result.returncode == 0, result.stderr
    (example,) = json.loads(result.stdout)["examples"]
    assert example["title"] == "A sample made by hubdemo"
    picture = Image.open(io.BytesIO(base64.b64decode(example["data"][0].split(",", 1)[1])))
    assert (picture.format, picture.size) == ("PNG", (320, 240))
    clip = examples.task_examples("video-classification", "video", emulator.url, fetch=True)
    assert clip[0]["example_title"] == "A sample made by hubdemo"
    assert base64.b64decode(clip[0]["src"].split(",", 1)[1])[4:8] == b"ftyp"  # an MP4
