"""Download a Hub model's chosen files into the Hugging Face cache, with huggingface_hub.

``plan`` asks the Hub for the repository's files at a revision (two requests), chooses what
the local backend needs (choose.py) and refuses, in one line, what cannot go well: too large
for --max-download-gb, too large for the free disk, gated without access, no loadable
weights. ``download`` then fetches the files not yet cached with ``hf_hub_download`` (its
locks let two processes share one copy; a file cut midway is resumed with a range request,
and the files finished before an interruption are kept for the next start), small files
first, the weights last, and records the revision's commit in ``refs/`` as
``snapshot_download`` does.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..cache import hub_cache_dir
from ..errors import (
    DownloadRefused,
    GatedModel,
    HubdemoError,
    HubError,
    HubUnreachable,
    ModelNotFound,
)
from ..hub import TOKEN_HELP, hub_endpoint
from .choose import Choice, RepoFile, choose_files
from .progress import DownloadProgress, bar_class

DEFAULT_REVISION = "main"
# Room left on the disk after a download: a full disk breaks more than the download.
DISK_MARGIN = 512 * 2**20


def human(size: float) -> str:
    """Bytes in the unit people read them in: 346 MB, 1.2 GB, 812 KB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{int(size)} B"


@dataclass(frozen=True)
class Plan:
    """What a download of ``model_id`` at ``revision`` fetches, before it starts."""

    model_id: str
    revision: str  # as asked: a branch, a tag or a commit
    commit: str
    choice: Choice
    missing: tuple[RepoFile, ...]  # the chosen files not yet in the cache
    repo_size: int  # every file of the revision: what `hf download` would fetch
    cache: Path

    @property
    def needed(self) -> int:
        return sum(f.size for f in self.missing)

    @property
    def storage(self) -> Path:
        return self.cache / ("models--" + self.model_id.replace("/", "--"))

    @property
    def snapshot(self) -> Path:
        return self.storage / "snapshots" / self.commit


def plan(
    model_id: str,
    revision: str | None = None,
    *,
    token: str | None = None,
    max_bytes: float = 20e9,
) -> Plan:
    """The files to fetch, from HF_ENDPOINT into HF_HUB_CACHE (as ``download`` fetches them);
    raises DownloadRefused, GatedModel, ModelNotFound, HubUnreachable."""
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile as HubFile

    endpoint = hub_endpoint()
    api = HfApi(endpoint=endpoint, token=token or False)
    asked = revision or DEFAULT_REVISION
    with _hub_errors(model_id, asked, endpoint):
        commit = api.repo_info(model_id, revision=asked).sha
        assert commit is not None
        listed = api.list_repo_tree(model_id, revision=commit, recursive=True)
        files = [RepoFile(f.path, int(f.size)) for f in listed if isinstance(f, HubFile)]
    choice = choose_files(model_id, files)
    cache = hub_cache_dir()
    found = Plan(model_id, asked, commit, choice, (), sum(f.size for f in files), cache)
    missing = tuple(f for f in choice.files if not (found.snapshot / f.path).is_file())
    found = Plan(model_id, asked, commit, choice, missing, found.repo_size, cache)
    _guard_size(found, max_bytes)
    _guard_disk(found)
    return found


def _guard_size(found: Plan, max_bytes: float) -> None:
    if found.choice.size > max_bytes:
        raise DownloadRefused(
            f"'{found.model_id}' needs {human(found.choice.size)} of {found.choice.weights} "
            f"weights and files, over the {human(max_bytes)} limit: raise --max-download-gb "
            "(HUBDEMO_MAX_DOWNLOAD_GB), or use the router (drop --local)"
        )


def _guard_disk(found: Plan) -> None:
    where = found.cache
    while not where.exists() and where != where.parent:
        where = where.parent
    free = shutil.disk_usage(where).free
    if found.needed and found.needed + DISK_MARGIN > free:
        raise DownloadRefused(
            f"'{found.model_id}' needs {human(found.needed)} and {where} has "
            f"{human(free)} free (keeping {human(DISK_MARGIN)} spare): free some space, or "
            "point HF_HUB_CACHE at a larger disk"
        )


def download(
    found: Plan, progress: DownloadProgress, *, token: str | None = None, workers: int = 4
) -> Path:
    """Fetch ``found.missing`` into the cache; the snapshot folder once every file is there."""
    from huggingface_hub import hf_hub_download

    endpoint = hub_endpoint()
    bar = bar_class(progress)
    ordered = sorted(found.missing, key=lambda f: f.size)  # the weights last

    def fetch(entry: RepoFile) -> RepoFile:
        hf_hub_download(
            found.model_id,
            entry.path,
            revision=found.commit,
            cache_dir=found.cache,
            endpoint=endpoint,
            token=token or False,
            tqdm_class=bar,
        )
        return entry

    with (
        _hub_errors(found.model_id, found.revision, endpoint),
        ThreadPoolExecutor(workers, thread_name_prefix="hubdemo-download") as pool,
    ):
        for future in as_completed([pool.submit(fetch, f) for f in ordered]):
            entry = future.result()
            progress.file_done(entry.path, entry.size)
    _record_ref(found)
    progress.finish()
    return found.snapshot


def _record_ref(found: Plan) -> None:
    """``refs/<revision>`` names the commit, as huggingface_hub's snapshot_download leaves it:
    the next start (and transformers offline) finds the snapshot by its branch or tag."""
    if found.revision == found.commit:
        return
    ref = found.storage / "refs" / found.revision
    ref.parent.mkdir(parents=True, exist_ok=True)
    partial = ref.with_name(f"{ref.name}.{os.getpid()}.tmp")
    partial.write_text(found.commit, encoding="utf-8")
    os.replace(partial, ref)


@contextmanager
def _hub_errors(model_id: str, revision: str, endpoint: str) -> Iterator[None]:
    """huggingface_hub's exceptions as hubdemo's, each saying what to do."""
    try:
        yield
    except HubdemoError:
        raise
    except Exception as exc:
        error = _translated(exc, model_id, revision, endpoint)
        if error is None:
            raise
        raise error from None


def _translated(
    exc: BaseException, model_id: str, revision: str, endpoint: str
) -> HubdemoError | None:
    import httpx2
    from huggingface_hub import errors

    page = f"{endpoint}/{model_id}"
    if isinstance(exc, errors.GatedRepoError):
        return GatedModel(
            f"'{model_id}' is gated: accept its licence at {page} (signed in), then "
            f"{TOKEN_HELP} with a token of that account"
        )
    if isinstance(exc, errors.RevisionNotFoundError):
        return ModelNotFound(
            f"'{model_id}' has no revision '{revision}': name a branch, tag or commit of "
            f"{page}/tree/main"
        )
    if isinstance(exc, errors.RepositoryNotFoundError):
        return ModelNotFound(
            f"'{model_id}' is not on the Hub at {endpoint}, or is private: check the name, "
            f"or {TOKEN_HELP}"
        )
    if isinstance(exc, (httpx2.TransportError, errors.LocalEntryNotFoundError)):
        return HubUnreachable(
            f"the download of '{model_id}' from {endpoint} failed ({type(exc).__name__}): check "
            "your connection and run the command again; the files already fetched are kept"
        )
    if isinstance(exc, errors.HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else "?"
        return HubError(
            f"the Hub answered {status} to the download of '{model_id}': try again later"
        )
    if isinstance(exc, OSError):
        return HubUnreachable(
            f"the download of '{model_id}' did not complete ({exc}): run the command again; "
            "the files already fetched are kept"
        )
    return None


class Fetch:
    """One planned download and its progress: run once, in the local backend's thread."""

    def __init__(self, found: Plan, *, token: str | None = None) -> None:
        self.plan = found
        self.token = token
        cached = found.choice.size - found.needed
        self.progress = DownloadProgress(found.model_id, found.needed, len(found.missing), cached)

    def run(self) -> Path:
        return download(self.plan, self.progress, token=self.token)
