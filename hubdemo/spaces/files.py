"""The files of a Space call: a request's data URLs written out for gradio_client to upload,
and the files in an answer fetched from the Space (its own host only, within the time and
bytes left) into data URLs carrying their names, as hubdemo shows every file."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..errors import UpstreamBadResponse, UpstreamTimeout, UpstreamUnreachable
from ..media import data_url_bytes, file_name, file_type, file_url
from ..net import same_origin


@dataclass
class Budget:
    """What fetching one answer's files may still take: time (a time.monotonic() deadline) and
    bytes, all files together."""

    deadline: float
    room: int


class AnswerFiles:
    """Fetches the files of a Space's answers: ``name`` and ``url`` are the Space's,
    ``timeout`` and ``max_bytes`` the bounds of one answer."""

    def __init__(self, name: str, url: str, timeout: float, max_bytes: int) -> None:
        self.name = name
        self.url = url
        self.timeout = timeout
        self.max_answer_bytes = max_bytes

    def to_urls(self, value: Any, budget: Budget, client: Any) -> Any:
        """Each file in the answer ({path, url, mime_type, orig_name, …}, also inside a
        Gallery's, an AnnotatedImage's or a Chatbot's value) as a data URL carrying its name."""
        if isinstance(value, dict) and "path" in value and "url" in value:
            url = value.get("url")
            if not isinstance(url, str):
                raise UpstreamBadResponse(f"the Space {self.name} sent a file without URL")
            if not same_origin(url, self.url):  # never the token (or a GET) elsewhere
                raise UpstreamBadResponse(
                    f"the Space {self.name} answered a file at "
                    f"{httpx.URL(url).host or url[:80]}: hubdemo fetches a Space's files from "
                    "the Space's own host only"
                )
            name = value.get("orig_name")
            return data_url(self.fetch(url, budget, client), value.get("mime_type"), name)
        if isinstance(value, dict):
            return {key: self.to_urls(v, budget, client) for key, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.to_urls(v, budget, client) for v in value]
        return value

    def fetch(self, url: str, budget: Budget, client: Any) -> bytes:
        """A file of the answer, within what ``budget`` has left (a file that trickles in is
        cut off at the deadline, not read for ever in a thread nobody waits for)."""
        wait = max(0.1, budget.deadline - time.monotonic())
        try:
            with httpx.stream(
                "GET", url, headers=client.headers, cookies=client.cookies, timeout=wait
            ) as response:
                response.raise_for_status()
                data = bytearray()  # appended in place: a large file is not copied per chunk
                for chunk in response.iter_bytes():
                    data += chunk
                    budget.room -= len(chunk)
                    if budget.room < 0:
                        raise UpstreamBadResponse(
                            f"the Space {self.name}'s answer is over "
                            f"{self.max_answer_bytes // 2**20} MB in all; raise --max-answer-mb "
                            "to take it"
                        )
                    if time.monotonic() > budget.deadline:
                        raise self.late()
                return bytes(data)
        except httpx.TimeoutException:
            raise self.late() from None
        except httpx.HTTPError as exc:
            raise UpstreamUnreachable(
                f"cannot fetch the file the Space {self.name} made ({type(exc).__name__})"
            ) from None

    def late(self) -> UpstreamTimeout:
        return UpstreamTimeout(
            f"the Space {self.name} did not answer within {self.timeout:g} s (its "
            "files included); try again, or raise --timeout"
        )


def as_file(value: Any, folder: Path, index: int | str) -> Any:
    """A data URL becomes a file gradio_client uploads (under the name it carries, when it
    carries one: a File input's name reaches the Space); a list of them (a File input taking
    several), a list of files; a multimodal message's pictures, files; anything else goes as
    it is."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, str) and v.startswith("data:") for v in value)
    ):
        return [as_file(v, folder, f"{index}-{i}") for i, v in enumerate(value)]
    if isinstance(value, dict) and isinstance(value.get("files"), list):  # a multimodal message
        return {**value, "files": [as_file(v, folder, f"{index}-{i}") for i, v in
                                   enumerate(value["files"])]}  # fmt: skip
    if not (isinstance(value, str) and value.startswith("data:")):
        return value
    from gradio_client import handle_file

    data, mime = data_url_bytes(value, f"input {index}")
    given = Path(file_name(value) or "").name  # a bare name: never a path out of the folder
    if given in ("", ".", "..") or "\x00" in given or len(given) > 200:
        given = ""
    folder = folder / str(index)
    folder.mkdir()
    path = folder / (given or f"input.{mime.split('/')[-1] or 'bin'}")
    path.write_bytes(data)
    return handle_file(str(path))


def data_url(data: bytes, mime: Any, name: Any = None) -> str:
    """A fetched file as a data URL: its type as the Space gave it, else worked out."""
    named = name if isinstance(name, str) and name else None
    kind = mime if isinstance(mime, str) and "/" in mime else file_type(data, named)
    return file_url(data, kind, named)
