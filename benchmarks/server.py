"""A desk served by gunicorn (2 workers) on loopback, and 20 concurrent clients to load it: what
the load benchmarks share. Each run is bounded in time and in requests."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.corpus import REPO

CLIENTS = 20
SECONDS = 5.0
MAX_REQUESTS = 20_000  # per run, whatever the speed
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

Request = tuple[str, str, dict[str, str], bytes | None]  # method, path, headers, body
Response = tuple[int, bytes, dict[str, str]]  # status, body, headers (lower-case names)


@dataclass
class Desk:
    """A served desk: its port, and the environment its `translator` commands need."""

    port: int
    env: dict[str, str]
    peaks: dict[int, tuple[str, float]] = field(default_factory=dict)  # filled as it stops

    def command(self, *args: str) -> str:
        """Run `translator ARGS` on this desk's store; its output."""
        translator = str(Path(sys.executable).with_name("translator"))
        done = subprocess.run(
            [translator, *args], env=self.env, check=True, capture_output=True, text=True
        )
        return done.stdout

    def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> Response:
        return request(self.port, method, path, headers, body)


@contextmanager
def served(
    database_url: str | None = None, workers: int = 2, *, root: Path | None = None
) -> Iterator[Desk]:
    """The shipped content loaded into a new store (a temp SQLite file by default), served; or,
    given the `root` of a content folder whose store `database_url` already holds, that store.
    As it stops, `desk.peaks` has the peak RSS of each of its processes."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if root is None:
            for part in ("source_texts", "locales", "glossary"):
                shutil.copytree(REPO / part, work / "content" / part)
        env = {
            **os.environ,
            "TRANSLATOR_ROOT": str(root or work / "content"),
            "TRANSLATOR_INSTANCE_PATH": str(work / "instance"),
            "TRANSLATOR_DATABASE_URL": database_url or f"sqlite:///{work / 'desk.db'}",
            "TRANSLATOR_SECRET_KEY": "bench",
        }
        desk = Desk(_free_port(), env)
        if root is None:
            desk.command("init")
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("translator"))]
            + ["serve", "--port", str(desk.port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(desk.port)
            yield desk
        finally:
            desk.peaks = peak_memory(server.pid)
            server.terminate()
            server.wait(timeout=30)


@contextmanager
def postgres_schema(base_url: str = POSTGRES_URL) -> Iterator[str]:
    """A URL for a fresh schema in the PostgreSQL database of `base_url`, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Load:
    """What a run measured: requests per second, client and server times (seconds), errors."""

    rps: float
    latencies: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)  # from the Server-Timing header
    errors: int = 0

    @staticmethod
    def percentile(values: list[float], share: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def load(
    port: int | list[int],
    make: Callable[[int], Request],
    after: Callable[[int, Response], bool] | None = None,
    seconds: float = SECONDS,
    clients: int = CLIENTS,
) -> Load:
    """`clients` threads sending `make(client)` requests for `seconds` (at most MAX_REQUESTS in
    all), spread over the ports given; `after(client, response)` says whether a response was a
    success (default: < 400)."""
    ports = port if isinstance(port, list) else [port]
    result = Load(rps=0.0)
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    budget = [MAX_REQUESTS]

    def client(n: int) -> None:
        latencies, server, errors = [], [], 0
        while time.perf_counter() < stop and _take(budget, lock):
            method, path, headers, body = make(n)
            start = time.perf_counter()
            response = request(ports[n % len(ports)], method, path, headers, body)
            latencies.append(time.perf_counter() - start)
            server.append(server_time(response[2]))
            ok = after(n, response) if after else response[0] < 400
            errors += not ok
        with lock:
            result.latencies += latencies
            result.server += server
            result.errors += errors

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.rps = len(result.latencies) / (time.perf_counter() - started)
    return result


def _take(budget: list[int], lock: threading.Lock) -> bool:
    with lock:
        budget[0] -= 1
        return budget[0] >= 0


def server_time(headers: dict[str, str]) -> float:
    """The app's own time from `Server-Timing: app;dur=<ms>`, in seconds (0 when absent)."""
    for metric in headers.get("server-timing", "").split(","):
        name, _, duration = metric.strip().partition(";dur=")
        if name == "app":
            return float(duration) / 1000
    return 0.0


def request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        found: dict[str, str] = {}
        for name, value in response.getheaders():  # a repeated one (Set-Cookie): one a line
            key = name.lower()
            found[key] = f"{found[key]}\n{value}" if key in found else value
        return response.status, response.read(), found
    finally:
        connection.close()


def cookie(headers: dict[str, str], name: str) -> str:
    """`name=value` of the cookie `name` that a response sets ('' when it sets none)."""
    for line in headers.get("set-cookie", "").splitlines():
        pair = line.split(";", 1)[0].strip()
        if pair.startswith(f"{name}="):
            return pair
    return ""


def peak_memory(pid: int) -> dict[int, tuple[str, float]]:
    """The process `pid` and its descendants, alive now: pid -> (command name, peak RSS in MiB,
    the kernel's VmHWM). Linux only; empty elsewhere."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: dict[int, tuple[str, float]] = {}
    waiting = [pid]
    while waiting:
        current = waiting.pop()
        try:
            status = dict(
                line.split(":", 1)
                for line in Path(f"/proc/{current}/status").read_text().splitlines()
                if ":" in line
            )
            command = Path(f"/proc/{current}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        name = " ".join(part.decode(errors="replace") for part in command).strip()
        peak = float(status.get("VmHWM", "0 kB").split()[0]) / 1024
        found[current] = (name or status.get("Name", "?").strip(), peak)
        waiting += parents.get(current, [])
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(port: int) -> None:
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        try:
            if request(port, "GET", "/healthz", {})[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")
