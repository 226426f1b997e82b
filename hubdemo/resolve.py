"""From what the user typed to a ModelSpec: which model, which task, what the card says.

Accepted model strings (docs/design.md §3): ``huggingface/<org>/<name>``, ``models/<org>/<name>``,
``<org>/<name>`` (or a canonical ``<name>`` such as ``gpt2``), ``https://huggingface.co/<org>/<name>``,
a local directory, and ``<module>:<function>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from .cache import (
    architectures,
    cached_snapshot,
    existing_path,
    has_weights,
    hub_cache_dir,
    hub_offline,
    is_model_dir,
    local_model_info,
)
from .errors import (
    HubError,
    HubUnreachable,
    InvalidModelString,
    ModelNotFound,
    NoTaskError,
    UsageError,
)
from .hub import HubClient
from .providers import ProviderEntry, parse_mapping

if TYPE_CHECKING:
    from .spaces.tape import SpaceTape
from .tasks import get_task, supported_tasks, task_for

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
_REPO_ID = re.compile(rf"^(?:{_NAME}/)?{_NAME}$")
_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
# A branch, a tag or a commit after "@": the Hub's ref names (refs/pr/3 included).
_PIN = re.compile(r"^[\w.\-]+(?:/[\w.\-]+)*$")
_HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}


@dataclass(frozen=True)
class ModelRef:
    """A parsed model string, before anything is fetched."""

    kind: str  # "hub" | "local" | "function"
    value: str
    revision: str | None = None  # "org/name@<branch, tag or commit>": pinned for --local


@dataclass(frozen=True)
class ModelSpec:
    """Everything hubdemo knows about the model it serves."""

    model_id: str
    task: str
    source: str = "hub"  # "hub" | "cache" (the Hub's cache, offline) | "local" (a dir) | "function"
    pipeline_tag: str | None = None
    library: str | None = None
    license: str | None = None
    gated: bool = False
    hub_url: str | None = None
    tags: tuple[str, ...] = ()
    widget_data: tuple[dict[str, Any], ...] = field(default=())
    local_dir: str | None = None  # the saved model on this machine, when there is one
    pinned: str | None = None  # the revision asked for with org/name@<revision> (--local, pull)
    revision: str | None = None  # the commit the Hub (or the cached snapshot) describes
    # The Hub's inferenceProviderMapping; None when its answer had no such field (see providers)
    providers: tuple[ProviderEntry, ...] | None = None
    space: Any = None  # a Gradio Space: the connected spaces.SpaceBinding (source "space")


_REVISION = re.compile(r"^[0-9a-f]{7,64}$")


def shorten(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _valid_repo_id(repo_id: str) -> bool:
    return bool(_REPO_ID.match(repo_id)) and "--" not in repo_id and ".." not in repo_id


def validate_repo_id(repo_id: str) -> str:
    """Raise InvalidModelString unless ``repo_id`` has the Hub's ``org/name`` form."""
    if not _valid_repo_id(repo_id):
        raise InvalidModelString(
            f"{shorten(repo_id)!r} is not a valid model id: use <org>/<name> (letters, digits, "
            "'-', '_', '.'), e.g. google/vit-base-patch16-224"
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
    folder = existing_path(text)
    if folder is not None and folder.is_dir():
        return ModelRef("local", str(folder.resolve()))
    if _CALLABLE.match(text):
        return ModelRef("function", text)
    for prefix in ("huggingface/", "models/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    text, at, revision = text.partition("@")
    if at and (not _PIN.match(revision) or ".." in revision):
        raise InvalidModelString(
            f"{shorten(revision)!r} after '@' is not a revision: name a branch, a tag or a "
            "commit, e.g. google/vit-base-patch16-224@main"
        )
    return ModelRef("hub", validate_repo_id(text), revision or None)


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
    sha = info.get("sha")
    pipeline_tag = info.get("pipeline_tag")
    chosen = task or task_for(pipeline_tag, info.get("tags") or [])
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
        revision=sha if isinstance(sha, str) and _REVISION.match(sha) else None,
        providers=parse_mapping(info.get("inferenceProviderMapping"), model_id),
    )


def _spec_from_dir(
    path: Path, model_id: str, task: str | None, hub: HubClient, source: str
) -> ModelSpec:
    """A ModelSpec for a saved model: its card's front matter, else its config's architecture."""
    info = local_model_info(path, model_id)
    if not (task or info["pipeline_tag"]):
        found = ", ".join(architectures(path)) or "none"
        raise NoTaskError(
            f"found no task for '{model_id}': no pipeline_tag in {path / 'README.md'} and no "
            f"known architecture in {path / 'config.json'} ({found}); pass --task, one of: "
            f"{', '.join(supported_tasks())}"
        )
    spec = spec_from_info(info, task, hub)
    hub_url = spec.hub_url if source == "cache" else None
    revision = path.name if source == "cache" and _REVISION.match(path.name) else None
    return replace(spec, source=source, local_dir=str(path), hub_url=hub_url, revision=revision)


def _not_cached(repo_id: str) -> str:
    folder = hub_cache_dir() / ("models--" + repo_id.replace("/", "--"))
    return f"'{repo_id}' is not in the Hugging Face cache (looked for {folder}/snapshots)"


def resolve(
    model: str,
    hub: HubClient,
    task: str | None = None,
    *,
    api_name: str | None = None,
    space_wait: float = 60.0,
    space_tape: SpaceTape | None = None,
    space_token: bool = False,
) -> ModelSpec:
    """Resolve a model string to a ModelSpec, asking the Hub once for a Hub model. A Gradio
    Space (``spaces/<owner>/<name>`` and its URLs) is connected here, its endpoint
    ``api_name`` mapped; a waking Space is waited for at most ``space_wait`` seconds, and
    sent the token only when ``space_token`` (or it is private).

    A Hub model also found in the cache gets ``local_dir``; with HF_HUB_OFFLINE set, or when
    the Hub does not answer, the cached copy alone describes it (``source="cache"``).

    Raises:
        InvalidModelString, NoTaskError, UnsupportedTaskError, ModelNotFound, GatedModel,
        HubUnreachable, UsageError (a function without --task).
    """
    from .spaces.connect import open_space, space_ref

    space = space_ref(model, hub.endpoint)
    if space is not None:
        if task is not None:
            raise UsageError("a Space brings its own components: drop --task (use --api-name)")
        binding = open_space(
            space,
            hub,
            api_name=api_name,
            token=hub.token,
            wait=space_wait,
            tape=space_tape,
            send_token=space_token,
        )
        return _space_spec(binding)
    if api_name is not None:
        raise UsageError("--api-name picks a Space's endpoint; this model is not a Space")
    if task is not None:
        get_task(task)
    ref = parse_model_string(model, hub.endpoint)
    if ref.kind == "function":
        if task is None:
            raise UsageError(
                f"'{model}' is a Python function: pass --task to say what it does, e.g. "
                "--task image-classification"
            )
        return ModelSpec(model_id=ref.value, task=task, source="function")
    if ref.kind == "local":
        path = Path(ref.value)
        if not is_model_dir(path):
            raise ModelNotFound(
                f"'{path}' is not a saved model: it has no config.json. Save one with "
                "model.save_pretrained(dir) and tokenizer.save_pretrained(dir)"
            )
        return _spec_from_dir(path, path.name, task, hub, "local")
    return _hub_spec(ref.value, hub, task, ref.revision)


def _space_spec(binding: Any) -> ModelSpec:
    """The ModelSpec of a connected Space (a spaces.connect.SpaceBinding)."""
    return ModelSpec(
        model_id=binding.name,
        task="space",
        source="space",
        library="gradio",
        license=binding.license,
        hub_url=binding.page,
        space=binding,
    )


def _hub_spec(
    repo_id: str, hub: HubClient, task: str | None, pinned: str | None = None
) -> ModelSpec:
    """A Hub model's ModelSpec: the Hub's info, the cached copy's when offline or unreachable.
    ``pinned``: the revision whose files --local runs (the card is main's)."""
    spec = _described(repo_id, hub, task, pinned)
    return replace(spec, pinned=pinned)


def _described(repo_id: str, hub: HubClient, task: str | None, pinned: str | None) -> ModelSpec:
    snapshot = cached_snapshot(repo_id, revision=pinned)
    if hub_offline():
        if snapshot is None:
            raise ModelNotFound(
                f"HF_HUB_OFFLINE is set and {_not_cached(repo_id)}: download it while "
                f"online with `hubdemo pull {repo_id}`, or pass a saved model's directory"
            )
        return _spec_from_dir(snapshot, repo_id, task, hub, "cache")
    try:
        info = hub.model_info(repo_id)
    except HubUnreachable as exc:
        if snapshot is not None:
            return _spec_from_dir(snapshot, repo_id, task, hub, "cache")
        if task is None:
            raise HubUnreachable(f"{exc.message}; {_not_cached(repo_id)}") from None
        # The user told us the task: the card is a nicety, not a need.
        return ModelSpec(model_id=repo_id, task=task, hub_url=hub.model_url(repo_id))
    answered = info.get("id") or info.get("modelId")
    if not isinstance(answered, str) or not _valid_repo_id(answered):
        # The id becomes a link, the page's title and part of every upstream route.
        raise HubError(
            f"the Hub at {hub.endpoint} answered with model id {str(answered)[:80]!r}, which is "
            "not a valid repo id: check that HF_ENDPOINT points at the Hugging Face Hub"
        )
    spec = spec_from_info(info, task, hub)
    if spec.model_id != repo_id:  # renamed on the Hub: the cache may hold either name
        snapshot = cached_snapshot(spec.model_id, revision=pinned) or snapshot
    if snapshot is not None and not has_weights(snapshot):
        snapshot = None  # a download cut short: --local fetches the rest
    return replace(spec, local_dir=str(snapshot) if snapshot else None)
