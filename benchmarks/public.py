"""The desk's public face under a shared link's load (issue #30): each public GET (the front page,
a published edition as HTML and PDF, the badges) against /healthz of the same server in the same
run, 16 clients, on gunicorn as `translator serve` runs it, then the same through nginx with
deploy/nginx.conf in front. Goal: every public GET at least half of /healthz's requests per
second, p99 under 50 ms. The load comes from wrk (Debian's `wrk`: 2 threads, 16 connections, 8 s
each) when it is installed, else from Python clients (benchmarks/server.py), which cost the
machine more than the desk does and so measure less."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from benchmarks import proxy
from benchmarks.server import Desk, Load, load, request, served

CLIENTS = 16
SECONDS = 8
PUBLIC = {
    "front page": "/",
    "published edition, HTML": "/documents/palm-card/fa/edition.html",
    "published edition, PDF": "/documents/palm-card/fa/edition.pdf",
    "language badge": "/badges/fa.svg",
    "document badge": "/badges/palm-card/fa.svg",
}


def bench() -> list[dict[str, object]]:
    with served() as desk:
        _publish(desk, "palm-card", "fa")
        for path in PUBLIC.values():
            _ready(desk.port, path)
        rows = _measured(desk.port, "gunicorn")
        if proxy.available():
            with proxy.nginx(desk.port) as port:
                rows += _measured(port, "nginx in front")
        return rows


@dataclass(frozen=True)
class Measured:
    rps: float
    p99_ms: float
    errors: int


def _measured(port: int, where: str) -> list[dict[str, object]]:
    healthz = _load(port, "/healthz")
    rows = []
    for name, path in PUBLIC.items():
        result = _load(port, path)
        rows.append(
            {
                "bench": f"public GET {name}, {where}",
                "size": CLIENTS,
                "ours_s": result.rps,
                "reference": "/healthz",
                "reference_s": healthz.rps,
                "ratio": result.rps / healthz.rps,
                "note": f"{result.rps:.0f} req/s against /healthz's {healthz.rps:.0f} "
                f"(goal: at least 0.5 of it); p99 {result.p99_ms:.1f} ms (goal: under 50; "
                f"/healthz {healthz.p99_ms:.1f}); {result.errors} errors; "
                f"{'wrk' if shutil.which('wrk') else 'Python clients'}; the ours/reference "
                "columns are requests per second",
            }
        )
    return rows


def _load(port: int, path: str) -> Measured:
    wrk = shutil.which("wrk")
    if wrk is None:
        result = load(port, lambda n: ("GET", path, {}, None), seconds=SECONDS, clients=CLIENTS)
        p99 = Load.percentile(result.latencies, 0.99) * 1000
        return Measured(result.rps, p99, result.errors)
    said = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{CLIENTS}",
            f"-d{SECONDS}s",
            "--latency",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", said).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", said, re.M).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", said)
    return Measured(rps, p99, int(errors.group(1)) if errors else 0)


def _publish(desk: Desk, slug: str, language: str) -> None:
    """Approve every unit of an edition and publish it, as a reviewer and an editor would."""
    from translator import db
    from translator.models import Role, State, User
    from translator.services import accounts, documents, editing, policy, publications

    factory = db.session_factory(db.make_engine(desk.env["TRANSLATOR_DATABASE_URL"]))
    with db.transaction(factory) as s:
        accounts.create_user(s, "bench-editor", Role.EDITOR)
        editor = s.scalars(select(User).where(User.username == "bench-editor")).one()
        actor = policy.Actor(editor, second_factor=True)
        document = documents.by_slug(s, slug)
        for unit, translation in editing.rows(s, document.id, language):
            if translation.state != State.APPROVED:
                editing.save(
                    s,
                    actor,
                    unit.id,
                    language,
                    translation.text,
                    version=translation.version,
                    state=State.APPROVED,
                )
        publications.publish_edition(
            s, actor, document, language, Path(desk.env["TRANSLATOR_ROOT"])
        )


def _ready(port: int, path: str) -> None:
    """Ask until the file is built (a PDF is built by a job first)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, _, _ = request(port, "GET", path, {})
        if status == 200:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{path} was never served")
