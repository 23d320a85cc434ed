"""nginx with the deployment's own configuration (deploy/nginx.conf) on loopback, in front of a
desk: what tests/test_public_pages.py and the public benchmark put in front of the desk. Only the
lines the file marks "set:" are changed (the cache's folder, the desk's port, the address, the
static site), so what is tested is what a deployment installs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def available() -> bool:
    return Path(NGINX).is_file()


def configured(upstream: int, listen: int, folder: Path, site: Path) -> str:
    """deploy/nginx.conf with its "set:" lines pointed at this machine's loopback and folders."""
    text = (REPO / "deploy" / "nginx.conf").read_text()
    for marked, value in (
        ("/var/cache/nginx/desk", str(folder / "cache")),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("alias /srv/desk/site/;", f"alias {site}/;"),
    ):
        if marked not in text:
            raise ValueError(f"deploy/nginx.conf no longer holds {marked!r}")
        text = text.replace(marked, value)
    return text


@contextmanager
def nginx(upstream: int, site: Path | None = None) -> Iterator[int]:
    """nginx in front of the desk on `upstream`, in a folder of its own; its port."""
    folder = Path(tempfile.mkdtemp(prefix="desk-nginx-"))
    site = site or folder / "site"
    site.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    (folder / "desk.conf").write_text(configured(upstream, port, folder, site))
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (folder / "nginx.conf").write_text(
        f"worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\ndaemon off;\n"
        "events { worker_connections 512; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        f"  client_body_temp_path {temp['body']};\n  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n  include {folder / 'desk.conf'};\n}}\n"
    )
    for path in (folder, *temp.values(), folder / "cache"):
        path.mkdir(exist_ok=True)
        os.chmod(path, 0o777)  # nginx's workers run as nobody when it is started as root
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"nginx stopped: {error}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start")
