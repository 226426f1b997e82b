"""Your own prediction function as the backend: ``hubdemo serve my_module:predict --task T``.

The function gets the task's input as Python values — a PIL image, ``(sampling_rate, samples)``
for audio, a string, or one argument per input for multi-input tasks (question + context,
source sentence + sentences, text + candidate labels) — plus the request's parameters as keyword
arguments when it accepts them. It returns the task's output: the hf-tasks list form, or for
classification a ``{label: confidence}`` dict, or for text tasks a plain string.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from ..errors import FunctionLoadError, HubdemoError, LocalModelError
from ..media import Media
from ..tasks import get_task
from ..wire import WireRequest, WireResponse
from .base import Upstream

log = logging.getLogger("hubdemo")

CLASSIFICATION = {
    "audio-classification",
    "image-classification",
    "text-classification",
    "zero-shot-classification",
}
# Tasks whose output is one object with one text field: a returned string is wrapped in it.
TEXT_KEYS = {
    "automatic-speech-recognition": "text",
    "image-to-text": "generated_text",
    "summarization": "summary_text",
    "text-generation": "generated_text",
    "text2text-generation": "generated_text",
    "translation": "translation_text",
}


def load_function(target: str) -> Callable[..., Any]:
    """Import ``module:function`` from the current directory or the Python path."""
    module_name, _, name = target.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise FunctionLoadError(
            f"cannot import '{module_name}' ({exc}); run hubdemo in the folder that holds "
            f"{module_name.replace('.', '/')}.py, or add its folder to PYTHONPATH"
        ) from None
    except Exception as exc:
        raise FunctionLoadError(
            f"importing '{module_name}' failed: {type(exc).__name__}: {exc}"
        ) from None
    function = getattr(module, name, None)
    if not callable(function):
        raise FunctionLoadError(
            f"'{module_name}' has no function named '{name}'; check the name after the colon"
        )
    return function  # type: ignore[no-any-return]


def _arguments(task: str, inputs: Any, parameters: dict[str, Any]) -> list[Any]:
    if isinstance(inputs, Media):
        if inputs.mime.startswith("image/"):
            import io

            from PIL import Image

            return [Image.open(io.BytesIO(inputs.data)).convert("RGB")]
        from ..local import require_local
        from ..local.audio import decode

        require_local()
        samples, rate = decode(inputs)
        return [(rate, samples)]
    if task == "question-answering":
        return [inputs["question"], inputs["context"]]
    if task == "sentence-similarity":
        return [inputs["source_sentence"], inputs["sentences"]]
    if task == "zero-shot-classification":
        return [inputs, parameters["candidate_labels"]]
    return [inputs]


def to_wire(task: str, result: Any) -> Any:
    """The function's return value in the router's wire form for ``task``."""
    from ..local.common import jsonable

    if task in CLASSIFICATION and isinstance(result, dict) and "labels" not in result:
        ranked = sorted(result.items(), key=lambda item: float(item[1]), reverse=True)
        return [{"label": str(label), "score": float(score)} for label, score in ranked]
    if task in TEXT_KEYS and isinstance(result, str):
        return {TEXT_KEYS[task]: result}
    if task == "question-answering" and isinstance(result, str):
        return {"answer": result, "score": 1.0}
    return jsonable(result)


class FunctionUpstream(Upstream):
    kind = "function"

    def __init__(self, function: Callable[..., Any], target: str, task: str) -> None:
        self.function = function
        self.target = target
        self.model_id = target
        self.task = task
        self.handler = get_task(task)
        try:
            signature = inspect.signature(function)
            self._takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
            self._keywords = set(signature.parameters)
        except (TypeError, ValueError):  # builtins without a signature
            self._takes_kwargs, self._keywords = False, set()

    def url_for(self, route: str) -> str:
        return f"python:{self.target}"

    async def send(self, request: WireRequest) -> WireResponse:
        task_input = self.handler.read_request(request)
        parameters = dict(task_input.parameters)
        args = _arguments(self.task, task_input.inputs, parameters)
        if self.task == "zero-shot-classification":
            parameters.pop("candidate_labels", None)
        kwargs = {k: v for k, v in parameters.items() if self._takes_kwargs or k in self._keywords}
        try:
            if inspect.iscoroutinefunction(self.function):
                result = await self.function(*args, **kwargs)
            else:
                result = await asyncio.to_thread(self.function, *args, **kwargs)
        except HubdemoError:
            raise
        except Exception as exc:
            log.warning("%s raised", self.target, exc_info=True)
            raise LocalModelError(
                f"{self.target} raised {type(exc).__name__}: {str(exc)[:300]}"
            ) from None
        try:
            body = json.dumps(to_wire(self.task, result)).encode()
            response = WireResponse(200, "application/json", body)
            self.handler.deserialize(response)
        except (HubdemoError, TypeError, ValueError):
            raise LocalModelError(
                f"{self.target} returned {repr(result)[:120]}, which is not a {self.task} "
                f"result: return {_expected(self.task)}"
            ) from None
        return response


def _expected(task: str) -> str:
    if task in CLASSIFICATION:
        return "a {label: confidence} dict or a list of {'label', 'score'} dicts"
    if task in TEXT_KEYS:
        return "a string"
    return f"the list form of the Hub's {get_task(task).spec} output schema (GET /openapi.json)"
