"""An Inference Provider through the router: ``{router}/{provider}/<the provider's route>``.

The request is the provider's own (huggingface_hub's helpers build route, payload and headers
from the task's input, see helpers.py); everything else is HttpUpstream's: transport,
deadlines, retries, streaming, errors. Answers are read by hubdemo: chat and text answers as
they are; a generated file that comes as base64, as a URL (fetched safely, see fetch.py) or as
a job to poll (replicate) becomes the file itself, all within one --timeout.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from ...errors import UpstreamBadResponse, UpstreamError, UpstreamTimeout
from ...media import sniff
from ...providers import ProviderChoice
from ...wire import WireRequest, WireResponse
from ..http import HttpUpstream
from .fetch import fetch_file
from .helpers import provider_call

# Tasks whose answer is a file: providers answer them with JSON that names or holds it.
FILE_TASKS = {
    "text-to-image", "image-to-image", "text-to-video", "image-to-video", "text-to-speech",
    "text-to-audio", "image-text-to-image", "image-text-to-video",
}  # fmt: skip
# Job states that mean "not yet" (replicate's; fal-ai's queue).
PENDING = {"starting", "processing", "queued", "IN_QUEUE", "IN_PROGRESS"}
FAILED = {"failed", "canceled", "error", "FAILED"}
_FILE_KEYS = ("output", "images", "image", "video", "audio", "data", "url", "b64_json")


def file_reference(answer: Any) -> str | None:
    """The first file an answer names: a URL, a data URL, or base64 under ``b64_json``."""
    if isinstance(answer, str):
        return answer if answer.startswith(("https://", "http://", "data:")) else None
    if isinstance(answer, list):
        return next((found for item in answer if (found := file_reference(item))), None)
    if isinstance(answer, dict):
        encoded = answer.get("b64_json")
        if isinstance(encoded, str):
            return "data:;base64," + encoded
        for key in _FILE_KEYS:
            found = file_reference(answer.get(key))
            if found:
                return found
    return None


class ProviderUpstream(HttpUpstream):
    kind = "provider"
    url_flag = "--router (HUBDEMO_ROUTER)"

    def __init__(self, router: str, *, choice: ProviderChoice, task: str, **kwargs: Any) -> None:
        super().__init__(router, **kwargs)
        self.choice = choice
        self.task = task
        self.call = provider_call(
            choice.provider,
            task,
            choice.provider_id,
            self.model_id,
            choice.adapter_weights_path,
        )
        self.provider_base = f"{self.base_url}/{choice.provider}"

    @property
    def provider_choice(self) -> ProviderChoice:
        return self.choice

    def url_for(self, route: str) -> str:
        return self.provider_base + self.call.route

    def encode(self, request: WireRequest) -> tuple[bytes, dict[str, str]]:
        """The provider's payload for the task's input (the hf-inference wire form)."""
        if request.content is not None:
            body, content_type = self.call.body(request.content, {})
        elif request.route == "chat" and isinstance(request.json, dict):
            settings = {k: v for k, v in request.json.items() if k not in ("messages", "model")}
            body, content_type = self.call.body(request.json.get("messages") or [], settings)
        else:
            payload = request.json if isinstance(request.json, dict) else {"inputs": request.json}
            parameters = dict(payload.get("parameters") or {})
            body, content_type = self.call.body(payload.get("inputs"), parameters)
        return body, {"Content-Type": content_type, **self.call.headers}

    async def send(self, request: WireRequest) -> WireResponse:
        if self.task not in FILE_TASKS:
            return await super().send(request)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.total
        try:
            async with asyncio.timeout_at(deadline):
                response = await super().send(request)
                if response.content_type.startswith(("image/", "audio/", "video/")):
                    return response
                answer = await self._finished(self._json(response), deadline)
        except TimeoutError:
            raise UpstreamTimeout(
                f"{self.choice.provider} did not finish within {self.total:g} s "
                "(polling included); try again, or raise --timeout"
            ) from None
        reference = file_reference(answer)
        if reference is None:
            raise UpstreamBadResponse(
                f"{self.choice.provider}'s answer names no file for {self.task} "
                f"({json.dumps(answer)[:160]}); check the model's task"
            )
        data, declared = await fetch_file(
            reference, self.base_url, deadline, self.injected, self.max_answer_bytes
        )
        mime = sniff(data) or declared or "application/octet-stream"
        return WireResponse(status=200, content_type=mime, body=data, headers={})

    def _json(self, response: WireResponse) -> Any:
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError):
            raise UpstreamBadResponse(
                f"{self.choice.provider} answered something that is not JSON"
            ) from None

    def _routed(self, url: str) -> str:
        """A job URL the provider named (its own host), through the router instead, with the
        query the provider's route carries (fal-ai's queue: ``_subdomain=queue``)."""
        query = self.call.route.partition("?")[2]
        return f"{self.provider_base}{httpx.URL(url).path}" + (f"?{query}" if query else "")

    async def _finished(self, answer: Any, deadline: float) -> Any:
        """A job's final state: polled (through the router) while the provider says pending;
        then its result, when the provider keeps that apart (fal-ai's queue: response_url)."""
        # Poll while the provider says "not yet" and names no file (replicate's "Prefer: wait"
        # answers often name the file while the job is still "processing").
        where: str | None = None
        result = answer.get("response_url") if isinstance(answer, dict) else None
        while (
            isinstance(answer, dict)
            and answer.get("status") in PENDING
            and file_reference(answer) is None
        ):
            named = (answer.get("urls") or {}).get("get") or answer.get("status_url")
            where = named if isinstance(named, str) else where  # later answers may not repeat it
            if where is None:
                break
            await asyncio.sleep(1.0)
            answer = await self._poll(self._routed(where))
        apart = isinstance(result, str) and isinstance(answer, dict)
        if apart and file_reference(answer) is None and answer.get("status") not in FAILED:
            answer = await self._poll(self._routed(str(result)))
        if isinstance(answer, dict) and answer.get("status") in FAILED:
            raise UpstreamError(
                f"{self.choice.provider}'s job {answer['status']}: "
                f"{str(answer.get('error') or 'no reason given')[:200]}; try again"
            )
        return answer

    async def _poll(self, url: str) -> Any:
        headers = {"User-Agent": "hubdemo"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = httpx.Request("GET", url, headers=headers, extensions={"timeout": self._timeout})
        transport = self._transports[0]
        try:
            response = await transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise UpstreamBadResponse(
                f"polling {self.choice.provider}'s job failed ({type(exc).__name__})"
            ) from None
        if response.status_code >= 300:
            raise self._error(response)
        return self._json(WireResponse(200, "application/json", response.content, {}))
