"""The CLI meets ordinary-but-awkward input: long sentences, markup and escape codes in
messages, files it cannot read, flags out of range. Always one line and an exit code."""

from __future__ import annotations

import pytest

from support.servers import run_cli

MODEL = "distilbert-base-uncased-finetuned-sst-2-english"


def one_line(result) -> str:
    """The one stderr line of a failed command (nothing else, no traceback)."""
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("length", [300, 5000])
def test_a_long_sentence_is_text_not_a_file_name(emulator, length) -> None:
    emulator.fail_next(200, [[{"label": "POSITIVE", "score": 0.75}]])
    result = run_cli(emulator, "predict", MODEL, "great movie " * (length // 12))
    assert result.returncode == 0, result.stderr
    assert "POSITIVE" in result.stdout
    sent = emulator.log[-1].body.decode()
    assert "great movie great movie" in sent


def test_a_long_model_string_is_a_usage_error(emulator) -> None:
    result = run_cli(emulator, "describe", "x" * 5000)
    assert result.returncode == 2
    assert "not a valid model id" in one_line(result)


def test_markup_and_escape_codes_in_an_upstream_message_are_printed_as_text(emulator) -> None:
    message = "bad [/] input [bold red]styled[/bold red] \x1b[2J\x1b]0;title\x07 end"
    emulator.fail_next(422, {"error": message})
    result = run_cli(emulator, "predict", MODEL, "I like you")
    assert result.returncode == 2
    line = one_line(result)
    assert "bad [/] input [bold red]styled[/bold red]" in line
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_markup_in_a_models_answer_is_printed_as_text(emulator) -> None:
    emulator.fail_next(200, [[{"label": "[/][blink]POSITIVE[/blink]", "score": 0.75}]])
    result = run_cli(emulator, "predict", MODEL, "I like you")
    assert result.returncode == 0, result.stderr
    assert "[/][blink]POSITIVE[/blink]" in result.stdout


def test_a_csv_that_is_not_utf8_says_so(emulator, tmp_path) -> None:
    rows = tmp_path / "fish.csv"
    rows.write_bytes("Species,Length1\nBrème,23.2\n".encode("latin-1"))
    result = run_cli(emulator, "predict", "hubdemo-emulated/tabular-regression", str(rows))
    assert result.returncode == 2
    assert "is not UTF-8 text" in one_line(result)


def test_a_file_that_cannot_be_read_says_so(emulator) -> None:
    # Readable by name, refused when read (as root, permissions would not stop us).
    result = run_cli(emulator, "predict", "google/vit-base-patch16-224", "/proc/self/mem")
    assert result.returncode == 2
    assert "cannot read /proc/self/mem" in one_line(result)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["serve", MODEL, "--port", "99999"], "'--port'"),
        (["serve", MODEL, "--port", "0"], "'--port'"),
        (["serve", MODEL, "--endpoint", "http://[::1"], "is not an http(s) URL"),
        (["predict", MODEL, "hi", "--endpoint", "ftp://example.com"], "is not an http(s) URL"),
        (["serve", MODEL, "--router", "not a url"], "is not an http(s) URL"),
        (["serve", MODEL, "--concurrency", "0"], "'--concurrency'"),
        (["nosuchcommand"], "No such command"),
        (["serve"], "Missing argument"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(emulator, args, words) -> None:
    result = run_cli(emulator, *args)
    assert result.returncode == 2, result.stderr
    assert words in one_line(result)
