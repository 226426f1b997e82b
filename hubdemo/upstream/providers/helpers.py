"""The one place hubdemo uses huggingface_hub's provider helpers.

Each helper knows a provider's route, payload and headers for a task (``_prepare_route``,
``_prepare_payload_as_dict`` / ``_as_bytes``, ``_prepare_headers``). These are private methods
of huggingface_hub: pyproject.toml pins the range they were tested with, and
tests/e2e/test_providers.py fails loudly when their shape changes. hubdemo keeps its own transport
(limits, deadlines, retries, streaming) and its own reading of the answers: the helpers'
``get_response`` would fetch files and poll jobs with huggingface_hub's HTTP session, without
hubdemo's limits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from ...providers import ROUTED, helper_table

# hubdemo's task -> the helpers' name for it.
HELPER_TASK = {"chat-completion": "conversational"}
_DROPPED_HEADERS = {"authorization", "user-agent"}


@dataclass(frozen=True)
class ProviderCall:
    """How requests for one model go to one provider."""

    provider: str
    provider_id: str
    helper_task: str
    route: str  # below {router}/{provider}
    headers: dict[str, str]
    helper: Any
    mapping: Any  # huggingface_hub's InferenceProviderMapping

    def body(self, inputs: Any, parameters: dict[str, Any]) -> tuple[bytes, str]:
        """The request body and its content type for these inputs and parameters."""
        payload = self.helper._prepare_payload_as_dict(inputs, parameters, self.mapping)
        if payload is not None:
            return json.dumps(payload).encode(), "application/json"
        data = self.helper._prepare_payload_as_bytes(inputs, parameters, self.mapping, None)
        return bytes(data), getattr(data, "mime_type", None) or "application/octet-stream"


def provider_call(
    provider: str,
    task: str,
    provider_id: str,
    model_id: str,
    adapter_weights_path: str | None = None,
) -> ProviderCall:
    """The call for ``task`` on ``provider``; UsageError when the provider does not offer it."""
    from huggingface_hub.hf_api import InferenceProviderMapping

    helper_task = HELPER_TASK.get(task, task)
    tasks = helper_table().get(provider, {})
    helper = tasks.get(helper_task)
    if helper is None:
        offered = ", ".join(sorted(tasks)) or "nothing"
        raise UsageError(
            f"hubdemo cannot call {provider} for {task} (it offers: {offered}); choose another "
            "provider with --provider, or run the model with --local or --endpoint"
        )
    mapping = InferenceProviderMapping(  # type: ignore[no-untyped-call]
        provider=provider,
        hf_model_id=model_id,
        providerId=provider_id,
        status="live",
        task=helper_task,
        adapterWeightsPath=adapter_weights_path,
    )
    headers = {
        key.lower(): str(value)
        for key, value in helper._prepare_headers({}, ROUTED).items()
        if key.lower() not in _DROPPED_HEADERS
    }
    route = "/" + helper._prepare_route(provider_id, ROUTED).lstrip("/")
    return ProviderCall(provider, provider_id, helper_task, route, headers, helper, mapping)
