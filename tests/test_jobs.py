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
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.conftest import POSTGRES_URL, fetched
from translator import create_app, db
from translator import jobs as engine
from translator.models import EditionFile, Job, Role, User
from translator.services import accounts, builds, edition_files, tokens
from translator.services import jobs as records

PDF = "/documents/palm-card/de/edition.pdf?draft=1"
REDIS_URL = os.environ.get("TRANSLATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def sign_in(app: Any, client: Any, name: str, role: Role, langs: str = "") -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, name, role, langs)
    form = {"username": name, "password": password, **form_token(client.get("/login").data)}
    assert client.post("/login", data=form).status_code == 302


def form_token(page: bytes) -> dict[str, str]:
    """The sign-in form's own token, when the form carries one."""
    found = re.search(rb'name="form_token" value="([^"]*)"', page)
    return {"form_token": found.group(1).decode()} if found else {}


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


def test_an_unreachable_broker_answers_503_on_the_page_and_keeps_no_job(app) -> None:
    app.config.update(JOBS_EAGER=False, BROKER_URL="redis://127.0.0.1:9/0")
    client = app.test_client()
    sign_in(app, client, "jonas", Role.TRANSLATOR, "de")
    refused = client.get(PDF, headers={"Accept": "text/html"})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "10"
    assert b"The desk is not available" in refused.data  # the page (tests/test_faults.py: API)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0


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

    timing = records.Timing()
    with db.transaction(sessions) as s:
        job_id = records.start(s, "recheck", {})[0].id
    with db.transaction(sessions) as s:
        assert records.claim(s, job_id, timing) is not None
    with db.transaction(sessions) as s:
        assert records.claim(s, job_id, timing) is None  # a second delivery while it runs
        s.get(Job, job_id).beat_at = utcnow() - timing.stalled + timedelta(seconds=5)
    with db.transaction(sessions) as s:
        assert records.claim(s, job_id, timing) is None  # it beat lately: its worker lives
        assert records.overdue_ids(s, timing) == []
        s.get(Job, job_id).beat_at = utcnow() - timing.stalled - timedelta(seconds=1)
    with db.transaction(sessions) as s:
        assert records.overdue_ids(s, timing) == [job_id]  # sent to the workers again
        assert records.claim(s, job_id, timing) is not None  # its worker died: taken again
        assert records.claim(s, job_id, timing) is None  # by one worker only


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


# Caps: a few unfinished jobs per account and per address, a bound on the whole queue.
#
# Here no worker runs (JOBS_EAGER off, the embedded broker's queue): jobs wait as they would
# behind busy workers, and the test runs each one as a worker would, by its id.

BUILDS = "/api/v1/editions/builds"
EMBEDDED_BROKER = pytest.mark.filterwarnings(
    "ignore:The ``noload`` loader strategy:DeprecationWarning"
)


def without_worker(app: Any) -> Any:
    app.config.update(JOBS_EAGER=False)  # queued in instance/jobs.sqlite, which nobody reads
    return app


def token_of(app: Any, name: str, role: Role = Role.TRANSLATOR, langs: str = "") -> dict[str, str]:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, name, role, langs)
        key = tokens.create(s, name, ["read"])  # a read-only token is enough to start builds
    return {"Authorization": f"Bearer {key}"}


def build(client: Any, auth: dict[str, str], language: str = "en") -> Any:
    body = {"languages": [language], "documents": ["palm-card"], "formats": ["html"]}
    return client.post(BUILDS, json=body, headers=auth)


def run_as_a_worker(app: Any, response: Any) -> str:
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    engine.run(job_id, app.extensions["translator.sessions"], app.config)
    return job_id


def job_row(app: Any, job_id: str) -> Job:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        found = s.get(Job, job_id)
        assert found is not None
        s.expunge(found)
        return found


@EMBEDDED_BROKER
def test_a_token_starting_builds_past_its_cap_gets_429_and_its_first_jobs_still_run(app) -> None:
    without_worker(app)
    client, auth = app.test_client(), token_of(app, "robot")
    started = [build(client, auth) for _ in range(records.MAX_PER_OWNER)]
    assert [r.status_code for r in started] == [202] * records.MAX_PER_OWNER
    refused = build(client, auth)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(records.RETRY_OWN)
    assert refused.json["error"] == "too-many-requests"
    assert "unfinished jobs" in refused.json["message"]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert len(s.scalars(select(Job)).all()) == records.MAX_PER_OWNER  # none for the refusal
    for response in started:  # the first ones are not harmed by the refusal
        run_as_a_worker(app, response)
        bundle = fetched(client, response, auth).data
        assert zipfile.ZipFile(BytesIO(bundle)).namelist() == ["en/palm-card.html"]


@EMBEDDED_BROKER
def test_a_finished_job_frees_a_slot(app) -> None:
    without_worker(app)
    client, auth = app.test_client(), token_of(app, "robot")
    started = [build(client, auth) for _ in range(records.MAX_PER_OWNER)]
    assert build(client, auth).status_code == 429
    run_as_a_worker(app, started[0])
    assert build(client, auth).status_code == 202
    assert build(client, auth).status_code == 429
    other = token_of(app, "someone-else")  # the cap is per account
    assert build(client, other).status_code == 202


@EMBEDDED_BROKER
def test_asking_again_for_the_same_file_past_the_cap_gives_the_same_job(app) -> None:
    without_worker(app)
    client = app.test_client()
    sign_in(app, client, "jonas", Role.TRANSLATOR, "de")
    pdfs = [
        f"/documents/{slug}/de/edition.pdf?draft=1"
        for slug in ("palm-card", "faq", "press-release")
    ]
    first = [client.get(pdf, headers={"Accept": "text/html"}) for pdf in pdfs]
    assert [r.status_code for r in first] == [202, 202, 202]
    refused = client.get("/documents/emergency-appeal/de/edition.pdf?draft=1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == str(records.RETRY_OWN)
    assert "unfinished jobs" in refused.get_data(as_text=True)  # a page, for a browser
    again = client.get(pdfs[0])
    assert again.status_code == 202 and again.headers["Location"] == first[0].headers["Location"]


@EMBEDDED_BROKER
def test_jobs_without_an_account_are_capped_per_hashed_address(app) -> None:
    without_worker(app)
    here, there = ({"REMOTE_ADDR": address} for address in ("192.0.2.7", "198.51.100.9"))
    client = app.test_client()
    editions = [
        f"/documents/{slug}/en/edition.{kind}"
        for slug in ("palm-card", "faq")
        for kind in ("html", "pdf")
    ]
    answers = [client.get(path, environ_base=here) for path in editions]
    assert [r.status_code for r in answers] == [202, 202, 202, 429]
    assert answers[-1].headers["Retry-After"] == str(records.RETRY_OWN)
    assert client.get(editions[0], environ_base=here).status_code == 202  # the same job again
    assert client.get(editions[-1], environ_base=there).status_code == 202  # another address
    with db.transaction(app.extensions["translator.sessions"]) as s:
        kept = [json.dumps(job.params) for job in s.scalars(select(Job))]
    assert all("192.0.2.7" not in params and "198.51.100.9" not in params for params in kept)
    assert sum(records.CLIENT in params for params in kept) == 4  # a salted hash, while it runs
    job_id = run_as_a_worker(app, answers[0])
    assert records.CLIENT not in job_row(app, job_id).params  # and not once it is done


@EMBEDDED_BROKER
def test_the_whole_queue_is_bounded_with_503(app, monkeypatch) -> None:
    without_worker(app)
    monkeypatch.setattr(records, "MAX_UNFINISHED", 4)
    client = app.test_client()
    first, second, third = (token_of(app, name) for name in ("ana", "ben", "cem"))
    assert [build(client, auth).status_code for auth in (first, first, second, second)] == [202] * 4
    busy = build(client, third)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == str(records.RETRY_BUSY)
    assert busy.json["error"] == "service-unavailable" and "busy" in busy.json["message"]


@EMBEDDED_BROKER
def test_an_uploads_payload_is_removed_once_the_job_is_done(app) -> None:
    without_worker(app)
    app.config.update(LARGE_IMPORT_BYTES=100)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "jonas", Role.TRANSLATOR, "de")
        key = tokens.create(s, "jonas", ["read", "translate"])
    client, auth = app.test_client(), {"Authorization": f"Bearer {key}"}
    path = "/api/v1/documents/palm-card/languages/de/file"
    catalogue = client.get(path, headers=auth).data
    po = {**auth, "Content-Type": "text/x-po"}
    good = client.post(path, data=catalogue, headers=po)
    bad = client.post(path, data=b'msgid "unterminated\n' * 20, headers=po)
    assert good.status_code == bad.status_code == 202
    done, failed = run_as_a_worker(app, good), run_as_a_worker(app, bad)
    assert job_row(app, done).state == "done" and job_row(app, done).payload is None
    assert job_row(app, failed).state == "failed" and job_row(app, failed).payload is None


def test_a_payload_over_the_import_limit_is_never_stored(sessions) -> None:
    with db.transaction(sessions) as s, pytest.raises(records.PayloadTooLarge):
        records.start(s, "import", {}, payload=b"x" * 101, max_payload=100)
    with db.transaction(sessions) as s:
        assert s.scalars(select(Job)).all() == []


def test_a_lost_job_is_failed_and_frees_its_slot(sessions) -> None:
    from datetime import timedelta

    from translator.models import utcnow

    with db.transaction(sessions) as s:
        accounts.create_user(s, "lena", Role.TRANSLATOR, "de")
        owner = s.scalars(select(User).where(User.username == "lena")).one()
        lost = [records.start(s, "import", {}, owner=owner, payload=b"po")[0] for _ in range(3)]
        with pytest.raises(records.TooManyJobs):
            records.start(s, "recheck", {}, owner=owner)
        for job in lost:
            job.created_at = utcnow() - records.LOST - timedelta(minutes=1)
    with db.transaction(sessions) as s:
        assert records.start(s, "recheck", {}, owner=owner)[1]
    with db.transaction(sessions) as s:
        for job in lost:
            row = s.get(Job, job.id)
            assert row is not None and row.state == "failed" and row.payload is None


def start_at_once(sessions: Any, attempts: list[dict[str, Any]]) -> list[str]:
    """Start jobs from as many threads at the same moment: what each got ("new" or the name of
    the refusal)."""
    barrier = threading.Barrier(len(attempts))

    def attempt(arguments: dict[str, Any]) -> str:
        barrier.wait()
        try:
            with db.transaction(sessions) as s:
                records.start(s, "recheck", {}, **arguments)
            return "new"
        except (records.TooManyJobs, records.DeskBusy) as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def test_simultaneous_starts_of_one_account_do_not_pass_its_cap(sessions) -> None:
    with db.transaction(sessions) as s:
        accounts.create_user(s, "robot", Role.TRANSLATOR)
        owner = s.scalars(select(User).where(User.username == "robot")).one()
        s.expunge(owner)
    got = start_at_once(sessions, [{"owner": owner, "input_key": f"k{i}"} for i in range(10)])
    assert got.count("new") == records.MAX_PER_OWNER and got.count("TooManyJobs") == 7
    clients = start_at_once(sessions, [{"client": "ip:same"} for _ in range(10)])
    assert clients.count("new") == records.MAX_PER_CLIENT
    with db.transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 6


def test_simultaneous_starts_of_many_accounts_do_not_pass_the_queue_bound(
    sessions, monkeypatch
) -> None:
    monkeypatch.setattr(records, "MAX_UNFINISHED", 5)
    owners = []
    with db.transaction(sessions) as s:
        for i in range(10):
            accounts.create_user(s, f"user{i}", Role.TRANSLATOR)
        owners = list(s.scalars(select(User)))
        for owner in owners:
            s.expunge(owner)
    got = start_at_once(sessions, [{"owner": owner} for owner in owners])
    assert got.count("new") == 5 and got.count("DeskBusy") == 5


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
    login = {"username": "ayla", "password": password}
    assert (
        person.call(
            first + "/login", "POST", form={**login, **form_token(person.call(first + "/login")[2])}
        )[0]
        == 302
    )
    assert person.call(second + "/dashboard")[0] == 200  # the session is the store's
    assert Browser().call(second + "/dashboard")[0] == 302  # (signing in is needed)
    stranger = Browser()
    token = form_token(stranger.call(first + "/login")[2])  # every process signs the same way
    for _ in range(5):
        stranger.call(
            first + "/login", "POST", form={"username": "ayla", "password": "wrong", **token}
        )
    assert stranger.call(second + "/login", "POST", form={**login, **token})[0] == 429

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


def job_now(factory: Any, job_id: str) -> Job:
    with db.transaction(factory) as s:
        job = s.get(Job, job_id)
        assert job is not None
        s.expunge(job)
        return job


def wait_for_job(factory: Any, job_id: str, done: Any, processes: Processes) -> Job:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = job_now(factory, job_id)
        if done(job):
            return job
        time.sleep(0.1)
    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in processes.log_dir.glob("*.log")}
    raise AssertionError(f"job {job_id} is {job_now(factory, job_id).state}: {logs}")


@pytest.mark.slow
def test_a_worker_killed_mid_job_loses_nothing_another_worker_finishes_it(
    processes, root, tmp_path
) -> None:
    """kill -9 of a worker in the middle of a batch: its job stops beating, a worker started
    later finds it stalled (the jobs table is the truth, not the broker), takes it again and
    finishes it, keeping the files the dead one had built."""
    from tests.test_faults import Redis
    from translator import config as configuration

    broker = Redis()
    broker.start()
    environ = processes.environ
    environ.update(
        TRANSLATOR_DATABASE_URL=f"sqlite:///{tmp_path / 'desk.db'}",
        TRANSLATOR_ROOT=str(root),
        TRANSLATOR_BROKER_URL=broker.url,
        TRANSLATOR_JOB_STALLED_SECONDS="2",  # a worker beats every half second
        TRANSLATOR_JOB_RESEND_SECONDS="2",
    )
    try:
        desk_cli(environ, "init")
        config = configuration.load(environ=environ)
        factory = db.session_factory(db.make_engine(config["DATABASE_URL"]))
        batch = {"formats": ["pdf"], "languages": ["fa", "de", "fr"], "draft": True}
        batch["documents"] = ["palm-card", "alert-toomaj-salehi"]
        with db.transaction(factory) as s:
            job_id = records.start(s, "build", batch)[0].id
        engine.enqueue(config, factory, job_id)
        processes.start("first", "worker", "--concurrency", "1")
        midway = wait_for_job(factory, job_id, lambda job: job.done >= 1, processes)
        assert midway.state == records.RUNNING and midway.done < midway.total - 1
        first = processes.started[-1]
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool, at once
        first.wait()
        with db.transaction(factory) as s:
            built_before = int(s.scalar(select(func.count()).select_from(EditionFile)) or 0)
        assert job_now(factory, job_id).state == records.RUNNING  # nobody said it ended

        processes.start("second", "worker", "--concurrency", "1")
        done = wait_for_job(factory, job_id, lambda job: job.state != records.RUNNING, processes)
        assert done.state == records.DONE and done.message == "6 files"
        assert done.started_at is not None and midway.started_at is not None
        assert done.started_at > midway.started_at  # taken again, by the second worker
        with db.transaction(factory) as s:
            archive = s.get(EditionFile, done.result_key)
            assert archive is not None
            names = zipfile.ZipFile(BytesIO(archive.data)).namelist()
            assert len(names) == 6 and "fa/palm-card.pdf" in names
            kept = int(s.scalar(select(func.count()).select_from(EditionFile)) or 0)
        assert built_before >= 1 and kept == 6 + 1  # the dead worker's files kept, not rebuilt
        assert "sent 1 overdue jobs to the workers again" in (tmp_path / "second.log").read_text()
    finally:
        processes.stop()
        broker.stop()


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


def test_a_failed_jobs_reason_is_said_in_the_askers_language(app) -> None:  # type: ignore[no-untyped-def]
    """The reason is kept as data: the progress page (and the API's `said`) says it in the
    asker's interface language; `message` stays English for scripts."""
    from translator.messages import N_, message

    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa")
        owner = s.scalars(select(User).where(User.username == "sahar")).one()
        raw = tokens.create(s, "sahar", ["read"])
        job, _ = records.start(s, "build", {"formats": ["html"]}, owner=owner)
        job_id = job.id
        records.fail(
            s, job_id, message(N_("the job failed; the worker's log has the details"), "job.failed")
        )
    client = app.test_client()
    auth = {"Authorization": f"Bearer {raw}"}
    farsi = client.get(f"/api/v1/jobs/{job_id}", headers={**auth, "Accept-Language": "fa"}).json
    assert farsi["state"] == "failed"
    assert farsi["message"] == "the job failed; the worker's log has the details"
    assert farsi["said"] != farsi["message"] and re.search("[\u0600-\u06ff]", farsi["said"])
    english = client.get(f"/api/v1/jobs/{job_id}", headers={**auth, "Accept-Language": "en"}).json
    assert english["said"] == english["message"]
