"""Serving the app: gunicorn with a few worker processes, on loopback by default."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from translator import create_app


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


def serve(host: str, port: int, workers: int, config: dict[str, Any]) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": "-",
        "access_log_format": '"%(r)s" %(s)s %(b)s %(L)ss',
    }  # no client addresses logged
    _Server(options, config).run()
