"""``hubdemo endpoint``: a model on this machine served over the hf-inference protocol."""

from __future__ import annotations

import sys
from dataclasses import replace

from ..errors import UsageError
from ..settings import BackendOptions, ServeOptions
from .common import MODEL_ARGUMENT, check_port, fail, open_backend, out, report_loading
from .options import takes
from .terminal import labelled, plain


@takes("endpoint", BackendOptions, ServeOptions)
def endpoint(model: str = MODEL_ARGUMENT, *, backend: BackendOptions, serve: ServeOptions) -> None:
    """Serve a model on this machine over the hf-inference protocol (the router's routes)."""
    from ..endpoint.app import create_endpoint_app
    from ..server.serving import serve_until_stopped
    from ..upstream.local import LocalUpstream

    check_port(serve.host, serve.port)
    # Never a token or another endpoint: this command runs the model itself.
    local = replace(backend, local=True, token=None, endpoint=None)
    spec, upstream = open_backend(model, local)
    if not isinstance(upstream, LocalUpstream):
        fail(UsageError(f"'{model}' is not a model hubdemo can run on this machine"))
    web = create_endpoint_app(spec, upstream, max_upload_mb=serve.max_upload_mb)
    out.print(labelled(spec.model_id, "bold", f" · {spec.task} · hf-inference protocol"))
    out.print(
        plain(f"Endpoint on http://{serve.host}:{serve.port}  (POST / or /models/{spec.model_id})")
    )
    report_loading(upstream, out, wait=False)
    sys.stdout.flush()
    serve_until_stopped(web, serve)
