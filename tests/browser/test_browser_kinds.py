"""One browser test per input and output component kind not covered in test_browser.py: fill or
upload, submit, see the drawn result (compared with the recorded answer), and a screenshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.emulator import synthesized_media
from support.screenshots import for_docs


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(url)
    return page, problems


def until(condition: Any, timeout: float = 10.0) -> None:
    """Poll ``condition`` from the test (the page's CSP forbids Playwright's string predicates)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the page never got there"
        time.sleep(0.05)


def upload_and_run(page: Any, field: str, path: Path, preview: str, button: str) -> None:
    page.get_by_label(field, exact=True).set_input_files(str(path))
    page.locator(preview).wait_for(state="visible")
    page.get_by_role("button", name=button).click()


def shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    assert (tmp_path / f"{name}.png").stat().st_size > 0


def test_text_in_entities_out(browser, servers, emulator, tmp_path) -> None:
    page, problems = open_page(
        browser, servers["dbmdz/bert-large-cased-finetuned-conll03-english"].url
    )
    text = "My name is Sarah Jessica Parker but you can call me Jessica"
    page.get_by_label("Text", exact=True).fill(text)
    page.get_by_role("button", name="Find entities").click()
    marks = page.locator("#out-entities mark.entity")
    marks.first.wait_for(timeout=30_000)
    shot(page, tmp_path, "entities")
    for_docs(page, "token-classification")
    recorded = emulator.replayed().json()
    assert marks.count() == len(recorded)
    for mark, entity in zip(marks.all(), recorded):
        assert (
            mark.evaluate("m => m.firstChild.textContent") == text[entity["start"] : entity["end"]]
        )
        assert mark.locator(".tag").text_content() == entity["entity_group"]
    legend = {li.text_content() for li in page.locator("#out-entities .legend li").all()}
    assert legend == {e["entity_group"] for e in recorded}
    assert page.locator("#out-entities .spans").text_content().startswith("My name is ")
    assert problems == []


def test_text_and_labels_in_bars_out(browser, servers, emulator, tmp_path) -> None:
    page, problems = open_page(browser, servers["facebook/bart-large-mnli"].url)
    page.get_by_label("Text", exact=True).fill(
        "A new model offers an explanation for how the Galilean satellites formed around the "
        "solar system'slargest world. Konstantin Batygin did not set out to solve one of the "
        "solar system's most puzzling mysteries when he went for a run up a hill in Nice, France."
    )
    labels = "space & cosmos, scientific discovery, microbiology, robots, archeology"
    page.get_by_label("Candidate labels, comma-separated").fill(labels)
    page.locator("#parameters summary").click()
    page.get_by_label("multi_label").select_option("false")  # as in the recorded request
    page.get_by_role("button", name="Classify").click()
    bars = page.locator("#out-labels .bar")
    bars.first.wait_for(timeout=30_000)
    shot(page, tmp_path, "zero-shot")
    recorded = emulator.replayed().json()
    assert bars.first.locator(".label").text_content() == recorded["labels"][0]
    assert bars.count() == 5
    assert {b.locator(".label").text_content() for b in bars.all()} == {
        s.strip() for s in labels.split(",")
    }
    assert problems == []


def test_a_line_and_sentences_in_similarity_bars_out(browser, servers, emulator, tmp_path):
    page, problems = open_page(
        browser, servers["sentence-transformers/paraphrase-xlm-r-multilingual-v1"].url
    )
    sentences = ["That is a happy dog", "That is a very happy person", "Today is a sunny day"]
    page.get_by_label("Source sentence").fill("That is a happy person")
    page.get_by_label("Sentences to compare (one per line)").fill("\n".join(sentences))
    page.get_by_role("button", name="Compare").click()
    bars = page.locator("#out-similarity .bar")
    bars.first.wait_for(timeout=30_000)
    shot(page, tmp_path, "similarity")
    recorded = emulator.replayed().json()
    assert [b.locator(".label").text_content() for b in bars.all()] == sentences
    for bar, score in zip(bars.all(), recorded):
        width = float(bar.locator(".fill").evaluate("e => e.style.width").rstrip("%"))
        assert abs(width - score * 100) < 0.01
        assert bar.locator(".value").text_content() == f"{score:.3f}"  # a cosine, not a share
    assert "That is a happy person" in page.locator("#out-similarity .source").text_content()
    assert problems == []


def test_text_in_embedding_strip_out(browser, servers, emulator, tmp_path) -> None:
    page, problems = open_page(
        browser, servers["sentence-transformers/distilbert-base-nli-mean-tokens"].url
    )
    page.get_by_label("Text", exact=True).fill("That is a happy person")
    page.get_by_role("button", name="Embed").click()
    cells = page.locator("#out-embedding .strip .cell")
    cells.first.wait_for(timeout=30_000)
    shot(page, tmp_path, "embedding")
    recorded = emulator.replayed().json()
    vector = recorded[0] if isinstance(recorded[0], list) else recorded
    assert cells.count() == len(vector)
    strongest = max(range(len(vector)), key=lambda i: abs(vector[i]))
    assert cells.nth(strongest).get_attribute("title") == (
        f"dim {strongest}: {vector[strongest]:.4f}"
    )
    assert f"{len(vector)} dimensions" in page.locator("#out-embedding .meta").text_content()
    assert problems == []


def test_text_in_generated_text_out(browser, servers, emulator, tmp_path) -> None:
    page, problems = open_page(browser, servers["gpt2"].url)
    page.get_by_label("Prompt", exact=True).fill("The answer to the universe is")
    page.get_by_role("button", name="Generate").click()
    shown = page.locator("#out-text .generated")
    shown.wait_for(timeout=30_000)
    page.locator("#status").filter(has_text="Answered in").wait_for(timeout=30_000)
    shot(page, tmp_path, "text")
    assert shown.text_content() == emulator.replayed().json()[0]["generated_text"]
    assert problems == []


def test_image_in_boxes_over_it_out(browser, servers, emulator, media, tmp_path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(media["image"])
    page, problems = open_page(browser, servers["facebook/detr-resnet-50"].url)
    upload_and_run(page, "Image", image, "img.preview", "Detect objects")
    boxes = page.locator("#out-boxes .overlay .box")  # in the result pane, on the picture's copy
    boxes.first.wait_for(timeout=30_000)
    assert page.locator("[data-drop] .box").count() == 0  # the input left as given
    shot(page, tmp_path, "boxes")
    for_docs(page, "object-detection")
    recorded = emulator.replayed().json()
    assert boxes.count() == len(recorded)
    natural = page.locator("img.preview").evaluate("i => [i.naturalWidth, i.naturalHeight]")
    drawn = sorted(
        (float(b.evaluate("b => b.style.left").rstrip("%")), b.locator(".tag").text_content())
        for b in boxes.all()
    )
    wanted = sorted((r["box"]["xmin"] / natural[0] * 100, r["label"]) for r in recorded)
    for (left, tag), (xmin, label) in zip(drawn, wanted):
        assert abs(left - xmin) < 0.01 and tag.startswith(label)
    legend = page.locator("#out-boxes .box-list li")
    assert legend.count() == len(recorded)
    # The legend likeliest first; each box a colour of its own, in its label's family.
    shown = [t.rsplit(" · ", 1) for t in legend.all_text_contents()]
    assert [label for label, _ in shown] == [
        r["label"] for r in sorted(recorded, key=lambda r: -r["score"])
    ]
    hues = [b.evaluate("b => b.style.getPropertyValue('--entity')") for b in boxes.all()]
    assert len(set(hues)) == len(recorded)
    # A tap pins one box (touch screens have no hover); another tap lets it go.
    legend.first.click()
    assert page.locator(".overlay.isolating .box.focus").count() == 1
    page.mouse.move(0, 0)
    assert page.locator(".overlay.isolating").count() == 1  # still pinned
    legend.first.click()
    assert page.locator(".overlay.isolating").count() == 0
    assert problems == []


def test_video_in_label_bars_out(browser, servers, emulator, tmp_path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(synthesized_media("video/mp4") or b"")
    page, problems = open_page(browser, servers["hubdemo-emulated/video-classification"].url)
    upload_and_run(page, "Video", video, "video.preview", "Classify")
    preview = page.locator("video.preview")
    until(lambda: preview.evaluate("v => v.readyState >= 1"))
    assert preview.evaluate("v => v.videoWidth") == 64  # Chromium decoded the upload
    bars = page.locator("#out-labels .bar")
    bars.first.wait_for(timeout=30_000)
    shot(page, tmp_path, "video-classification")
    assert emulator.log[-1].body == video.read_bytes()  # forwarded as uploaded
    recorded = emulator.replayed().json()
    assert [b.locator(".label").text_content() for b in bars.all()] == [
        r["label"] for r in recorded
    ]
    assert problems == []


def test_text_in_playable_video_out(browser, servers, emulator, tmp_path) -> None:
    page, problems = open_page(browser, servers["hubdemo-emulated/text-to-video"].url)
    page.get_by_label("Prompt", exact=True).fill("a square crossing a yellow field")
    page.get_by_role("button", name="Make the video").click()
    player = page.locator("#out-video video.generated-video")
    player.wait_for(state="visible", timeout=30_000)
    until(lambda: player.evaluate("v => v.readyState >= 2"))
    shot(page, tmp_path, "text-to-video")
    assert player.evaluate("v => [v.videoWidth, v.videoHeight]") == [64, 48]
    link = page.locator("#out-video .download")
    assert link.get_attribute("download") == "text-to-video.mp4"
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == emulator.replayed().body
    assert problems == []


def test_audio_in_one_player_per_sound_out(browser, servers, emulator, media, tmp_path) -> None:
    sound = tmp_path / "mixture.flac"
    sound.write_bytes(media["audio"])
    page, problems = open_page(browser, servers["speechbrain/sepformer-wham"].url)
    upload_and_run(page, "Audio", sound, "audio.preview", "Process the sound")
    tracks = page.locator("#out-tracks .track")
    tracks.first.wait_for(timeout=30_000)
    shot(page, tmp_path, "audio-to-audio")
    recorded = emulator.replayed().json()
    assert [t.locator(".label").text_content() for t in tracks.all()] == [
        r["label"] for r in recorded
    ]
    players = page.locator("#out-tracks audio")
    until(lambda: all(a.evaluate("a => a.duration > 0") for a in players.all()))
    # (Chromium decoded every returned sound)
    first = tracks.first.locator("audio").get_attribute("src") or ""
    assert first == f"data:{recorded[0]['content-type']};base64,{recorded[0]['blob']}"
    assert problems == []


def test_prompt_alone_in_generated_image_out(browser, servers, emulator, tmp_path) -> None:
    page, problems = open_page(browser, servers["hubdemo-emulated/image-text-to-image"].url)
    page.get_by_label("Prompt (optional with an image)").fill("a watercolour bicycle")
    page.get_by_role("button", name="Generate the image").click()
    image = page.locator("#out-image img.generated-image")
    image.wait_for(state="visible", timeout=30_000)
    until(lambda: image.evaluate("i => i.naturalWidth > 0"))
    shot(page, tmp_path, "image-text-to-image")
    assert image.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [64, 48]
    assert json.loads(emulator.log[-1].body) == {"parameters": {"prompt": "a watercolour bicycle"}}
    assert problems == []


def test_card_rows_in_predictions_beside_them_out(browser, servers, emulator, tmp_path) -> None:
    page, problems = open_page(browser, servers["hubdemo-emulated/tabular-classification"].url)
    page.get_by_role("button", name="Three patients").click()  # the card's rows: fill and run
    grid = page.locator("#out-rows .rows-grid")
    grid.locator("td.prediction").first.wait_for(timeout=30_000)
    shot(page, tmp_path, "tabular")
    sent = json.loads(emulator.log[-1].body)["inputs"]["data"]
    assert grid.locator("thead th").all_text_contents() == [*sent, "Predicted class"]
    predictions = [str(v) for v in emulator.replayed().json()]
    assert grid.locator("td.prediction").all_text_contents() == predictions
    first_row = grid.locator("tbody tr").first.locator("td").all_text_contents()
    assert first_row == [cells[0] for cells in sent.values()] + [predictions[0]]
    editable = page.locator("table[data-kind=table] thead th").all_text_contents()
    assert editable[: len(sent)] == list(sent)  # the example filled the editable grid too
    assert problems == []


# The browser test that fills (inputs) or draws (outputs) each component kind.
BROWSER_TEST_OF_KIND = {
    "input": {
        "text": "test_browser.py::test_ask_a_question_about_an_image",
        "textarea": "test_browser_kinds.py::test_text_in_entities_out",
        "image": "test_browser.py::test_upload_an_image_and_see_the_top_labels_bar",
        "audio": "test_browser.py::test_record_from_the_microphone_and_classify",
        "video": "test_browser_kinds.py::test_video_in_label_bars_out",
        "labels": "test_browser_kinds.py::test_text_and_labels_in_bars_out",
        "sentences": "test_browser_kinds.py::test_a_line_and_sentences_in_similarity_bars_out",
        "table": "test_browser.py::test_an_editable_table_answers_with_its_cells_highlighted",
        "chat": "test_browser.py::test_chat_streams_the_answer_and_keeps_the_conversation",
        "file": "test_spaces_outputs_page.py::test_a_file_goes_and_comes_back_under_its_name",
    },
    "output": {
        "labels": "test_browser.py::test_upload_an_image_and_see_the_top_labels_bar",
        "entities": "test_browser_kinds.py::test_text_in_entities_out",
        "answer": "test_browser.py::test_ask_a_question_about_an_image",
        "text": "test_browser_kinds.py::test_text_in_generated_text_out",
        "boxes": "test_browser_kinds.py::test_image_in_boxes_over_it_out",
        "embedding": "test_browser_kinds.py::test_text_in_embedding_strip_out",
        "similarity": "test_browser_kinds.py::test_a_line_and_sentences_in_similarity_bars_out",
        "image": "test_browser.py::test_generated_image_and_sound_are_shown_and_downloadable",
        "audio": "test_browser.py::test_generated_image_and_sound_are_shown_and_downloadable",
        "video": "test_browser_kinds.py::test_text_in_playable_video_out",
        "tracks": "test_browser_kinds.py::test_audio_in_one_player_per_sound_out",
        "segments": "test_browser.py::test_segmentation_masks_are_painted_over_the_image",
        "table": "test_browser.py::test_an_editable_table_answers_with_its_cells_highlighted",
        "rows": "test_browser_kinds.py::test_card_rows_in_predictions_beside_them_out",
        "chat": "test_browser.py::test_chat_streams_the_answer_and_keeps_the_conversation",
        "gallery": "test_spaces_outputs_page.py::test_a_gallery_is_pictures_with_their_captions",
        "annotated": "test_spaces_outputs_page.py::test_an_annotated_image_has_labelled_regions",
        "file": "test_spaces_outputs_page.py::test_a_file_goes_and_comes_back_under_its_name",
    },
}


def test_every_component_kind_has_a_browser_test() -> None:
    import ast

    from hubdemo.components import INPUT_KINDS, OUTPUT_KINDS

    assert set(BROWSER_TEST_OF_KIND["input"]) == set(INPUT_KINDS)
    assert set(BROWSER_TEST_OF_KIND["output"]) == set(OUTPUT_KINDS)
    here = Path(__file__).parent
    for named in [
        *BROWSER_TEST_OF_KIND["input"].values(),
        *BROWSER_TEST_OF_KIND["output"].values(),
    ]:
        module, test = named.split("::")
        tree = ast.parse((here / module).read_text())
        assert test in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, named


DROP_OR_PASTE = """([how, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "photo.png", { type: "image/png" }));
  if (how === "drop") {
    const field = document.querySelector("[data-drop]");
    field.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true }));
    field.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
  } else {
    document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true }));
  }
}"""


@pytest.mark.parametrize("how", ["drop", "paste"])
def test_an_image_can_be_dropped_or_pasted(browser, servers, emulator, media, how) -> None:
    import base64

    page, problems = open_page(browser, servers["google/vit-base-patch16-224"].url)
    page.evaluate(DROP_OR_PASTE, [how, base64.b64encode(media["image"]).decode()])
    preview = page.locator("img.preview")
    preview.wait_for(state="visible")
    until(lambda: preview.evaluate("i => i.naturalWidth > 0"))
    page.get_by_role("button", name="Classify").click()
    page.locator("#out-labels .bar").first.wait_for(timeout=30_000)
    assert emulator.log[-1].body == media["image"]  # the dropped/pasted file, byte for byte
    assert problems == []


def test_fill_mask_shows_each_completed_sentence(browser, servers, emulator, tmp_path) -> None:
    page, problems = open_page(browser, servers["google-bert/bert-base-uncased"].url)
    page.get_by_label("Text with a mask token", exact=True).fill("[MASK] world!")  # recorded
    page.get_by_role("button", name="Fill the mask").click()
    bars = page.locator("#out-labels .bar")
    bars.first.wait_for(timeout=30_000)
    shot(page, tmp_path, "fill-mask")
    recorded = sorted(emulator.replayed().json(), key=lambda r: -r["score"])
    assert [b.locator(".label").text_content() for b in bars.all()] == [
        r["token_str"].strip() for r in recorded
    ]
    assert [b.locator(".sequence").text_content() for b in bars.all()] == [
        r["sequence"] for r in recorded
    ]
    assert problems == []
