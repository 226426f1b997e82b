"""Inference Providers: which one serves a model, and why (``--provider auto|<name>``).

The Hub lists, for a model, the providers that serve it (``inferenceProviderMapping``: provider,
the provider's own model id, task, status), in the order of the user's preferences when a token
is sent. hubdemo chooses one itself, so that every request names its provider:

- ``auto``: the first *live* entry whose provider hubdemo can call (huggingface_hub's provider
  helpers know it); with no mapping field at all, hf-inference, as before providers existed;
  with an empty mapping, no provider serves the model (NoProviderError).
- a name: that provider, if it is one hubdemo knows (else a usage error listing them) and the
  Hub lists it for the model (else an error naming those it lists).

huggingface_hub is imported only when a provider other than hf-inference is involved: the
hf-inference path starts as fast as before.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from .errors import NoProviderError, UsageError

HF_INFERENCE = "hf-inference"
AUTO = "auto"


@dataclass(frozen=True)
class ProviderEntry:
    """One line of the Hub's mapping."""

    provider: str
    provider_id: str
    task: str
    status: str
    adapter: str | None = None
    adapter_weights_path: str | None = None

    def to_json(self, supported: bool) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "provider_id": self.provider_id,
            "task": self.task,
            "status": self.status,
            "supported": supported,
        }


@dataclass(frozen=True)
class ProviderChoice:
    """The provider that answers, the mapping it was chosen from, and why."""

    provider: str
    provider_id: str
    task: str | None
    reason: str
    mapping: tuple[ProviderEntry, ...] | None
    adapter_weights_path: str | None = None

    def to_json(self) -> dict[str, Any]:
        listed = self.mapping or ()
        return {
            "name": self.provider,
            "provider_id": self.provider_id,
            "reason": self.reason,
            "mapping": [e.to_json(is_known(e.provider)) for e in listed],
        }


def parse_mapping(raw: Any, model_id: str) -> tuple[ProviderEntry, ...] | None:
    """The Hub's ``inferenceProviderMapping`` in either of its forms (a list of entries, or
    the older object keyed by provider); None when the Hub's answer has no such field."""
    if raw is None:
        return None
    if isinstance(raw, dict):
        raw = [{"provider": name, **(value or {})} for name, value in raw.items()]
    entries = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("provider"), str):
            continue
        entries.append(
            ProviderEntry(
                provider=item["provider"],
                provider_id=str(item.get("providerId") or model_id),
                task=str(item.get("task") or ""),
                status=str(item.get("status") or "live"),
                adapter=item.get("adapter"),
                adapter_weights_path=item.get("adapterWeightsPath"),
            )
        )
    return tuple(entries)


# Any string that starts with hf_ makes a helper build the router's route (not the provider's
# own host); it is never sent anywhere.
ROUTED = "hf_routed"


def helper_table() -> dict[str, dict[str, Any]]:
    """provider -> {task: helper}, as huggingface_hub defines them, for the providers the
    router serves (hf-inference aside: hubdemo speaks it itself; openai takes only its own
    keys, never through the router)."""
    from huggingface_hub.inference._providers import PROVIDERS

    return {
        name: tasks
        for name, tasks in PROVIDERS.items()
        if name != "hf-inference" and all(_routed(helper) for helper in tasks.values())
    }


def _routed(helper: Any) -> bool:
    """Whether the helper works with a Hugging Face token (through the router)."""
    try:
        helper._prepare_api_key(ROUTED)
    except ValueError:
        return False
    return True


@functools.cache
def known_providers() -> tuple[str, ...]:
    """The providers hubdemo can call: those huggingface_hub's helpers support."""
    return tuple(sorted({HF_INFERENCE, *helper_table()}))


def is_known(provider: str) -> bool:
    return provider == HF_INFERENCE or provider in known_providers()


def choose_provider(
    mapping: tuple[ProviderEntry, ...] | None, requested: str, model_id: str
) -> ProviderChoice:
    """Pick the provider for ``model_id`` (see the module docstring).

    Raises:
        UsageError: an unknown provider name, or one the Hub does not list for the model.
        NoProviderError: the Hub lists no provider hubdemo can call for the model.
    """
    if requested != AUTO and not is_known(requested):
        raise UsageError(
            f"--provider {requested!r} is not a provider hubdemo knows; use auto or one of: "
            f"{', '.join(known_providers())}"
        )
    if mapping is None:  # the Hub said nothing about providers: the router's own inference
        if requested not in (AUTO, HF_INFERENCE):
            raise UsageError(
                f"the Hub lists no providers for '{model_id}', so --provider {requested} cannot "
                "serve it; drop --provider, or pass --provider hf-inference"
            )
        return ProviderChoice(
            HF_INFERENCE, model_id, None, "the Hub lists no providers: hf-inference", None
        )
    if requested != AUTO:
        entry = next((e for e in mapping if e.provider == requested), None)
        if entry is None:
            raise UsageError(
                f"--provider {requested} does not serve '{model_id}'; the Hub lists: "
                f"{_listing(mapping)}"
            )
        return _chosen(entry, mapping, f"--provider {requested}")
    for position, entry in enumerate(mapping, 1):
        if entry.status == "live" and is_known(entry.provider):
            why = "the first live provider the Hub lists"
            if position > 1:
                why = f"the first live one hubdemo can call ({position} in the Hub's list)"
            return _chosen(entry, mapping, f"auto: {why}")
    raise NoProviderError(
        f"no Inference Provider that hubdemo can call serves '{model_id}' "
        f"(the Hub lists: {_listing(mapping)}); run it on this machine with --local, point "
        "--endpoint at a deployment of it, or choose another model"
    )


def _chosen(entry: ProviderEntry, mapping: tuple[ProviderEntry, ...], why: str) -> ProviderChoice:
    return ProviderChoice(
        entry.provider,
        entry.provider_id,
        entry.task or None,
        why,
        mapping,
        entry.adapter_weights_path,
    )


def _listing(mapping: tuple[ProviderEntry, ...]) -> str:
    if not mapping:
        return "none"
    return ", ".join(
        f"{e.provider} ({e.status}{'' if is_known(e.provider) else ', not supported by hubdemo'})"
        for e in mapping
    )
