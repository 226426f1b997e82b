"""Inference Providers through the emulated router, against the recorded provider traffic
(huggingface.js's tapes.json): resolution and describe, chat whole and streamed on five
providers, text-to-image on three (a URL, a job answer, base64), errors, safe file fetching,
and the shape of huggingface_hub's helpers."""

from __future__ import annotations

import base64
import io
import json

import httpx
import pytest

from support.checks import sse_events, validate_output
from support.emulated_providers import IMAGES, PROVIDER_MODELS, WHOLE
from support.secrets import TOKEN
from support.servers import Server, run_cli

# (model, provider or None for auto, the recorded streamed question)
CHATS = [
    ("meta-llama/Llama-3.3-70B-Instruct", None, "Complete the equation 1 + 1 = , just the answer"),
    ("hubdemo-emulated/llama-3.1-8b-instruct", None, "Say this is a test"),  # novita
    ("hubdemo-emulated/llama-3.1-8b-instruct", "cerebras", "Say 'this is a test'"),
    ("CohereLabs/c4ai-command-r7b-12-2024", None, "Say 'this is a test'"),
    ("deepseek-ai/DeepSeek-R1", None, "Say this is a test"),  # fireworks-ai, reasoning
]


def provider_of(emulator, model: str, flag: str | None) -> str:
    mapping = PROVIDER_MODELS[model][2]
    return flag or next(e["provider"] for e in mapping if e["provider"] not in
                        ("sambanova", "nebius", "hyperbolic", "black-forest-labs"))  # fmt: skip


def test_describe_shows_the_mapping_and_the_choice(emulator) -> None:
    result = run_cli(
        emulator, "describe", "black-forest-labs/FLUX.1-schnell", "--json", HF_TOKEN=TOKEN
    )
    assert result.returncode == 0, result.stderr
    provider = json.loads(result.stdout)["provider"]
    assert provider["name"] == "fal-ai" and provider["provider_id"] == "fal-ai/flux/schnell"
    assert "auto" in provider["reason"]
    listed = {e["provider"]: e["supported"] for e in provider["mapping"]}
    assert listed == {"black-forest-labs": False, "fal-ai": True, "replicate": True}
    table = run_cli(emulator, "describe", "black-forest-labs/FLUX.1-schnell", HF_TOKEN=TOKEN)
    assert "→ fal-ai: fal-ai/flux/schnell" in table.stdout
    assert "black-forest-labs: flux-schnell (text-to-image, live, not supported by hubdemo)" in (
        table.stdout
    )
    asked = [e for e in emulator.log if "/api/models/black-forest-labs" in e.path]
    assert asked, "the Hub was asked"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--provider", "nosuchprovider"], "not a provider hubdemo knows; use auto or one of:"),
        (["--provider", "together"], "does not serve 'black-forest-labs/FLUX.1-schnell'"),
    ],
)  # fmt: skip
def test_a_provider_that_cannot_serve_is_one_line_exit_2(emulator, args, words) -> None:
    result = run_cli(emulator, "predict", "black-forest-labs/FLUX.1-schnell", "a cat", *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0]
    if "nosuchprovider" in args:
        assert "fal-ai" in lines[0] and "replicate" in lines[0] and "together" in lines[0]


@pytest.mark.parametrize(
    "model", ["hubdemo-emulated/no-provider", "hubdemo-emulated/retired-providers"]
)
def test_no_provider_hubdemo_can_call_says_what_the_hub_lists(emulator, model) -> None:
    result = run_cli(emulator, "describe", model)
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "no Inference Provider that hubdemo can call serves" in line
    assert "--local" in line and "--endpoint" in line
    if "retired" in model:
        assert "nebius (live, not supported by hubdemo)" in line


@pytest.mark.parametrize(("model", "flag", "_streamed"), CHATS)
def test_a_whole_chat_answer_is_the_providers_own(emulator, model, flag, _streamed) -> None:
    provider = provider_of(emulator, model, flag)
    args = ["--provider", flag] if flag else []
    server = Server(emulator, model, *args, HF_TOKEN=TOKEN)
    try:
        answer = server.predict({"messages": [{"role": "user", "content": WHOLE}]})
    finally:
        server.stop()
    assert answer.status_code == 200, answer.text
    sent = [e for e in emulator.log if e.method == "POST"][-1]
    assert sent.path.startswith(f"/{provider}/"), sent.path
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(sent.body)["model"] == next(
        e["providerId"] for e in PROVIDER_MODELS[model][2] if e["provider"] == provider
    )
    recorded = json.loads(sent.provider_replayed.body)
    output = answer.json()["output"]
    said = output["choices"][0]["message"]
    assert said["content"] == recorded["choices"][0]["message"]["content"]  # exactly as written
    for field in ("id", "created", "model", "usage"):
        assert output[field] == recorded[field]
    validate_output("chat-completion", output)


@pytest.mark.parametrize(("model", "flag", "question"), CHATS)
def test_a_streamed_chat_answer_arrives_delta_by_delta(emulator, model, flag, question) -> None:
    args = ["--provider", flag] if flag else []
    server = Server(emulator, model, *args, HF_TOKEN=TOKEN)
    try:
        response = httpx.post(
            f"{server.url}/api/predict?stream=true",
            json={"messages": [{"role": "user", "content": question}]},
            timeout=30,
        )
    finally:
        server.stop()
    events = sse_events(response.text)
    assert events and events[-1][0] == "message", response.text
    sent = [e for e in emulator.log if e.method == "POST"][-1]
    recorded = [
        json.loads(line[5:].strip())
        for line in sent.provider_replayed.body.decode().splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    ]
    written = "".join(
        (c.get("choices") or [{}])[0].get("delta", {}).get("content") or "" for c in recorded
    )
    deltas = "".join(e["delta"] for kind, e in events if "delta" in e)
    assert deltas == written and written
    final = events[-1][1]["output"]
    assert final["choices"][0]["message"]["content"] == written
    validate_output("chat-completion", final)


@pytest.mark.parametrize(("model", "flag", "provider", "prompt"), IMAGES)
def test_a_generated_image_comes_back_as_a_data_url(
    emulator, model, flag, provider, prompt
) -> None:
    from PIL import Image

    args = ["--provider", flag] if flag else []
    result = run_cli(emulator, "predict", model, prompt, "--json", *args, HF_TOKEN=TOKEN)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)["output"]
    validate_output("text-to-image", output)
    header, encoded = output["image"].split(",", 1)
    picture = Image.open(io.BytesIO(base64.b64decode(encoded)))
    assert picture.size[0] > 0 and header.startswith("data:image/")
    posts = [e for e in emulator.log if e.method == "POST"]
    assert posts[-1].path.startswith(f"/{provider}/")
    recorded = json.loads(posts[-1].provider_replayed.body)
    if provider == "together":  # base64 in the answer: the very bytes
        assert base64.b64decode(encoded) == base64.b64decode(recorded["data"][0]["b64_json"])
    else:  # a URL in the answer: fetched from the emulator's copy, without the token
        fetched = [e for e in emulator.log if e.method == "GET" and e.path.startswith("/media/")]
        assert fetched and "authorization" not in fetched[-1].headers


def test_a_job_that_never_finishes_ends_within_the_timeout(emulator) -> None:
    emulator.endless_jobs = True
    try:
        result = run_cli(
            emulator, "predict", "black-forest-labs/FLUX.1-schnell", "a cake",
            "--provider", "replicate", "--timeout", "3", HF_TOKEN=TOKEN,
        )  # fmt: skip
    finally:
        emulator.endless_jobs = False
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "replicate did not finish within 3 s" in lines[0]
    polls = [
        e for e in emulator.log if e.method == "GET" and "/replicate/v1/predictions/" in e.path
    ]
    assert polls, "the job was polled through the router"


@pytest.mark.parametrize(
    ("status", "body", "expected", "words"),
    [
        (401, {"error": "Invalid credentials in Authorization header"}, 401, "Invalid credentials"),
        (402, {"error": "You have exceeded your monthly included credits"}, 402, "credits"),
        (429, {"error": "Rate limit reached"}, 429, "rate limiting"),
        (200, {"unexpected": True}, 502, "names no file"),
    ],
)
def test_provider_errors_keep_their_status_and_message(emulator, status, body, expected, words):
    server = Server(emulator, "black-forest-labs/FLUX.1-schnell", "--retry-budget", "0",
                    HF_TOKEN=TOKEN)  # fmt: skip
    try:
        emulator.fail_next(status, body)
        answer = server.predict({"inputs": "a cake"})
    finally:
        server.stop()
    assert answer.status_code == expected, answer.text
    assert words in answer.json()["error"]


def test_speech_is_transcribed_by_fal_ai(emulator, media, tmp_path) -> None:
    sound = tmp_path / "speech.flac"
    sound.write_bytes(media["audio"])
    result = run_cli(emulator, "predict", "openai/whisper-large-v3", str(sound), "--json",
                     HF_TOKEN=TOKEN)  # fmt: skip
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)["output"]
    validate_output("automatic-speech-recognition", output)
    sent = [e for e in emulator.log if e.method == "POST"][-1]
    assert sent.path == "/fal-ai/fal-ai/whisper"
    assert json.loads(sent.body)["audio_url"].startswith("data:")
    assert output["text"] == json.loads(sent.provider_replayed.body)["text"]


def test_smoke_checks_provider_models_and_replays_them(tapes, tmp_path) -> None:
    from support.emulator import Emulator

    models = ["black-forest-labs/FLUX.1-schnell", "meta-llama/Llama-3.3-70B-Instruct"]
    cassette = tmp_path / "cassette"
    with Emulator(tapes, tokens={TOKEN}, lenient=True) as emulator:
        recorded = run_cli(emulator, "smoke", *models, "--examples", "1", "--record",
                           str(cassette), HF_TOKEN=TOKEN)  # fmt: skip
        url = emulator.url
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    assert "2/2 models passed" in recorded.stdout
    replayed = run_cli(emulator, "smoke", *models, "--examples", "1", "--replay", str(cassette),
                       HF_ENDPOINT=url, HUBDEMO_ROUTER=url)  # fmt: skip
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert TOKEN not in "".join(p.read_text(errors="replace") for p in cassette.rglob("*.json"))


def test_a_video_from_fal_ais_queue_is_polled_then_fetched(emulator) -> None:
    """fal-ai's queue (nothing recorded: the emulator answers as its documentation and
    huggingface_hub's FalAIQueueTask describe): submit, poll the status through the router,
    then fetch the result and the file it names."""
    result = run_cli(emulator, "predict", "Lightricks/LTX-Video", "a kite over the sea",
                     "--json", HF_TOKEN=TOKEN)  # fmt: skip
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)["output"]
    validate_output("text-to-video", output)
    assert output["video"].startswith("data:video/mp4;base64,")
    submitted = max(i for i, e in enumerate(emulator.log) if e.path == "/fal-ai/fal-ai/ltx-video")
    job = list(emulator.fal_jobs)[-1]  # the job the emulator queued last
    steps = [(e.method, e.path) for e in emulator.log[submitted:]]
    base = f"/fal-ai/fal-ai/ltx-video/requests/{job}"
    assert steps == [
        ("POST", "/fal-ai/fal-ai/ltx-video"),
        ("GET", f"{base}/status"),  # IN_PROGRESS
        ("GET", f"{base}/status"),  # COMPLETED
        ("GET", base),  # the result, naming the file
        ("GET", "/media/v3.fal.media/files/emulated/ltx-video.mp4"),
    ]
    assert "authorization" not in emulator.log[-1].headers  # the file: never with the token


def test_openai_is_not_offered_as_it_takes_no_hugging_face_token(emulator) -> None:
    """huggingface_hub's openai helper refuses hf_ tokens: the router does not serve it, so
    hubdemo (which always goes through the router) does not offer it."""
    result = run_cli(emulator, "describe", "meta-llama/Llama-3.3-70B-Instruct", "--provider",
                     "openai")  # fmt: skip
    assert result.returncode == 2
    assert "'openai' is not a provider hubdemo knows" in result.stderr
