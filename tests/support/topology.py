"""The parts of a scaled-out deployment, started by tests on loopback: a redis-server of the
test's own, and nginx balancing round-robin (no sticky sessions) over hubdemo replicas."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from . import REPO
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
    """nginx (Debian's) in front of ``backends`` (host:port), configured as compose.yaml
    configures it (its server block, with these backends and a loopback port)."""

    def __init__(self, backends: list[str]) -> None:
        if shutil.which("nginx") is None:
            pytest.fail("nginx is missing: `make test` installs it (make servers)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="hubdemo-nginx-"))  # removed by close()
        site = compose_nginx()
        for needed in ("server hubdemo:7860;", "listen 80;"):
            assert needed in site, f"compose.yaml's nginx site lacks {needed!r}"
        site = site.replace("server hubdemo:7860;", " ".join(f"server {b};" for b in backends))
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        (self.folder / "nginx.conf").write_text(MAIN.format(folder=self.folder, site=site))
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


def compose_nginx() -> str:
    """The nginx site compose.yaml gives its nginx."""
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    return str(compose["configs"]["hubdemo_nginx"]["content"])


# What the nginx image has around conf.d/default.conf, with the test's own folders.
MAIN = """
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
{site}
}}
"""
