"""Serving the app: gunicorn with a few worker processes, on loopback by default, and (unless
jobs run elsewhere) a local job worker that lives and dies with gunicorn's master.

Gunicorn names itself in no `Server` header, and believes no `X-Forwarded-*` header from anyone,
not even from 127.0.0.1: TRANSLATOR_PROXY_HOPS is the one setting for a reverse proxy, handled by
the app (Werkzeug's ProxyFix)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi as gunicorn_wsgi

from translator import create_app

PR_SET_PDEATHSIG = 1


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any], config: dict[str, Any]) -> None:
        self.options = options
        self.app_config = config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.app_config)


def serve(
    host: str,
    port: int,
    workers: int,
    config: dict[str, Any],
    job_worker: list[str] | None = None,
) -> None:
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": "-",
        "access_log_format": '"%(r)s" %(s)s %(b)s %(L)ss',
        # gunicorn believes X-Forwarded-Proto (and its kin) from loopback by default, so that a
        # local client could pass for HTTPS: no address is trusted (PROXY_HOPS decides, in the app)
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
    }  # no client addresses logged
    _without_server_header()
    if job_worker:
        started: list[subprocess.Popen[bytes]] = []
        options["when_ready"] = lambda _arbiter: started.append(_start(job_worker, config))
        options["on_exit"] = lambda _arbiter: _stop(started)
    _Server(options, config).run()


def _without_server_header() -> None:
    """Gunicorn writes `Server: gunicorn` into every response, with no setting to stop it: its
    responses' first lines are written without that one (the workers, forked from this process,
    inherit it). Telling the software and its version only helps an attacker."""
    response = gunicorn_wsgi.Response
    if getattr(response.default_headers, "_without_server", False):
        return
    written = response.default_headers

    def default_headers(self: Any) -> list[str]:
        return [line for line in written(self) if not line.lower().startswith("server:")]

    default_headers._without_server = True  # type: ignore[attr-defined]
    response.default_headers = default_headers


def _start(command: list[str], config: dict[str, Any]) -> subprocess.Popen[bytes]:
    environ = {**os.environ, "TRANSLATOR_INSTANCE_PATH": str(config["INSTANCE_PATH"])}
    if config.get("BROKER_URL"):
        environ["TRANSLATOR_BROKER_URL"] = str(config["BROKER_URL"])
    return subprocess.Popen(command, env=environ, preexec_fn=_below_the_web)


def _below_the_web() -> None:
    """In the job worker's process: die with gunicorn's master, and yield the CPU to the web
    processes, so a PDF being made never slows a page (measured by `make bench --suite scale`)."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    os.nice(10)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
