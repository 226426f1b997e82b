"""The parts of a scaled-out deployment, started by tests on loopback: a redis-server of the
test's own, and nginx balancing round-robin (no sticky sessions) over hubdemo replicas."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from .servers import answers, free_port, wait_until


class Redis:
    """A redis-server of the test's own on a loopback port."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is missing: `make test` installs it (make servers)")
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="hubdemo-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.folder],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: self.cli("PING").strip() == "PONG", "redis-server")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def cli(self, *args: str) -> str:
        found = subprocess.run(["redis-cli", "-p", str(self.port), *args],
                               capture_output=True, text=True, timeout=10)  # fmt: skip
        return found.stdout

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class Nginx:
    """nginx (Debian's) in front of ``backends`` (host:port), round-robin, as deployed in
    compose.yaml: HTTP/1.1 kept alive upstream, no buffering (event streams flow), long reads."""

    def __init__(self, backends: list[str]) -> None:
        if shutil.which("nginx") is None:
            pytest.fail("nginx is missing: `make test` installs it (make servers)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="hubdemo-nginx-"))
        servers = "".join(f"    server {b};\n" for b in backends)
        (self.folder / "nginx.conf").write_text(CONF.format(
            folder=self.folder, servers=servers, port=self.port))  # fmt: skip
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"),
             "-e", str(self.folder / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: answers(f"{self.url}/healthz"), "nginx",
                   lambda: self.process.poll() is None)  # fmt: skip

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream hubdemo {{
{servers}    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 100m;
    location / {{
      proxy_pass http://hubdemo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }}
  }}
}}
"""
