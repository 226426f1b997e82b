"""hubdemo's Python API without a server: hubdemo.load(...) and hubdemo.Demo(fn, task=...),
checked against the router's recordings, a tiny local model and a plain function."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from PIL import Image

import hubdemo
from hubdemo.errors import InputError
from support.checks import validate_output
from support.servers import hubdemo_env

TEXT = "distilbert-base-uncased-finetuned-sst-2-english"
RECORDED = "I like you. I love you."


@pytest.fixture
def hub(emulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The emulated Hub and router, as `hubdemo serve` would find them (the environment)."""
    for name, value in hubdemo_env(emulator).items():
        monkeypatch.setenv(name, value)
    return emulator


def test_load_predicts_as_the_router_answered(hub) -> None:
    with hubdemo.load(TEXT) as demo:
        output = demo.predict(RECORDED)
        info = demo.info()
    recorded = next(
        e.json()
        for e in hub.tapes.exchanges
        if e.model.endswith("distilbert-base-uncased-finetuned-sst-2-english")
        and isinstance(e.request, dict)
        and e.request.get("inputs") == RECORDED
    )
    validate_output("text-classification", output)
    assert output == recorded[0]  # the router's [[...]], normalized
    assert info["task"] == "text-classification" and info["inputs"][0]["name"] == "text"
    assert repr(demo) == f"<hubdemo.Demo {info['model']} (text-classification)>"


def test_apredict_from_a_running_event_loop_and_parameters(hub) -> None:
    demo = hubdemo.load(TEXT)

    async def inside_a_loop() -> tuple[Any, Any]:  # as in a notebook or an async app
        whole = await demo.apredict(RECORDED)
        return whole, demo.predict(RECORDED)  # the sync call works in a running loop too

    try:
        whole, again = asyncio.run(inside_a_loop())
    finally:
        demo.close()
    assert whole == again and whole[0]["label"] == "POSITIVE"


def test_bad_input_raises_hubdemos_own_errors(hub) -> None:
    with hubdemo.load(TEXT) as demo:
        with pytest.raises(InputError, match="takes 1 input"):
            demo.predict("a", "b")
        with pytest.raises(InputError, match="empty"):
            demo.predict("   ")
        with pytest.raises(InputError, match="top_k"):
            demo.predict(RECORDED, top_k="many")


def test_the_app_mounts_under_another_starlette_app(hub) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    demo = hubdemo.load(TEXT)
    outer = Starlette(routes=[Mount("/sentiment", app=demo.app)])

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=outer)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            answer = await client.post("/sentiment/api/predict", json={"data": [RECORDED]})
        await demo.upstream.aclose()  # what the outer app's shutdown would do
        return answer

    answer = asyncio.run(ask())
    assert answer.status_code == 200, answer.text
    assert answer.json()["output"][0]["label"] == "POSITIVE"


def colour_of(image: Image.Image) -> dict[str, float]:
    red, green, blue = image.convert("RGB").resize((1, 1)).getpixel((0, 0))
    total = (red + green + blue) or 1
    return {"red": red / total, "green": green / total, "blue": blue / total}


def test_a_local_tiny_model_loads_offline(tiny_models, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with hubdemo.load(str(tiny_models["fill-mask"])) as demo:
        output = demo.predict("the [MASK] is red")
    validate_output("fill-mask", output)
    assert all("[MASK]" not in o["sequence"] for o in output)
