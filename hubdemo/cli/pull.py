"""``hubdemo pull``: fetch what ``--local`` needs of a model, and nothing else, ahead of time."""

from __future__ import annotations

import typer

from ..settings import BackendOptions
from .common import MODEL_ARGUMENT, err, fail, out
from .options import takes
from .terminal import labelled, plain


@takes("pull", BackendOptions)
def pull(
    model: str = MODEL_ARGUMENT,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would be fetched and why; fetch nothing."
    ),
    *,
    backend: BackendOptions,
) -> None:
    """Download what MODEL (org/name or org/name@revision) needs to run with --local: one
    weight format, its configs and tokenizer, into the Hugging Face cache."""
    from ..cache import hub_offline
    from ..download.fetch import Fetch, plan
    from ..errors import HubdemoError, UsageError
    from ..hub import find_token
    from ..resolve import parse_model_string
    from .downloads import DownloadDisplay, choice_lines

    try:
        ref = parse_model_string(model)
        if ref.kind != "hub":
            raise UsageError(f"'{model}' is not a Hub model id: pull takes org/name[@revision]")
        if hub_offline():
            raise UsageError("HF_HUB_OFFLINE is set: unset it to download")
        token = find_token(backend.token)
        found = plan(ref.value, ref.revision, token=token, max_bytes=backend.max_download_gb * 1e9)
    except HubdemoError as exc:
        fail(exc)
    for line in choice_lines(found):  # to stderr: stdout is the folder, for scripts
        err.print(plain(line))
    if dry_run or not found.missing:
        out.print(plain(str(found.snapshot)))
        return
    fetch = Fetch(found, token=token)
    display = DownloadDisplay(fetch.progress, err).start()
    try:
        folder = fetch.run()
    except HubdemoError as exc:
        display.stop()
        fail(exc)
    display.stop()
    seconds = fetch.progress.as_dict()["seconds"]
    err.print(labelled("✓ ", "green", f"downloaded in {seconds:.1f} s"))
    out.print(plain(str(folder)))
