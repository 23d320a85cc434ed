"""Serving the app: gunicorn with a few worker processes, on loopback by default, and (unless
jobs run elsewhere) a local job worker that lives and dies with gunicorn's master."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from typing import Any

from gunicorn.app.base import BaseApplication

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
    }  # no client addresses logged
    if job_worker:
        started: list[subprocess.Popen[bytes]] = []
        options["when_ready"] = lambda _arbiter: started.append(_start(job_worker, config))
        options["on_exit"] = lambda _arbiter: _stop(started)
    _Server(options, config).run()


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
