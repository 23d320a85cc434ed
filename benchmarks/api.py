"""The API under load: 20 concurrent clients on loopback against the app served by gunicorn
(2 workers), each scenario a ratio of the same server's trivial endpoint (/healthz)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from benchmarks.server import CLIENTS, Desk, Load, Request, Response, load, served


def bench(database_url: str | None = None) -> list[dict[str, object]]:
    with served(database_url) as desk:
        desk.command("users", "add", "bench", "--role", "reviewer", "--lang", "fa")
        created = desk.command("token", "create", "bench", "--scope", "read,translate")
        token = created.strip().splitlines()[-1]
        return _scenarios(desk, token, "PostgreSQL" if database_url else "SQLite")


def _scenarios(desk: Desk, token: str, database: str) -> list[dict[str, object]]:
    auth = {"Authorization": f"Bearer {token}"}
    file_url = "/api/v1/documents/emergency-appeal/languages/fa/file?format=po"
    etag = desk.request("GET", file_url, auth)[2].get("etag", "")
    _, units_body, _ = desk.request("GET", "/api/v1/documents/faq/languages/fa/units", auth)
    units = json.loads(units_body)[:CLIENTS]
    trivial = load(desk.port, lambda n: ("GET", "/healthz", {}, None))
    rows = []
    for name, (make, after) in (
        ("file download, 200", (lambda n: ("GET", file_url, auth, None), None)),
        (
            "file download, 304",
            (lambda n: ("GET", file_url, {**auth, "If-None-Match": etag}, None), None),
        ),
        ("unit save (PUT)", _saver(units, auth)),
    ):
        result = load(desk.port, make, after)
        rows.append(_row(f"API {name}, {database}", result, trivial))
    return rows


def _row(name: str, result: Load, trivial: Load) -> dict[str, object]:
    return {
        "bench": name,
        "size": CLIENTS,
        "ours_s": result.rps,
        "reference": "/healthz",
        "reference_s": trivial.rps,
        "ratio": result.rps / trivial.rps,
        "note": f"{result.rps:.0f} req/s against {trivial.rps:.0f}; p95 "
        f"{Load.percentile(result.latencies, 0.95) * 1000:.1f} ms; {result.errors} errors; "
        "the ours/reference columns here are requests per second",
    }


def _saver(
    units: list[dict[str, object]], auth: dict[str, str]
) -> tuple[Callable[[int], Request], Callable[[int, Response], bool]]:
    """Each client saves its own unit, carrying the version its last save returned."""
    versions = {n: int(str(units[n]["version"])) for n in range(len(units))}

    def make(n: int) -> Request:
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

    def after(n: int, response: Response) -> bool:
        if response[0] >= 400:
            return False
        versions[n % len(units)] = json.loads(response[1])["version"]
        return True

    return make, after
