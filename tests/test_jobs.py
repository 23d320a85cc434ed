"""Heavy work as jobs: 202 and a job URL, the file from the store, owners, and several processes.

The first tests run each job inside the request (JOBS_EAGER); the two slow ones start real
processes: two app servers and a Celery worker on PostgreSQL and Redis, and the embedded mode
(`translator serve` with its local worker on SQLite, beside a second app process).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from tests.conftest import POSTGRES_URL, fetched
from translator import create_app, db
from translator.models import EditionFile, Job, Role
from translator.services import accounts, builds, edition_files, tokens

PDF = "/documents/palm-card/de/edition.pdf?draft=1"
REDIS_URL = os.environ.get("TRANSLATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def sign_in(app: Any, client: Any, name: str, role: Role, langs: str = "") -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, name, role, langs)
    assert client.post("/login", data={"username": name, "password": password}).status_code == 302


def test_a_pdf_is_made_by_a_job_then_answered_at_once_while_unchanged(app, client) -> None:
    sign_in(app, client, "jonas", Role.TRANSLATOR, "de")  # drafts: for a role in the language
    first = client.get(PDF, headers={"Accept": "text/html"})
    assert first.status_code == 202
    assert first.headers["Location"].startswith("/api/v1/jobs/")
    page = first.get_data(as_text=True)  # the browser's progress page follows the job
    assert f'data-status-url="{first.headers["Location"]}"' in page and "job.js" in page
    pdf = fetched(client, first)
    assert pdf.data.startswith(b"%PDF")
    again = client.get(PDF)
    assert again.status_code == 200 and again.data == pdf.data
    assert client.get(PDF, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert len(s.scalars(select(EditionFile)).all()) == 1


def test_a_changed_translation_makes_a_new_file(app, client) -> None:
    sign_in(app, client, "jonas", Role.TRANSLATOR, "de")
    before = fetched(client, client.get(PDF))
    with db.transaction(app.extensions["translator.sessions"]) as s:
        document = builds._documents(s, ["palm-card"])[0]
        unit, translation = builds._rows(s, document, "de")[1]
        translation.text = "Ein ganz neuer Satz."
    after = client.get(PDF)
    assert after.status_code == 202
    assert fetched(client, after).data != before.data


def test_a_draft_job_and_its_file_are_seen_only_by_whoever_started_it(app) -> None:
    owner, other, nobody = app.test_client(), app.test_client(), app.test_client()
    sign_in(app, owner, "farid", Role.EDITOR)
    sign_in(app, other, "lena", Role.EDITOR)
    started = owner.get(PDF)
    job = started.headers["Location"]
    assert owner.get(job).json["state"] == "done"
    for stranger in (other, nobody):
        assert stranger.get(job).status_code == 404
        assert stranger.get(job + "/file").status_code == 404
    assert owner.get(job + "/file").data.startswith(b"%PDF")


# kombu's SQLAlchemy transport declares its tables with a loader SQLAlchemy 2.1 deprecates
@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")
def test_asking_twice_while_a_job_waits_gives_the_same_job(root, database_url, tmp_path) -> None:
    """No worker runs here: the job waits in the embedded broker, and a second request for the
    same file is told about the same job instead of queueing another."""
    from click.testing import CliRunner

    from translator import cli

    environ = {"TRANSLATOR_INSTANCE_PATH": str(tmp_path / "instance")}
    CliRunner().invoke(
        cli.main, ["--root", str(root), "--database", database_url, "init"], env=environ
    )
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
        }
    )
    client = app.test_client()
    sign_in(app, client, "jonas", Role.TRANSLATOR, "de")
    first, second = client.get(PDF), client.get(PDF)
    assert first.status_code == second.status_code == 202
    assert first.headers["Location"] == second.headers["Location"]
    assert client.get(first.headers["Location"]).json["state"] == "queued"
    assert client.get(first.headers["Location"] + "/file").status_code == 409
    assert (tmp_path / "instance" / "jobs.sqlite").is_file()
    app.extensions["translator.sessions"].kw["bind"].dispose()


def test_an_unreachable_broker_fails_the_job_with_a_clear_message(app) -> None:
    app.config.update(JOBS_EAGER=False, BROKER_URL="redis://127.0.0.1:9/0")
    client = app.test_client()
    sign_in(app, client, "jonas", Role.TRANSLATOR, "de")
    started = client.get(PDF)
    assert started.status_code == 202
    state = client.get(started.headers["Location"]).json
    assert state["state"] == "failed" and "not reachable" in state["message"]


def test_a_batch_build_zips_every_publishable_edition(app) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "maria", Role.EDITOR)
        key = tokens.create(s, "maria", ["read"])
    client, auth = app.test_client(), {"Authorization": f"Bearer {key}"}
    started = client.post(
        "/api/v1/editions/builds",
        json={"languages": ["en", "de"], "documents": ["palm-card", "faq"], "formats": ["html"]},
        headers=auth,
    )
    bundle = zipfile.ZipFile(BytesIO(fetched(client, started, auth).data))
    assert sorted(bundle.namelist()) == ["en/faq.html", "en/palm-card.html"]  # German: drafts
    refused = client.post("/api/v1/editions/builds", json={"formats": ["odt"]}, headers=auth)
    assert refused.status_code == 400 and "formats" in refused.json["message"]


def test_a_large_po_upload_is_imported_by_a_job(app) -> None:
    app.config.update(LARGE_IMPORT_BYTES=100)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "jonas", Role.TRANSLATOR, "de")
        key = tokens.create(s, "jonas", ["read", "translate"])
    client, auth = app.test_client(), {"Authorization": f"Bearer {key}"}
    path = "/api/v1/documents/palm-card/languages/de/file"
    catalogue = client.get(path, headers=auth).data
    started = client.post(path, data=catalogue, headers={**auth, "Content-Type": "text/x-po"})
    assert started.status_code == 202
    job = client.get(started.headers["Location"], headers=auth).json
    assert job["kind"] == "import" and job["state"] == "done", job
    assert "0 filled" in job["message"] and job["result"] is None


def test_an_editions_key_follows_its_inputs(loaded, root) -> None:
    with db.transaction(loaded) as s:
        wanted = edition_files.Wanted("faq", "fr", "pdf", draft=True)
        one = edition_files.edition(s, root, wanted)
        same = edition_files.edition(s, root, wanted)
        paper = edition_files.edition(
            s, root, edition_files.Wanted("faq", "fr", "pdf", True, "letter")
        )
    assert edition_files.key_of(one, "pdf") == edition_files.key_of(same, "pdf")
    assert edition_files.key_of(one, "pdf") != edition_files.key_of(one, "html")
    assert edition_files.key_of(one, "pdf") != edition_files.key_of(paper, "pdf")


def test_a_job_is_run_once_unless_its_worker_died(sessions) -> None:
    from datetime import timedelta

    from translator.models import utcnow
    from translator.services import jobs as records

    with db.transaction(sessions) as s:
        job_id = records.start(s, "recheck", {})[0].id
    with db.transaction(sessions) as s:
        assert records.claim(s, job_id) is not None
    with db.transaction(sessions) as s:
        assert records.claim(s, job_id) is None  # a second delivery while it runs
        s.get(Job, job_id).started_at = utcnow() - records.STALLED - timedelta(minutes=1)
    with db.transaction(sessions) as s:
        assert records.claim(s, job_id) is not None  # its worker died: taken again


def test_old_jobs_and_files_are_forgotten_recent_ones_kept(sessions) -> None:
    from datetime import timedelta

    from translator.models import utcnow
    from translator.services import jobs as records

    now = utcnow()
    with db.transaction(sessions) as s:
        for name, age in (("old", 40), ("new", 1)):
            job, _ = records.start(s, "recheck", {}, input_key=name)
            job.state, job.finished_at = "done", now - timedelta(days=age)
            s.add(
                EditionFile(
                    key=name,
                    filename="x.pdf",
                    mimetype="application/pdf",
                    data=b"%PDF",
                    created_at=now - timedelta(days=age),
                )
            )
    with db.transaction(sessions) as s:
        records.forget_old(s)
        edition_files.forget_old(s)
    with db.transaction(sessions) as s:
        assert [j.input_key for j in s.scalars(select(Job))] == ["new"]
        assert [f.key for f in s.scalars(select(EditionFile))] == ["new"]


# Several processes, for real.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Processes:
    """Processes started for a test, each in its own session, ended (with their children)
    however the test ends."""

    def __init__(self, environ: dict[str, str], log_dir: Path) -> None:
        self.environ, self.log_dir, self.started = environ, log_dir, []

    def start(self, name: str, *args: str) -> None:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        command = [sys.executable, "-m", "translator.cli", *args]
        self.started.append(
            subprocess.Popen(
                command, env=self.environ, stdout=log, stderr=log, start_new_session=True
            )
        )

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for process in self.started:  # a job worker's pool children, if any outlived it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


class Browser:
    """One person's HTTP client with cookies, against any of the desk's processes."""

    def __init__(self, token: str | None = None) -> None:
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect()
        )
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(
        self, url: str, method: str = "GET", body: Any = None, form: Any = None
    ) -> tuple[int, dict[str, str], bytes]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {**self.headers, **({"Content-Type": "application/json"} if data else {})}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def wait_until_up(url: str, processes: Processes) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in processes.log_dir.glob("*.log")}
    raise AssertionError(f"{url} did not start: {logs}")


def desk_cli(environ: dict[str, str], *args: str) -> str:
    """The `translator` command, in this process (the servers are the processes under test)."""
    from click.testing import CliRunner

    from translator import cli

    keys = [k for k in environ if k.startswith("TRANSLATOR_")]
    result = CliRunner().invoke(cli.main, list(args), env={k: environ[k] for k in keys})
    assert result.exit_code == 0, result.output
    return result.output


def across_processes(environ: dict[str, str], first: str, second: str) -> None:
    """What several processes must agree on: a save, a signed-in session, the sign-in limit,
    and a PDF made by a job started through one and downloaded through the other."""
    desk_cli(environ, "users", "add", "jonas", "--role", "translator", "--lang", "de")
    password = desk_cli(
        environ, "users", "add", "ayla", "--role", "translator", "--lang", "tr"
    ).split()[-1]
    desk_cli(environ, "users", "add", "maria", "--role", "editor")
    jonas = Browser(
        desk_cli(environ, "token", "create", "jonas", "--scope", "read,translate").split()[-1]
    )
    maria = Browser(desk_cli(environ, "token", "create", "maria", "--scope", "read").split()[-1])

    units = "/api/v1/documents/palm-card/languages/de/units"
    unit = json.loads(jonas.call(second + units)[2])[1]
    status, _, body = jonas.call(
        f"{first}/api/v1/units/{unit['id']}/translations/de",
        "PUT",
        {
            "text": "Über Prozesse hinweg gespeichert.",
            "version": unit["version"],
            "state": "translated",
        },
    )
    assert status == 200, body
    assert (
        json.loads(jonas.call(second + units)[2])[1]["text"] == "Über Prozesse hinweg gespeichert."
    )

    person = Browser()
    assert (
        person.call(first + "/login", "POST", form={"username": "ayla", "password": password})[0]
        == 302
    )
    assert person.call(second + "/dashboard")[0] == 200  # the session is the store's
    assert Browser().call(second + "/dashboard")[0] == 302  # (signing in is needed)
    stranger = Browser()
    for _ in range(5):
        stranger.call(first + "/login", "POST", form={"username": "ayla", "password": "wrong"})
    assert (
        stranger.call(second + "/login", "POST", form={"username": "ayla", "password": password})[0]
        == 429
    )

    pdf = "/api/v1/documents/palm-card/languages/de/edition.pdf?draft=1"
    status, headers, _ = maria.call(first + pdf)
    assert status == 202, headers
    job = second + headers["Location"]
    deadline = time.monotonic() + 90
    while (state := json.loads(maria.call(job)[2]))["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, state
        time.sleep(0.5)
    assert state["state"] == "done", state
    status, _, data = maria.call(second + state["result"])
    assert status == 200 and data.startswith(b"%PDF")
    status, _, again = maria.call(second + pdf)  # unchanged: answered at once, by either
    assert status == 200 and again == data


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    environ = {
        **os.environ,
        "TRANSLATOR_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRANSLATOR_SECRET_KEY": "shared-" + uuid.uuid4().hex,  # every process has the same
    }
    environ.pop("TRANSLATOR_BROKER_URL", None)
    started = Processes(environ, tmp_path)
    yield started
    started.stop()


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="needs TRANSLATOR_TEST_DATABASE_URL")
def test_two_app_processes_and_a_worker_on_postgresql_and_redis(processes, root) -> None:
    import redis

    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()  # our own database number only
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    environ = processes.environ
    environ.update(
        TRANSLATOR_DATABASE_URL=url, TRANSLATOR_ROOT=str(root), TRANSLATOR_BROKER_URL=REDIS_URL
    )
    try:
        desk_cli(environ, "init")
        first, second = free_port(), free_port()
        processes.start("web1", "serve", "--port", str(first), "--workers", "1", "--no-jobs")
        processes.start("web2", "serve", "--port", str(second), "--workers", "1", "--no-jobs")
        processes.start("worker", "worker", "--concurrency", "1")
        for port in (first, second):
            wait_until_up(f"http://127.0.0.1:{port}", processes)
        across_processes(environ, f"http://127.0.0.1:{first}", f"http://127.0.0.1:{second}")
    finally:
        processes.stop()
        broker.flushdb()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.slow
def test_the_embedded_mode_runs_jobs_on_sqlite_for_every_app_process(
    processes, root, tmp_path
) -> None:
    environ = processes.environ
    environ.update(
        TRANSLATOR_DATABASE_URL=f"sqlite:///{tmp_path / 'desk.db'}", TRANSLATOR_ROOT=str(root)
    )
    desk_cli(environ, "init")
    first, second = free_port(), free_port()
    processes.start("web1", "serve", "--port", str(first), "--workers", "2")  # and its worker
    processes.start("web2", "serve", "--port", str(second), "--workers", "1", "--no-jobs")
    for port in (first, second):
        wait_until_up(f"http://127.0.0.1:{port}", processes)
    across_processes(environ, f"http://127.0.0.1:{second}", f"http://127.0.0.1:{first}")
    with db.transaction(
        db.session_factory(db.make_engine(environ["TRANSLATOR_DATABASE_URL"]))
    ) as s:
        assert {job.state for job in s.scalars(select(Job))} == {"done"}
