"""The editors' dashboard at scale: 200 documents x 6 languages x 250 units (300,000 translations),
its server time on SQLite and PostgreSQL, and the statements it sends."""

from __future__ import annotations

import hashlib
import os
import random
import re
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, event, insert, text

from benchmarks import server
from translator import db, languages
from translator.models import (
    Change,
    CheckFailure,
    Document,
    Role,
    State,
    Translation,
    Unit,
    utcnow,
)

SEED = 20221116
STATES = [State.APPROVED] * 6 + [State.TRANSLATED] * 2 + [State.NEEDS_EDITING, State.UNTRANSLATED]


def populate(engine: Engine, documents: int = 200, units: int = 250) -> int:
    """A store of `documents` documents, each with `units` units in every target language,
    states mixed, some failing checks, and a history of changes over 90 days; the translations."""
    rng = random.Random(SEED)
    db.create_schema(engine)
    now = utcnow()
    count = 0
    with engine.begin() as connection:
        connection.execute(
            insert(Document),
            [
                {
                    "id": d + 1,
                    "slug": f"doc-{d:03}",
                    "kind": "alert" if d % 4 == 0 else "appeal",
                    "title": f"Document {d}",
                    "priority": "urgent" if d % 20 == 0 else None,
                    "created_at": now - timedelta(days=rng.randrange(90)),
                    "source_sha256": "",
                }
                for d in range(documents)
            ],
        )
        for d in range(documents):
            first = d * units + 1
            connection.execute(
                insert(Unit),
                [
                    {
                        "id": first + u,
                        "document_id": d + 1,
                        "source": f"Unit {u} of document {d}: free every political prisoner.",
                        "source_sha1": f"{d}-{u}",
                        "type": "paragraph",
                        "position": u,
                        "locations": f"doc-{d:03}.md:{u + 1}",
                        "words": 6 + u % 30,
                        "obsolete": False,
                    }
                    for u in range(units)
                ],
            )
            rows, changes, failures = [], [], []
            for index, code in enumerate(languages.TARGET_LANGUAGES):
                for u in range(units):
                    state = rng.choice(STATES)
                    translation_id = (first + u - 1) * 6 + index + 1
                    rows.append(
                        {
                            "id": translation_id,
                            "unit_id": first + u,
                            "language": code,
                            "text": "" if state == State.UNTRANSLATED else f"{code} {u}",
                            "state": int(state),
                            "version": 1,
                        }
                    )
                    if rng.random() < 0.02:
                        failures.append(
                            {
                                "translation_id": translation_id,
                                "check": "figures",
                                "severity": "error",
                                "message": "figure 1,200 of the English is missing",
                            }
                        )
                    if state != State.UNTRANSLATED and rng.random() < 0.3:
                        changes.append(
                            {
                                "unit_id": first + u,
                                "language": code,
                                "action": "edit",
                                "created_at": now - timedelta(minutes=rng.randrange(90 * 24 * 60)),
                                "new_text": f"{code} {u}",
                                "new_state": int(state),
                            }
                        )
            connection.execute(insert(Translation), rows)
            if failures:
                connection.execute(insert(CheckFailure), failures)
            if changes:
                connection.execute(insert(Change), changes)
            count += len(rows)
    return count


class StatementCounter:
    """Counts the statements an engine executes while active."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.statements = engine, 0

    def _count(self, *_: object) -> None:
        self.statements += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def bench() -> list[dict[str, object]]:
    """The dashboard on SQLite, then on PostgreSQL (a schema of its own in database `test`)."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(_bench_one(f"sqlite:///{folder}/dashboard.db", Path(folder), "SQLite"))
    base = os.environ.get("TRANSLATOR_BENCH_POSTGRES_URL", server.POSTGRES_URL)
    with server.postgres_schema(base) as url, tempfile.TemporaryDirectory() as folder:
        rows.append(_bench_one(url, Path(folder), "PostgreSQL"))
    return rows


def _bench_one(url: str, work: Path, database: str) -> dict[str, object]:
    from translator.services import accounts

    engine = db.make_engine(url)
    populate(engine)
    root = work / "content"
    (root / "source_texts").mkdir(parents=True)
    with engine.begin() as connection:
        for document_id, slug in connection.execute(text("SELECT id, slug FROM documents")):
            data = f"---\nslug: {slug}\nkind: appeal\ntitle: {slug}\n---\n\nText.\n".encode()
            (root / "source_texts" / f"{slug}.md").write_bytes(data)
            connection.execute(
                text("UPDATE documents SET source_sha256 = :sha WHERE id = :id"),
                {"sha": hashlib.sha256(data).hexdigest(), "id": document_id},
            )
    with db.transaction(db.session_factory(engine)) as session:
        password = accounts.create_user(session, "editor", Role.EDITOR)
    if url.startswith("sqlite"):
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return measure(url, root, work / "instance", ("editor", password), database=database)


def measure(
    url: str,
    root: Path,
    instance: Path,
    account: tuple[str, str],
    *,
    database: str,
    documents: int = 200,
) -> dict[str, object]:
    """/dashboard of the store at `url` (its content folder `root`), signed in as the editor
    `account` (username, password), in an app of this process; against its /healthz."""
    from translator import create_app

    app = create_app(
        {
            "DATABASE_URL": url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench",
        }
    )
    client = app.test_client()
    _sign_in(client, *account)
    app_engine = app.extensions["translator.sessions"].kw["bind"]
    cells = documents * len(languages.TARGET_LANGUAGES)
    with app_engine.connect() as connection:
        translations = connection.execute(text("SELECT count(*) FROM translations")).scalar_one()

    def dashboard() -> None:
        response = client.get("/dashboard")
        assert response.status_code == 200 and response.data.count(b'<td class="cell') == cells

    def trivial() -> None:
        client.get("/healthz")

    (cold,) = _times(dashboard, 1)  # the first view of a process: every row and cell made
    with StatementCounter(app_engine) as counter:
        dashboard()
    times = sorted(_times(dashboard, 15))
    edited = sorted(_times_after_a_save(app_engine, dashboard, 9))
    reference = sorted(_times(trivial, 200))
    with app_engine.connect() as connection:
        scan = _times(lambda: connection.exec_driver_sql(SCAN).all(), 5)
    app_engine.dispose()
    median, ref = times[len(times) // 2], reference[len(reference) // 2]
    return {
        "bench": f"dashboard, {database}",
        "size": translations,
        "ours_s": median,
        "reference": "/healthz",
        "reference_s": ref,
        "ratio": median / ref,
        "note": f"median {median * 1000:.0f} ms (max {times[-1] * 1000:.0f}) for {documents} "
        f"documents x 6 languages, {counter.statements} statements (the request, signed in);"
        f" after a translation saved elsewhere {edited[len(edited) // 2] * 1000:.0f} ms median;"
        f" the first view of a process {cold * 1000:.0f} ms; counting every translation instead"
        f" would take {min(scan) * 1000:.0f} ms in SQL alone",
    }


def _sign_in(client, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Through the sign-in form, as a browser does (the form carries a token of its own)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token, page
    form = {"username": username, "password": password, "form_token": token.group(1)}
    assert client.post("/login", data=form).status_code == 302


def _times_after_a_save(engine: Engine, action, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    """The view after another process saved a translation (here: the store changed under
    the app, its triggers run), a different document each time."""
    found = []
    for document in range(repeat):
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE translations SET text = text || '.' WHERE id = "
                    "(SELECT t.id FROM translations t JOIN units u ON u.id = t.unit_id"
                    " WHERE u.document_id = :document AND t.language = 'fa' AND t.text <> ''"
                    " ORDER BY t.id LIMIT 1)"
                ),
                {"document": 1 + document * 20},
            )
        found.extend(_times(action, 1))
    return found


# what the dashboard would cost without the trigger-kept counts: one pass over every translation
SCAN = (
    "SELECT u.document_id, t.language, t.state, count(*), sum(u.words) FROM translations t "
    "JOIN units u ON u.id = t.unit_id WHERE NOT u.obsolete "
    "GROUP BY u.document_id, t.language, t.state"
)


def _times(action, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        found.append(time.perf_counter() - start)
    return found
