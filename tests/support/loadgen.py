"""A minimal HTTP/1.1 keep-alive client for load tests and benchmarks.

The load generator shares the machine's two cores with the server it measures, so it must cost
little CPU per request (httpx costs about a millisecond); it speaks just enough HTTP/1.1 for
hubdemo's JSON answers (Content-Length bodies, keep-alive).
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from dataclasses import dataclass
from typing import Any


def interrupt(process: subprocess.Popen[Any], seconds: float = 15) -> None:
    """Stop a server as a person would (Ctrl-C), killing it only if it will not stop."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def post(self, path: str, payload: object) -> Answer:
        return await self.send(path, json.dumps(payload).encode(), "application/json")

    async def send(self, path: str, body: bytes, content_type: str) -> Answer:
        return await self.request("POST", path, body, content_type)

    async def get(self, path: str) -> Answer:
        return await self.request("GET", path)

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str | None = None
    ) -> Answer:
        """One exchange; the answer's body by Content-Length, or chunked (a server-sent
        event stream that the server ends)."""
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if content_type is not None:
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return Answer(status, headers, await self._chunks())
        answer = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return Answer(status, headers, answer)

    async def _chunks(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(part[:-2] for part in parts)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()
