"""Gradio Spaces: from ``spaces/<owner>/<name>`` to a connected gradio_client and one endpoint.

The Hub is asked once (``GET {HF_ENDPOINT}/api/spaces/{id}``: runtime stage, sdk, host,
private); the Space's URL is the Hub's ``host`` field, never built from the name, as
gradio_client and huggingface_hub read it. A sleeping or starting Space is waited for within
the retry budget; a paused, broken or non-Gradio one is refused with a line naming its state.
Then gradio_client reads the app's API (``view_api``) and config, and the chosen endpoint's
components are mapped to a task (task.py). hubdemo does not speak Gradio's queue
protocol itself: gradio_client does (upstream.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx

from ..errors import (
    HubError,
    InvalidModelString,
    SpaceUnavailable,
    UnsupportedSpace,
    UpstreamAuthError,
    UpstreamUnreachable,
)
from ..hub import HubClient
from .components import drawable, is_blocks_chat, is_chat_interface
from .config import config_of, example_loader, with_media_examples
from .mapping import space_task
from .tape import SpaceTape
from .task import SpaceTask

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
_SPACE_ID = re.compile(rf"^{_NAME}/{_NAME}$")
_HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
RUNNING = ("RUNNING", "RUNNING_BUILDING", "RUNNING_APP_STARTING")
log = logging.getLogger("hubdemo")
WAKING = {"SLEEPING": "sleeping", "APP_STARTING": "starting", "BUILDING": "building"}
BROKEN = {
    "PAUSED": "paused by its owner",
    "STOPPED": "stopped",
    "RUNTIME_ERROR": "failing (a runtime error)",
    "BUILD_ERROR": "failing to build",
    "CONFIG_ERROR": "misconfigured",
    "NO_APP_FILE": "empty (it has no app file)",
    "DELETING": "being deleted",
}
POLL = 2.0  # seconds between two looks at a waking Space's stage


@dataclass(frozen=True)
class SpaceRef:
    space_id: str | None  # owner/name, when known
    url: str | None  # a https://<sub>.hf.space URL given directly


def space_ref(text: str, hub_endpoint: str | None = None) -> SpaceRef | None:
    """The Space a model string names, or None when it names no Space."""
    text = text.strip()
    if text.startswith("spaces/"):
        return SpaceRef(_checked(text.removeprefix("spaces/").strip("/")), None)
    if not text.startswith(("http://", "https://")):
        return None
    url = urlparse(text)
    parts = [p for p in url.path.split("/") if p]
    hosts = _HUB_HOSTS | ({urlparse(hub_endpoint).netloc} if hub_endpoint else set())
    if url.netloc in hosts and parts[:1] == ["spaces"]:
        if len(parts) < 3:
            raise InvalidModelString(f"'{text}' names no Space: use …/spaces/<owner>/<name>")
        return SpaceRef(_checked("/".join(parts[1:3])), None)
    if url.hostname and url.hostname.endswith(".hf.space"):
        return SpaceRef(None, f"{url.scheme}://{url.netloc}")
    return None


def _checked(space_id: str) -> str:
    if not _SPACE_ID.match(space_id) or "--" in space_id or ".." in space_id:
        raise InvalidModelString(
            f"{space_id[:100]!r} is not a Space id: use spaces/<owner>/<name>, e.g. "
            "spaces/abidlabs/vision-transformer"
        )
    return space_id


@dataclass
class SpaceBinding:
    """A connected Space and the endpoint hubdemo serves."""

    name: str  # owner/name, or the URL
    url: str  # where the app answers (the Hub's host)
    page: str | None  # the Space's page on the Hub
    api_name: str
    task: SpaceTask
    client: Any  # gradio_client.Client
    endpoints: dict[str, Any] = field(default_factory=dict)  # every named endpoint's signature
    refused: dict[str, str] = field(default_factory=dict)  # endpoints hubdemo cannot draw, why
    license: str | None = None
    private: bool = False
    token: str | None = None  # given to the Space's sessions (a private Space needs it)
    tape: SpaceTape | None = None  # smoke --record/--replay: the calls kept in a cassette

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.name,
            "url": self.url,
            "api_name": self.api_name,
            "token_sent": self.token is not None,
            "multimodal": bool(getattr(self.task, "multimodal", False)),
            "endpoints": {
                name: {
                    "parameters": [
                        {k: p.get(k) for k in ("parameter_name", "label", "component")}
                        | {"default": p.get("parameter_default")}
                        for p in signature["parameters"]
                    ],
                    "returns": [
                        {k: r.get(k) for k in ("label", "component")} for r in signature["returns"]
                    ],
                    "drawable": name not in self.refused,
                }
                for name, signature in self.endpoints.items()
            },
        }


def open_space(
    ref: SpaceRef,
    hub: HubClient,
    *,
    api_name: str | None,
    token: str | None,
    wait: float,
    tape: SpaceTape | None = None,
    send_token: bool = False,
) -> SpaceBinding:
    """Ask the Hub, wait out a waking Space (at most ``wait`` seconds), connect, and map the
    chosen endpoint. Raises SpaceUnavailable, UnsupportedSpace, ModelNotFound, …
    The token goes to the Space only when ``send_token`` (--space-token) or the Space is
    private (it cannot be called without): a public Space is code the operator does not
    control, and could hand the token to anyone (Gradio sends none by default either).
    With a replaying ``tape`` nothing connects: the recorded API description is used."""
    url, page, private, license_ = located(ref, hub, wait)
    name = ref.space_id or url
    token = token if send_token or private else None
    client: Any = None
    if tape is not None and tape.replaying:
        described = tape.description(name)
        named, config = described["named"], described["config"]
    else:
        client = connect(url, name, token)
        named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        config = client.config
    chats = {n for n, sig in named.items() if is_chat_interface(config, sig)}
    blocks_chats = {n for n, sig in named.items() if n not in chats and is_blocks_chat(sig)}
    refused = {
        n: "; ".join(drawable(sig["parameters"], sig["returns"], n in chats))
        for n, sig in named.items()
        if n not in blocks_chats
    }
    refused = {n: why for n, why in refused.items() if why}
    chosen = pick_endpoint(named, refused, api_name, name)
    if tape is not None and (chosen in chats or chosen in blocks_chats):
        raise UnsupportedSpace(
            f"--record/--replay do not keep a chat Space's conversations ({name} {chosen}): "
            "smoke-test it live"
        )
    if client is not None:
        config = with_media_examples(config, chosen, named[chosen], url, token)
        if tape is not None:  # kept with its media examples fetched: a replay needs no Space
            tape.keep_description(name, named, config)
    props, samples = config_of(config, chosen)
    # "Gradio" is gr.Blocks' default title: the Space's name says more.
    title = str(config.get("title") or "Gradio")
    title = name.split("/")[-1] if title == "Gradio" else title
    chat = "interface" if chosen in chats else "blocks" if chosen in blocks_chats else None
    task = space_task(title, chosen, named[chosen], props, samples, chat)
    task.example_loader = example_loader(config, chosen) if chat is None else None
    return SpaceBinding(
        name=name,
        url=url,
        page=page,
        api_name=chosen,
        task=task,
        client=client,
        endpoints=named,
        refused=refused,
        license=license_ if isinstance(license_, str) else None,
        private=private,
        token=token,
        tape=tape,
    )


def located(ref: SpaceRef, hub: HubClient, wait: float) -> tuple[str, str | None, bool, Any]:
    """The Space's URL, its page on the Hub, whether it is private, and its card's licence
    (the Hub asked, a waking Space waited for); a URL given as such is only itself."""
    if ref.space_id is None:
        return str(ref.url), None, False, None
    info = running(hub, ref.space_id, wait)
    host = info.get("host")
    if not isinstance(host, str) or not host.startswith(("https://", "http://")):
        raise HubError(
            f"the Hub gave Space '{ref.space_id}' no usable host ({str(host)[:80]!r}); "
            "check HF_ENDPOINT points at the Hugging Face Hub"
        )
    card = info.get("cardData") or {}
    license_ = card.get("license") if isinstance(card, dict) else None
    return host, f"{hub.endpoint}/spaces/{ref.space_id}", bool(info.get("private")), license_


def running(hub: HubClient, space_id: str, wait: float) -> dict[str, Any]:
    """The Space's info once it runs; a waking Space is poked and waited for."""
    deadline = time.monotonic() + wait
    info = hub.space_info(space_id)
    page = f"{hub.endpoint}/spaces/{space_id}"
    sdk = info.get("sdk")
    if sdk != "gradio":
        raise UnsupportedSpace(
            f"the Space {space_id} is a {sdk or 'non-Gradio'} Space; hubdemo serves Gradio "
            "Spaces (their API is what it calls)"
        )
    poked = False
    while True:
        stage = str((info.get("runtime") or {}).get("stage") or "RUNNING")
        if stage in RUNNING:
            return info
        if stage in BROKEN:
            raise SpaceUnavailable(
                f"the Space {space_id} is {BROKEN[stage]} ({stage}): nothing answers there "
                f"until its owner fixes it; see {page}"
            )
        state = WAKING.get(stage, stage.lower())
        if time.monotonic() + POLL > deadline:
            raise SpaceUnavailable(
                f"the Space {space_id} is {state}: it did not run within {wait:g} s; open "
                f"{page} to wake it, or raise --retry-budget",
                retry_after=30,
            )
        if not poked and isinstance(info.get("host"), str):
            _poke(info["host"])  # a request to a sleeping Space's host wakes it
            poked = True
        log.info("the Space %s is %s; waiting for it to run", space_id, state)
        time.sleep(POLL)
        info = hub.space_info(space_id)


def _poke(host: str) -> None:
    # Waking is the Hub's business; the next look at the stage tells how it went.
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(host, timeout=5)


def connect(url: str, name: str, token: str | None) -> Any:
    """gradio_client's Client for the app, with its telemetry off and files left on the
    Space (hubdemo fetches what it shows). With no ``token``, none is sent: left None,
    gradio_client would send the machine's own (HF_TOKEN, or the one `hf auth login` saved)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # read by the client at every start
    from gradio_client import Client

    try:
        return Client(
            url,
            token=token or False,  # huggingface_hub reads False as "no token"
            verbose=False,
            analytics_enabled=False,
            download_files=False,
            httpx_kwargs={"timeout": 30},
        )
    except httpx.HTTPError as exc:
        raise UpstreamUnreachable(
            f"cannot reach the Space {name} at {url} ({type(exc).__name__}); check that it "
            "runs, or try again"
        ) from None
    except Exception as exc:  # gradio_client raises ValueError & co. for what it cannot read
        text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        if "credentials" in text or "login" in text.lower():
            raise UpstreamAuthError(
                f"the Space {name} asks for a login; hubdemo passes only a Hub token "
                "(--token) for a private Space"
            ) from None
        raise UpstreamUnreachable(
            f"the Space {name} at {url} did not answer as a Gradio app ({text})"
        ) from None


def pick_endpoint(
    named: dict[str, Any], refused: dict[str, str], api_name: str | None, name: str
) -> str:
    usable = [n for n in named if n not in refused]
    if api_name is not None:
        wanted = api_name if api_name.startswith("/") else f"/{api_name}"
        if wanted not in named:
            raise UnsupportedSpace(
                f"the Space {name} has no endpoint {wanted}; it has: {', '.join(named) or 'none'}"
            )
        if wanted in refused:
            raise UnsupportedSpace(
                f"the Space {name}'s {refused[wanted]}"
                + (
                    f"; endpoints hubdemo can draw: {', '.join(usable)} (--api-name)"
                    if usable
                    else ""
                )
            )
        return wanted
    default = "/predict" if "/predict" in named else next(iter(named), None)
    if default is None:
        raise UnsupportedSpace(f"the Space {name} offers no named API endpoint")
    if default in refused:
        raise UnsupportedSpace(
            f"the Space {name}'s {default} has what hubdemo cannot draw: {refused[default]}"
            + (
                f"; endpoints hubdemo can draw: {', '.join(usable)} (pass --api-name)"
                if usable
                else "; it has no endpoint hubdemo can draw"
            )
        )
    return default
