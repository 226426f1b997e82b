"""The Hub's file routes, as huggingface_hub's downloads use them, for repositories built here.

Served by the emulator (support/emulator.py) for the repositories a test adds:

  GET  /api/models/{id}/revision/{rev}   the model info at a revision: ``sha``, ``siblings``
  GET  /api/models/{id}/tree/{rev}        the tree API (``?recursive=true``): path, size, oid,
                                          ``lfs`` for large files
  HEAD /{id}/resolve/{rev}/{file}         ETag, X-Repo-Commit, Content-Length; an LFS file
  GET                                     answers 302 to /cdn/{sha256} with X-Linked-Etag and
                                          X-Linked-Size, as the real Hub sends it to its CDN
  GET  /cdn/{sha256}                      the content, with range requests (206)

The headers and error codes (X-Error-Code: RepoNotFound, GatedRepo, RevisionNotFound,
EntryNotFound) are those huggingface_hub reads (its utils/_http.py and file_download.py).
Faults: ``cut_after`` (the connection dropped once after N bytes of a file), ``drip`` (bytes
per second), ``gated`` (a token the repository accepts). Every body byte sent is counted.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

# What the Hub stores in LFS: the weights, whatever their format.
LFS = re.compile(r"\.(safetensors|bin|h5|msgpack|onnx|ot|gguf|pth|ckpt|tflite)$")
CHUNK = 16 * 1024


@dataclass
class HubRepo:
    repo_id: str
    files: dict[str, bytes]
    commit: str = ""
    branches: dict[str, str] = field(default_factory=dict)
    tokens: set[str] | None = None  # gated: only these tokens may download

    def __post_init__(self) -> None:
        if not self.commit:
            digest = hashlib.sha1(self.repo_id.encode())
            for path in sorted(self.files):
                digest.update(path.encode() + hashlib.sha1(self.files[path]).digest())
            self.commit = digest.hexdigest()
        self.branches.setdefault("main", self.commit)

    def sizes(self) -> dict[str, int]:
        return {path: len(data) for path, data in self.files.items()}


def from_folder(repo_id: str, folder: Path, extra: dict[str, int] | None = None) -> HubRepo:
    """A repository of ``folder``'s files, plus ``extra`` files (path -> size) of seeded
    bytes: the other formats a real repository holds beside the one a pipeline loads."""
    files = {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
    for path, size in (extra or {}).items():
        seed = hashlib.sha256(path.encode()).digest()
        files[path] = (seed * (size // len(seed) + 1))[:size]
    return HubRepo(repo_id, files)


def _blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _not_found(code: str, message: str, status: int = 404, commit: str = "") -> Response:
    headers = {"X-Error-Code": code, "X-Error-Message": message}
    if commit:
        headers["X-Repo-Commit"] = commit
    return JSONResponse({"error": message}, status, headers=headers)


@dataclass
class Served:
    path: str
    start: int
    sent: int


class HubFiles:
    """The file routes of the repositories in ``repos``; mounted by the emulator."""

    def __init__(self) -> None:
        self.repos: dict[str, HubRepo] = {}
        self.served: list[Served] = []
        self.cut_after: dict[str, int] = {}  # path -> bytes sent before the connection drops
        self.drip: float = 0.0  # bytes per second; 0: as fast as the loopback goes
        self.base = ""  # the emulator's URL, for the CDN redirects

    def add(self, repo: HubRepo) -> HubRepo:
        self.repos[repo.repo_id] = repo
        return repo

    def bytes_served(self, repo_id: str | None = None) -> int:
        return sum(s.sent for s in self.served if repo_id is None or s.path.startswith(repo_id))

    def routes(self) -> list[Route]:
        return [
            Route("/api/models/{repo:path}/revision/{rev}", self.revision_info),
            Route("/api/models/{repo:path}/tree/{rev}", self.tree),
            Route("/cdn/{repo:path}/{oid}", self.cdn, methods=["GET", "HEAD"]),
        ]

    def owns(self, path: str) -> bool:
        """Whether ``path`` (no leading slash) is a resolve URL of a repository here."""
        repo, _, rest = path.partition("/resolve/")
        return bool(rest) and repo in self.repos

    def _repo(self, request: Request, repo_id: str) -> HubRepo | Response:
        repo = self.repos.get(repo_id)
        if repo is None:
            return _not_found("RepoNotFound", "Repository not found", 401)
        if repo.tokens is not None:
            auth = request.headers.get("authorization", "")
            if not (auth.startswith("Bearer ") and auth[7:] in repo.tokens):
                return _not_found(
                    "GatedRepo",
                    f"Access to model {repo_id} is restricted. You must have access to it and "
                    "be authenticated to access it. Please log in.",
                    401,
                )
        return repo

    def _commit(self, repo: HubRepo, rev: str) -> str | None:
        if rev in repo.branches:
            return repo.branches[rev]
        return rev if rev == repo.commit else None

    async def revision_info(self, request: Request) -> Response:
        repo = self._repo(request, request.path_params["repo"])
        if isinstance(repo, Response):
            return repo
        commit = self._commit(repo, request.path_params["rev"])
        if commit is None:
            return _not_found("RevisionNotFound", f"Invalid rev id: {request.path_params['rev']}")
        siblings = [{"rfilename": path} for path in sorted(repo.files)]
        return JSONResponse({"id": repo.repo_id, "modelId": repo.repo_id, "sha": commit,
                             "private": False, "gated": repo.tokens is not None and "manual",
                             "siblings": siblings, "tags": []})  # fmt: skip

    async def tree(self, request: Request) -> Response:
        repo = self._repo(request, request.path_params["repo"])
        if isinstance(repo, Response):
            return repo
        if self._commit(repo, request.path_params["rev"]) is None:
            return _not_found("RevisionNotFound", f"Invalid rev id: {request.path_params['rev']}")
        entries: list[dict[str, Any]] = []
        folders = sorted({p.rsplit("/", 1)[0] for p in repo.files if "/" in p})
        for folder in folders:
            entries.append({"type": "directory", "oid": _blob_oid(folder.encode()), "size": 0,
                            "path": folder})  # fmt: skip
        for path, data in sorted(repo.files.items()):
            entry: dict[str, Any] = {"type": "file", "oid": _blob_oid(data), "size": len(data),
                                     "path": path}  # fmt: skip
            if LFS.search(path):
                sha = hashlib.sha256(data).hexdigest()
                entry["lfs"] = {"oid": sha, "size": len(data), "pointerSize": 134}
            entries.append(entry)
        return JSONResponse(entries)

    async def resolve(self, request: Request, path: str) -> Response:
        repo_id, _, rest = path.partition("/resolve/")
        repo = self._repo(request, repo_id)
        if isinstance(repo, Response):
            return repo
        rev, _, name = rest.partition("/")
        commit = self._commit(repo, rev)
        if commit is None:
            return _not_found("RevisionNotFound", f"Invalid rev id: {rev}")
        data = repo.files.get(name)
        if data is None:
            return _not_found("EntryNotFound", f"{name} does not exist", commit=commit)
        headers = {"X-Repo-Commit": commit, "Accept-Ranges": "bytes"}
        if LFS.search(name):
            sha = hashlib.sha256(data).hexdigest()
            headers |= {"X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data)),
                        "ETag": f'"{_blob_oid(data)}"',
                        "Location": f"{self.base}/cdn/{repo_id}/{sha}"}  # fmt: skip
            return Response(status_code=302, headers=headers)
        headers["ETag"] = f'"{_blob_oid(data)}"'
        return self._content(request, f"{repo_id}/{name}", data, headers)

    async def cdn(self, request: Request) -> Response:
        repo = self.repos.get(request.path_params["repo"])
        oid = request.path_params["oid"]
        for name, data in repo.files.items() if repo else ():
            if hashlib.sha256(data).hexdigest() == oid:
                path = f"{repo.repo_id}/{name}" if repo else name
                return self._content(request, path, data, {"ETag": f'"{oid}"'})
        return JSONResponse({"error": "no such object"}, 404)

    def _content(
        self, request: Request, path: str, data: bytes, headers: dict[str, str]
    ) -> Response:
        start = 0
        match = re.match(r"bytes=(\d+)-(\d*)$", request.headers.get("range", ""))
        status = 200
        if match:
            start = int(match.group(1))
            end = int(match.group(2)) + 1 if match.group(2) else len(data)
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(data)}"
            data, status = data[start:end], 206
        headers["Content-Length"] = str(len(data))
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers)
        record = Served(path, start, 0)
        self.served.append(record)
        cut = self.cut_after.pop(path.split("/", 2)[-1], None)
        return StreamingResponse(self._stream(data, record, cut), status, headers=headers)

    async def _stream(self, data: bytes, record: Served, cut: int | None) -> AsyncIterator[bytes]:
        # Dripping, small pieces: a bar that moves, not one that jumps once a second.
        size = min(CHUNK, max(512, int(self.drip / 10))) if self.drip else CHUNK
        for offset in range(0, len(data), size):
            piece = data[offset : offset + size]
            if cut is not None and record.sent + len(piece) > cut:
                piece = piece[: cut - record.sent]
                record.sent += len(piece)
                yield piece
                raise ConnectionResetError("hub_repos: the connection is cut, as asked")
            if self.drip:
                await asyncio.sleep(len(piece) / self.drip)
            record.sent += len(piece)
            yield piece


def manifest(repo: HubRepo) -> str:
    """The repository's files and sizes, as JSON (for a failing test's message)."""
    return json.dumps(repo.sizes(), indent=1)


# What a real repository holds beside the weights a pipeline loads (scaled down): the same
# weights for other frameworks, an ONNX export, training leftovers.
OTHER_FORMATS = {
    "pytorch_model.bin": 1.0, "tf_model.h5": 1.0, "flax_model.msgpack": 1.0,
    "rust_model.ot": 1.0, "onnx/model.onnx": 1.0, "onnx/config.json": 0.02,
    "training_args.bin": 0.1,
}  # fmt: skip


def publish(
    emulator: Any,
    repo_id: str,
    folder: Path,
    *,
    others: bool = True,
    extra: dict[str, int] | None = None,
    tokens: set[str] | None = None,
) -> HubRepo:
    """Put a saved model on the emulated Hub as ``repo_id``: its model info (the card's
    pipeline tag) and its files, with copies in other formats beside them (``others``), sized
    as its safetensors weights are."""
    from hubdemo.cache import local_model_info

    weights = (folder / "model.safetensors").stat().st_size
    added = {path: int(weights * scale) for path, scale in OTHER_FORMATS.items()} if others else {}
    repo = from_folder(repo_id, folder, {**added, **(extra or {})})
    repo.tokens = tokens
    info = local_model_info(folder, repo_id)
    info |= {"sha": repo.commit, "gated": "manual" if tokens is not None else False}
    emulator.tapes.infos[repo_id] = info
    return emulator.hub_files.add(repo)
