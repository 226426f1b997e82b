"""hubdemo as an ASGI app for any ASGI server, configured by environment variables:

    HUBDEMO_MODEL=google/vit-base-patch16-224 uvicorn --factory hubdemo.asgi:app_from_env

HUBDEMO_MODEL (required) and, as the serve flags of the same names: HUBDEMO_TASK, HUBDEMO_LOCAL
(1 to run the model in process), HUBDEMO_MAX_UPLOAD_MB, HUBDEMO_CONCURRENCY, HUBDEMO_MAX_QUEUE,
HUBDEMO_QUEUE_TIMEOUT, HUBDEMO_BODY_TIMEOUT, HUBDEMO_BODY_MEMORY_MB, HUBDEMO_RETRY_BUDGET,
HUBDEMO_TIMEOUT, HUBDEMO_AUTH, HUBDEMO_CORS (comma-separated origins), HUBDEMO_API_NAME,
HUBDEMO_GRADIO_API (0 turns Gradio's client protocol off); the Hub, token and
upstream come from HF_ENDPOINT, HF_TOKEN, HUBDEMO_ROUTER and HUBDEMO_ENDPOINT as
everywhere. `hubdemo serve --workers N` runs N processes of this factory.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from .app import create_app
from .errors import UsageError
from .hub import find_token
from .predictor import open_model


def _number(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        return float(value) if value else default
    except ValueError:
        raise UsageError(f"{name}={value!r} is not a number") from None


def app_from_env() -> Starlette:
    model = os.environ.get("HUBDEMO_MODEL")
    if not model:
        raise UsageError(
            "set HUBDEMO_MODEL to the model to serve, e.g. google/vit-base-patch16-224"
        )
    timeout = os.environ.get("HUBDEMO_TIMEOUT")
    spec, upstream = open_model(
        model,
        task=os.environ.get("HUBDEMO_TASK") or None,
        token=find_token(None),
        local=os.environ.get("HUBDEMO_LOCAL", "") in ("1", "true", "yes"),
        retry_budget=_number("HUBDEMO_RETRY_BUDGET", 10.0),
        timeout=float(timeout) if timeout else None,
        provider=os.environ.get("HUBDEMO_PROVIDER") or None,
        api_name=os.environ.get("HUBDEMO_API_NAME") or None,
    )
    cors = [o.strip() for o in os.environ.get("HUBDEMO_CORS", "").split(",") if o.strip()]
    return create_app(
        spec,
        upstream,
        max_upload_mb=int(_number("HUBDEMO_MAX_UPLOAD_MB", 20)),
        concurrency=int(_number("HUBDEMO_CONCURRENCY", 32)),
        max_queue=int(_number("HUBDEMO_MAX_QUEUE", 256)),
        queue_timeout=_number("HUBDEMO_QUEUE_TIMEOUT", 30.0),
        body_timeout=_number("HUBDEMO_BODY_TIMEOUT", 120.0),
        body_memory_mb=int(_number("HUBDEMO_BODY_MEMORY_MB", 160)),
        auth=os.environ.get("HUBDEMO_AUTH") or None,
        cors=cors or None,
        gradio_api=os.environ.get("HUBDEMO_GRADIO_API", "1") not in ("0", "false", "no"),
    )
