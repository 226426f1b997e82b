"""hubdemo as an ASGI app for any ASGI server, configured by environment variables:

    HUBDEMO_MODEL=google/vit-base-patch16-224 uvicorn --factory hubdemo.web.asgi:app_from_env

HUBDEMO_MODEL names the model; every other setting is its HUBDEMO_* variable (the table in
docs/configuration.md, made from hubdemo/settings.py), the Hub, token and upstream HF_ENDPOINT,
HF_TOKEN, HUBDEMO_ROUTER and HUBDEMO_ENDPOINT as everywhere. `hubdemo serve --workers N` runs N
processes of this factory.
"""

from __future__ import annotations

import os
from dataclasses import replace

from starlette.applications import Starlette

from ..errors import UsageError
from ..hub import find_token
from ..predictor import open_model
from ..settings import BackendOptions, ServeOptions
from .app import create_app


def app_from_env() -> Starlette:
    model = os.environ.get("HUBDEMO_MODEL")
    if not model:
        raise UsageError(
            "set HUBDEMO_MODEL to the model to serve, e.g. google/vit-base-patch16-224"
        )
    backend = BackendOptions.from_env()
    spec, upstream = open_model(model, replace(backend, token=find_token(backend.token)))
    return create_app(spec, upstream, ServeOptions.from_env())
