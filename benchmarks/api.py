"""The API under load: 20 concurrent clients on loopback against the app served by gunicorn
(2 workers), each scenario a ratio of the same server's trivial endpoint (/healthz)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.corpus import REPO

CLIENTS = 20
SECONDS = 5.0


def bench(database_url: str | None = None) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for part in ("source_texts", "locales", "glossary"):
            shutil.copytree(REPO / part, work / "content" / part)
        env = {
            **os.environ,
            "TRANSLATOR_ROOT": str(work / "content"),
            "TRANSLATOR_INSTANCE_PATH": str(work / "instance"),
            "TRANSLATOR_DATABASE_URL": database_url or f"sqlite:///{work / 'desk.db'}",
            "TRANSLATOR_SECRET_KEY": "bench",
        }
        translator = str(Path(sys.executable).with_name("translator"))
        subprocess.run([translator, "init"], env=env, check=True, capture_output=True)
        subprocess.run(
            [translator, "users", "add", "bench", "--role", "reviewer", "--lang", "fa"],
            env=env,
            check=True,
            capture_output=True,
        )
        token = (
            subprocess.run(
                [translator, "token", "create", "bench", "--scope", "read,translate"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        port = _free_port()
        server = subprocess.Popen(
            [translator, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(port)
            return _scenarios(port, token, "PostgreSQL" if database_url else "SQLite")
        finally:
            server.terminate()
            server.wait(timeout=30)


def _scenarios(port: int, token: str, database: str) -> list[dict[str, object]]:
    auth = {"Authorization": f"Bearer {token}"}
    file_url = "/api/v1/documents/emergency-appeal/languages/fa/file?format=po"
    status, body, headers = _request(port, "GET", file_url, auth)
    etag = headers.get("etag", "")
    _, units_body, _ = _request(port, "GET", "/api/v1/documents/faq/languages/fa/units", auth)
    units = json.loads(units_body)[:CLIENTS]
    trivial = _load(port, lambda n: ("GET", "/healthz", {}, None))
    rows = []
    for name, make in (
        ("file download, 200", lambda n: ("GET", file_url, auth, None)),
        ("file download, 304", lambda n: ("GET", file_url, {**auth, "If-None-Match": etag}, None)),
        ("unit save (PUT)", _saver(units, auth)),
    ):
        result = _load(port, make)
        rows.append(
            {
                "bench": f"API {name}, {database}",
                "size": CLIENTS,
                "ours_s": result["rps"],
                "reference": "/healthz",
                "reference_s": trivial["rps"],
                "ratio": result["rps"] / trivial["rps"],
                "note": f"{result['rps']:.0f} req/s against {trivial['rps']:.0f}; p95 "
                f"{result['p95'] * 1000:.1f} ms; {result['errors']} errors; "
                "the ours/reference columns here are requests per second",
            }
        )
    return rows


def _saver(units: list[dict[str, object]], auth: dict[str, str]):  # type: ignore[no-untyped-def]
    versions = {n: int(units[n]["version"]) for n in range(len(units))}  # type: ignore[call-overload]

    def make(n: int) -> tuple[str, str, dict[str, str], bytes]:
        unit = units[n % len(units)]
        text = f"متن آزمایشی {time.perf_counter_ns()}"
        body = json.dumps(
            {"text": text, "version": versions[n % len(units)], "state": "needs-editing"}
        ).encode()
        return (
            "PUT",
            f"/api/v1/units/{unit['id']}/translations/fa",
            {**auth, "Content-Type": "application/json"},
            body,
        )

    def saved(n: int, body: bytes) -> None:
        versions[n % len(units)] = json.loads(body)["version"]

    make.after = saved  # type: ignore[attr-defined]
    return make


def _load(port: int, make) -> dict[str, float]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def client(n: int) -> None:
        mine: list[float] = []
        while time.perf_counter() < stop:
            method, path, headers, body = make(n)
            start = time.perf_counter()
            status, data, _ = _request(port, method, path, headers, body)
            mine.append(time.perf_counter() - start)
            if status >= 400:
                with lock:
                    errors[0] += 1
            elif hasattr(make, "after"):
                make.after(n, data)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p95": latencies[int(len(latencies) * 0.95)],
        "errors": errors[0],
    }


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(port: int) -> None:
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        try:
            if _request(port, "GET", "/healthz", {})[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")
