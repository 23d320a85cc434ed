"""Faults lose nothing and say so: readiness, the store or the broker away (503 with Retry-After,
nothing half-written, the desk recovering by itself), and queued jobs sent again.

The slow tests start servers of their own on free loopback ports (a PostgreSQL cluster made by
initdb, a redis-server), never touching the machine's; they skip when the binaries are missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.conftest import initialised_database
from translator import cli, create_app, db
from translator import jobs as engine
from translator.models import Job, Role, utcnow
from translator.services import accounts, tokens
from translator.services import jobs as records

PDF = "/api/v1/documents/palm-card/languages/de/edition.pdf?draft=1"
UNITS = "/api/v1/documents/palm-card/languages/de/units"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def desk(url: str, root: Path, tmp_path: Path, **config: Any) -> Any:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "JOBS_EAGER": True,
            **config,
        }
    )


def translator_token(app: Any) -> dict[str, str]:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "jonas", Role.TRANSLATOR, "de")
        key = tokens.create(s, "jonas", ["read", "translate"])
    return {"Authorization": f"Bearer {key}"}


def save(client: Any, auth: dict[str, str], unit: dict[str, Any], text: str) -> Any:
    return client.put(
        f"/api/v1/units/{unit['id']}/translations/de",
        json={"text": text, "version": unit["version"], "state": "translated"},
        headers=auth,
    )


def dispose(app: Any) -> None:
    app.extensions["translator.sessions"].kw["bind"].dispose()


# Readiness


def test_ready_when_the_store_answers_and_jobs_are_embedded(app, client) -> None:
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.data == b"ok\n"


def test_not_ready_names_an_unreachable_broker_quickly(app, client) -> None:
    app.config.update(JOBS_EAGER=False, BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    began = time.monotonic()
    ready = client.get("/readyz")
    assert time.monotonic() - began < 2.5
    assert ready.status_code == 503 and ready.headers["Retry-After"]
    assert ready.json["unreachable"] == ["broker"]


def test_not_ready_names_an_unreachable_store(root, tmp_path) -> None:
    app = desk(f"sqlite:///{tmp_path / 'no-such-folder' / 'x' / 'desk.db'}", root, tmp_path)
    shutil.rmtree(tmp_path / "no-such-folder")  # made by the engine: gone, it cannot be opened
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["unreachable"] == ["store"]
    dispose(app)


# The store away


def test_only_connectivity_lock_and_disk_failures_count_as_the_store_unavailable() -> None:
    refused = OperationalError("SELECT 1", {}, Exception("connection refused"))
    locked = OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
    full = OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
    bug = OperationalError("SELECT", {}, sqlite3.OperationalError("no such column: x"))
    duplicate = IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
    assert db.unavailable(refused) and db.unavailable(locked) and db.unavailable(full)
    assert not db.unavailable(bug) and not db.unavailable(duplicate)


def test_a_locked_sqlite_store_answers_503_and_half_writes_nothing(root, tmp_path, caplog) -> None:
    with initialised_database("sqlite", root, tmp_path) as url:
        app = desk(url + "?timeout=0.3", root, tmp_path)
        client, auth = app.test_client(), translator_token(app)
        unit = client.get(UNITS, headers=auth).json[1]
        with closing(sqlite3.connect(url.split("///", 1)[1], isolation_level=None)) as other:
            other.execute("BEGIN EXCLUSIVE")
            refused = save(client, auth, unit, "Gesperrt gespeichert.")
            other.execute("ROLLBACK")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
        assert refused.json["error"] == "service-unavailable"
        said = [r for r in caplog.records if r.name == "translator.web.errors"]
        assert len(said) == 1 and said[0].exc_info is None  # one line, no traceback
        assert "database is locked" in said[0].getMessage()
        assert client.get(UNITS, headers=auth).json[1] == unit  # nothing half-written
        assert save(client, auth, unit, "Danach gespeichert.").status_code == 200
        dispose(app)


@contextmanager
def small_disk(folder: Path, size: int) -> Iterator[Path]:
    """A file system of `size` bytes of its own (tmpfs), mounted at `folder`: root only."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(disk: Path) -> Path:
    """Write a file until the disk has no room left; the file, to remove for room again."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        for chunk in (65536, 1):  # then the last few bytes
            try:
                while out.write(b"\0" * chunk):
                    pass
            except OSError:
                pass
    return filler


def test_a_full_disk_under_sqlite_answers_503_and_half_writes_nothing(
    root, tmp_path, caplog
) -> None:
    with initialised_database("sqlite", root, tmp_path) as url:
        size = Path(url.split("///", 1)[1]).stat().st_size
        with small_disk(tmp_path / "disk", size + 4 * 1024 * 1024) as disk:
            shutil.copy(url.split("///", 1)[1], disk / "desk.db")
            app = desk(f"sqlite:///{disk / 'desk.db'}", root, tmp_path)
            client, auth = app.test_client(), translator_token(app)
            units = client.get(UNITS, headers=auth).json
            with closing(sqlite3.connect(disk / "desk.db")) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no room kept in the log
            filler = fill(disk)

            text = "Gespeichert, als die Platte voll war. " * 3
            refused = save(client, auth, units[1], text)
            assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
            assert refused.json["error"] == "service-unavailable"
            said = [r for r in caplog.records if r.name == "translator.web.errors"]
            assert len(said) == 1 and said[0].exc_info is None  # one line, no traceback
            assert "database or disk is full" in said[0].getMessage()
            po = "\n".join(
                f'msgid "{unit["source"]}"\nmsgstr "Übersetzt {number}."\n'
                for number, unit in enumerate(units)
                if not unit["source_plural"]
                and '"' not in unit["source"]
                and "\\" not in unit["source"]
            )
            imported = client.post(
                UNITS.rsplit("/", 1)[0] + "/file?mode=overwrite",
                data=po.encode(),
                headers={**auth, "Content-Type": "text/x-gettext-translation"},
            )
            assert imported.status_code == 503  # the whole import, or nothing of it
            assert client.get(UNITS, headers=auth).json == units  # nothing half-written

            filler.unlink()  # room again: the desk goes on by itself
            assert save(client, auth, units[1], text).status_code == 200
            dispose(app)


def test_a_database_bug_is_still_a_500(app, client, monkeypatch) -> None:
    def broken(*_: Any) -> None:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such column: x"))

    monkeypatch.setattr("translator.web.documents.documents.listing", broken)
    app.config.update(PROPAGATE_EXCEPTIONS=False)
    assert client.get("/").status_code == 500


class Cluster:
    """A PostgreSQL cluster of the test's own: trust authentication, loopback, a free port."""

    def __init__(self, folder: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found and not shutil.which("initdb"):
            pytest.skip("PostgreSQL's initdb is not installed")
        self.bin = Path(found[-1]).parent if found else Path(str(shutil.which("initdb"))).parent
        self.folder, self.port = folder, free_port()
        self.user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            try:
                self.user = pwd.getpwnam("postgres").pw_name
            except KeyError:
                pytest.skip("running as root, and no postgres account to run PostgreSQL as")
            shutil.chown(folder, self.user)
        self.data = folder / "data"
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            user=self.user,
            cwd=self.folder,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "log")
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="desk-pg-"))  # not under pytest's folder: 0700, root's
    started = None
    try:
        started = Cluster(folder)
        started.start()
        yield started
    finally:
        if started is not None:
            subprocess.run(
                [str(started.bin / "pg_ctl"), "-D", str(started.data), "-m", "immediate", "stop"],
                capture_output=True,
                user=started.user,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_postgresql_stopped_answers_503_then_the_desk_recovers_with_nothing_lost(
    cluster, root, tmp_path
) -> None:
    result = CliRunner().invoke(
        cli.main,
        ["--root", str(root), "--database", cluster.url, "init"],
        env={"TRANSLATOR_INSTANCE_PATH": str(tmp_path / "instance")},
    )
    assert result.exit_code == 0, result.output
    app = desk(cluster.url, root, tmp_path)
    client, auth = app.test_client(), translator_token(app)
    units = client.get(UNITS, headers=auth).json
    first, second = units[1], units[2]
    assert save(client, auth, first, "Vor dem Ausfall gespeichert.").status_code == 200

    cluster.stop()
    refused = save(client, auth, second, "Während des Ausfalls.")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    assert refused.json["error"] == "service-unavailable"
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert page.mimetype == "text/html" and b"The desk is not available" in page.data
    assert client.get("/readyz").json["unreachable"] == ["store"]

    cluster.start()
    assert save(client, auth, second, "Nach dem Ausfall gespeichert.").status_code == 200
    after = {u["id"]: u["text"] for u in client.get(UNITS, headers=auth).json}
    assert after[first["id"]] == "Vor dem Ausfall gespeichert."  # acknowledged: kept
    assert after[second["id"]] == "Nach dem Ausfall gespeichert."
    assert client.get("/readyz").status_code == 200
    dispose(app)


# The broker away


class Redis:
    """A redis-server of the test's own, on a free loopback port, kept in memory only."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis_server() -> Iterator[Redis]:
    server = Redis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def unfinished_jobs(app: Any) -> int:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        return int(s.scalar(select(func.count()).select_from(Job)) or 0)


def test_an_unreachable_broker_answers_503_and_keeps_no_job(app) -> None:
    app.config.update(JOBS_EAGER=False, BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    client, auth = app.test_client(), translator_token(app)
    refused = client.get(PDF, headers=auth)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert "not reachable" in refused.json["message"]
    assert unfinished_jobs(app) == 0  # not left behind as failed, nor holding a slot


@pytest.mark.slow
def test_the_broker_stopped_answers_503_then_jobs_are_queued_again(app, redis_server) -> None:
    app.config.update(JOBS_EAGER=False, BROKER_URL=redis_server.url)
    client, auth = app.test_client(), translator_token(app)
    assert client.get("/readyz").status_code == 200

    redis_server.stop()
    assert client.get("/readyz").json["unreachable"] == ["broker"]
    refused = client.get(PDF, headers=auth)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "10"
    assert unfinished_jobs(app) == 0  # not left behind as failed, nor holding a slot

    redis_server.start()
    assert client.get("/readyz").status_code == 200
    started = client.get(PDF, headers=auth)
    assert started.status_code == 202
    assert client.get(started.headers["Location"], headers=auth).json["state"] == "queued"


# Jobs not lost


def test_jobs_are_acknowledged_late_so_a_killed_worker_loses_none(app) -> None:
    conf = engine.celery.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1


def test_a_job_queued_too_long_is_sent_again_when_asked_for_again(app, monkeypatch) -> None:
    sent: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        engine, "enqueue", lambda _config, _factory, job_id, new=True: sent.append((job_id, new))
    )
    app.config.update(JOBS_EAGER=False)
    client, auth = app.test_client(), translator_token(app)
    first = client.get(PDF, headers=auth)
    assert first.status_code == 202
    job_id = first.headers["Location"].rsplit("/", 1)[-1]
    assert sent == [(job_id, True)]
    again = client.get(PDF, headers=auth)  # waiting, not yet overdue: not sent twice
    assert again.status_code == 202 and sent == [(job_id, True)]

    factory = app.extensions["translator.sessions"]
    with db.transaction(factory) as s:
        s.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                created_at=utcnow() - records.Timing.of(app.config).resend - timedelta(seconds=1)
            )
        )
    overdue = client.get(PDF, headers=auth)
    assert overdue.status_code == 202 and overdue.headers["Location"] == first.headers["Location"]
    assert sent == [(job_id, True), (job_id, False)]
    assert engine.resend_overdue(app.config, factory) == 1  # the worker's periodic check
    assert sent[-1] == (job_id, False)
    with db.transaction(factory) as s:
        assert records.get(s, job_id).state == records.QUEUED  # type: ignore[union-attr]
