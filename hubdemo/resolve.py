"""From what the user typed to a ModelSpec: which model, which task, what the card says.

Accepted model strings (DESIGN.md §3): ``huggingface/<org>/<name>``, ``models/<org>/<name>``,
``<org>/<name>`` (or a canonical ``<name>`` such as ``gpt2``), ``https://huggingface.co/<org>/<name>``,
a local directory, and ``<module>:<function>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .errors import HubUnreachable, InvalidModelString, NoTaskError, UsageError
from .hub import HubClient
from .tasks import get_task, supported_tasks

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
_REPO_ID = re.compile(rf"^(?:{_NAME}/)?{_NAME}$")
_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}


@dataclass(frozen=True)
class ModelRef:
    """A parsed model string, before anything is fetched."""

    kind: str  # "hub" | "local" | "function"
    value: str


@dataclass(frozen=True)
class ModelSpec:
    """Everything hubdemo knows about the model it serves."""

    model_id: str
    task: str
    source: str = "hub"  # "hub" | "local" | "function"
    pipeline_tag: str | None = None
    library: str | None = None
    license: str | None = None
    gated: bool = False
    hub_url: str | None = None
    tags: tuple[str, ...] = ()
    widget_data: tuple[dict[str, Any], ...] = field(default=())


def validate_repo_id(repo_id: str) -> str:
    """Raise InvalidModelString unless ``repo_id`` has the Hub's ``org/name`` form."""
    if not _REPO_ID.match(repo_id) or "--" in repo_id or ".." in repo_id:
        raise InvalidModelString(
            f"'{repo_id}' is not a valid model id: use <org>/<name> (letters, digits, '-', '_', "
            "'.'), e.g. google/vit-base-patch16-224"
        )
    return repo_id


def parse_model_string(text: str, hub_endpoint: str | None = None) -> ModelRef:
    """Parse one of the accepted model strings. Raises InvalidModelString."""
    text = text.strip()
    if not text:
        raise InvalidModelString(
            "no model given: pass a Hub id such as google/vit-base-patch16-224"
        )
    if text.startswith(("http://", "https://")):
        url = urlparse(text)
        hosts = set(_HUB_HOSTS)
        if hub_endpoint:
            hosts.add(urlparse(hub_endpoint).netloc)
        parts = [p for p in url.path.split("/") if p]
        if url.netloc not in hosts or not parts:
            raise InvalidModelString(
                f"'{text}' is not a Hub model URL: use https://huggingface.co/<org>/<name>"
            )
        if parts[0] in ("datasets", "spaces"):
            raise InvalidModelString(f"'{text}' is a {parts[0][:-1]}, not a model")
        # https://huggingface.co/<org>/<name>/tree/main and the like: keep the repo part.
        return ModelRef("hub", validate_repo_id("/".join(parts[:2])))
    if Path(text).expanduser().is_dir():
        return ModelRef("local", str(Path(text).expanduser().resolve()))
    if _CALLABLE.match(text):
        return ModelRef("function", text)
    for prefix in ("huggingface/", "models/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return ModelRef("hub", validate_repo_id(text))


def _license(info: dict[str, Any]) -> str | None:
    card = info.get("cardData") or {}
    value = card.get("license") if isinstance(card, dict) else None
    if isinstance(value, str):
        return value
    for tag in info.get("tags") or []:
        if isinstance(tag, str) and tag.startswith("license:"):
            return tag.split(":", 1)[1]
    return None


def spec_from_info(info: dict[str, Any], task: str | None, hub: HubClient) -> ModelSpec:
    """Build a ModelSpec from Hub model info; ``task`` overrides the card's pipeline_tag."""
    model_id = str(info.get("id") or info.get("modelId"))  # the canonical id after a rename
    pipeline_tag = info.get("pipeline_tag")
    chosen = task or pipeline_tag
    if not chosen:
        raise NoTaskError(
            f"model '{model_id}' has no pipeline_tag on the Hub: pass --task. "
            f"Supported: {', '.join(supported_tasks())}"
        )
    get_task(chosen)  # raises UnsupportedTaskError listing the valid names
    widget = info.get("widgetData") or []
    return ModelSpec(
        model_id=model_id,
        task=chosen,
        source="hub",
        pipeline_tag=pipeline_tag,
        library=info.get("library_name"),
        license=_license(info),
        gated=bool(info.get("gated")),
        hub_url=hub.model_url(model_id),
        tags=tuple(t for t in info.get("tags") or [] if isinstance(t, str)),
        widget_data=tuple(w for w in widget if isinstance(w, dict)),
    )


def resolve(model: str, hub: HubClient, task: str | None = None) -> ModelSpec:
    """Resolve a model string to a ModelSpec, asking the Hub once for a Hub model.

    Raises:
        InvalidModelString, NoTaskError, UnsupportedTaskError, ModelNotFound, GatedModel,
        HubUnreachable.
    """
    if task is not None:
        get_task(task)
    ref = parse_model_string(model, hub.endpoint)
    if ref.kind == "hub":
        try:
            info = hub.model_info(ref.value)
        except HubUnreachable:
            if task is None:
                raise
            # The user told us the task: the card is a nicety, not a need.
            return ModelSpec(model_id=ref.value, task=task, hub_url=hub.model_url(ref.value))
        return spec_from_info(info, task, hub)
    raise UsageError(
        f"'{model}' is a {'local directory' if ref.kind == 'local' else 'Python function'}; "
        "this version serves Hub models only: pass a Hub id such as google/vit-base-patch16-224"
    )
