"""Fixtures: a content root in a temp folder, real SQLite, and real PostgreSQL when configured.

Set TRANSLATOR_TEST_DATABASE_URL (as `make test` does) to run every database test on PostgreSQL as
well; each test then gets a schema of its own, dropped afterwards. An unreachable server fails the
tests rather than skipping them, so CI cannot pass without PostgreSQL.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from translator import cli, create_app, db
from translator.models import State, User
from translator.services import accounts, documents, editing, policy

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TRANSLATOR_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])

# A password hash as the desk makes it (argon2id, 64 MiB, 3 passes, 4 lanes) takes a tenth of a
# second, and so does each check; the suite makes and checks thousands. Its accounts are hashed
# with the cheapest argon2id instead; tests/test_auth.py holds the desk's own cost, outside pytest.
accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser/ is a browser test (`pytest -m "not browser"` skips them)."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def root(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A content root holding copies of the repository's source_texts/, locales/, glossary/;
    for a test marked `unfinished`, with work still to do (see `leave_unfinished`)."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "source_texts", content / "source_texts")
    shutil.copytree(REPO / "locales", content / "locales")
    shutil.copytree(REPO / "glossary", content / "glossary")
    if request.node.get_closest_marker("unfinished"):
        leave_unfinished(content)
    return content


# What a desk in the middle of its work still has to translate: (language, document, from which
# entry on the translations are blank). The shipped catalogues are complete; tests of the work
# on untranslated units take them unfinished.
UNFINISHED = (("fa", "press-release", 8), ("fa", "faq", 0), ("de", "faq", 12), ("fr", "faq", 20))


def leave_unfinished(content: Path) -> None:
    import polib

    for language, slug, start in UNFINISHED:
        path = content / "locales" / language / "LC_MESSAGES" / f"{slug}.po"
        catalogue = polib.pofile(str(path))
        for entry in catalogue[start:]:
            entry.msgstr, entry.tcomment = "", ""
            entry.msgstr_plural = {n: "" for n in entry.msgstr_plural}
        catalogue.save()


def content_of(content: Path, slugs: tuple[str, ...]) -> Path:
    """A content root at `content` holding the repository's documents `slugs` only (their
    sources, templates and catalogues) and the glossary."""
    for slug in slugs:
        for source in [
            *(REPO / "source_texts").glob(f"{slug}.*"),
            *(REPO / "locales").glob(f"*/{slug}.pot"),
            *(REPO / "locales").glob(f"*/LC_MESSAGES/{slug}.po"),
        ]:
            target = content / source.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    shutil.copytree(REPO / "glossary", content / "glossary")
    return content


@pytest.fixture
def empty_root(tmp_path: Path) -> Path:
    """A content root with an empty source_texts/ and no locales/."""
    content = tmp_path / "empty"
    (content / "source_texts").mkdir(parents=True)
    return content


@contextmanager
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.db'}"
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_for_test(request, tmp_path) as url:
        yield url


@contextmanager
def database_for_test(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database of a test: for a test of the app, one already holding what `translator
    init` makes of its content root, for a test of a `loaded` store one holding what loading
    makes of it (each copied from a template made once per process and content: loading takes
    seconds, a copy a fraction of one); for the others an empty one."""
    backend = request.param
    kind = next((k for k in ("app", "loaded") if k in request.fixturenames), None)
    if kind is None:
        with empty_database(backend, tmp_path) as url:
            yield url
        return
    root = request.getfixturevalue("root")
    with initialised_database(backend, root, tmp_path, kind) as url:
        yield url


_DROP_AT_THE_END: list[str] = []  # PostgreSQL databases this process made


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the PostgreSQL databases the tests of this process made (each xdist worker too)."""
    while _DROP_AT_THE_END:
        _drop_database(_DROP_AT_THE_END.pop())


# (backend, kind, content digest): a SQLite file or a PostgreSQL database
_TEMPLATES: dict[tuple[str, str, str], str] = {}


def content_digest(root: Path) -> str:
    """The SHA-256 of every file under a content root, with its path."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@contextmanager
def initialised_database(
    backend: str, root: Path, tmp_path: Path, kind: str = "app"
) -> Iterator[str]:
    key = (backend, kind, content_digest(root))
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _template(backend, root, key[2][:12], kind)
    template = _TEMPLATES[key]
    if backend == "sqlite":
        target = tmp_path / "desk.db"
        with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        yield f"sqlite:///{target}"
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    yield _postgres_database(name)
    # dropped when the process ends: each DROP DATABASE waits for a checkpoint, seconds on a
    # busy machine, while at the end the first one flushes for all
    _drop_connections(name)
    _DROP_AT_THE_END.append(name)


def _postgres_database(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _template(backend: str, root: Path, digest: str, kind: str) -> str:
    """A database filled from `root` (by `translator init` for the app, by loading alone for
    `loaded`), kept for the rest of this process."""
    folder = Path(tempfile.mkdtemp(prefix="desk-template-"))
    atexit.register(shutil.rmtree, folder, True)
    if backend == "sqlite":
        url, kept = f"sqlite:///{folder / 'template.db'}", str(folder / "template.db")
    else:
        kept = f"template_{kind}_{digest}_{os.getpid()}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{kept}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{kept}"'))
        admin.dispose()
        _DROP_AT_THE_END.insert(0, kept)  # a template after the copies made from it
        url = _postgres_database(kept)
    if kind == "loaded":
        engine = db.make_engine(url)
        db.create_schema(engine)
        _load(db.session_factory(engine), root)
        engine.dispose()
    else:
        result = CliRunner().invoke(
            cli.main,
            ["--root", str(root), "--database", url, "init"],
            env={"TRANSLATOR_INSTANCE_PATH": str(folder / "instance")},
        )
        assert result.exit_code == 0, f"translator init: {result.output}{result.exception!r}"
    if backend == "postgresql":  # a template takes no connection while it is copied
        _drop_connections(kept)
    return kept


def _drop_connections(name: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    admin.dispose()


def _drop_database(name: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    db.create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(engine)


@pytest.fixture
def loaded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A store loaded from the content root (its units, translations and glossary), as
    `translator init` loads it before checking: `database_for_test` copies it from a template."""
    return sessions


def _load(sessions: sessionmaker[Session], root: Path) -> None:
    from translator.services import glossary, loading

    with db.transaction(sessions) as session:
        loading.load(session, root)
        glossary.load_shipped(session, root)


@pytest.fixture
def run(database_url: str, root: Path, tmp_path: Path) -> Callable[..., Result]:
    """Run the `translator` command on the content root and the test database."""

    def invoke(*args: str, check: bool = True) -> Result:
        environ = {"TRANSLATOR_INSTANCE_PATH": str(tmp_path / "instance")}
        result = CliRunner().invoke(
            cli.main, ["--root", str(root), "--database", database_url, *args], env=environ
        )
        if check and result.exit_code != 0:
            raise AssertionError(
                f"translator {' '.join(args)} exited {result.exit_code}:\n"
                f"{result.output}{result.exception!r}"
            )
        return result

    return invoke


@pytest.fixture
def app(database_url: str, root: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The app on a store holding what `translator init` makes of `root` (`database_for_test`
    copies it from a template)."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "JOBS_EAGER": True,  # jobs run inside the request; tests/test_jobs.py runs workers
        }
    )
    yield application
    # release the app's connections before the test's PostgreSQL schema is dropped
    application.extensions["translator.sessions"].kw["bind"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


class SecondFactor:
    """A test's authenticator app: enrols an account and gives fresh codes (each time step is
    accepted once, so after the three steps around now it hands out recovery codes)."""

    def __init__(self, app, username: str) -> None:  # type: ignore[no-untyped-def]
        import time

        import pyotp
        from sqlalchemy import select

        from translator.models import User
        from translator.services import second_factor

        with db.transaction(app.extensions["translator.sessions"]) as s:
            user = s.scalars(select(User).where(User.username == username)).one()
            self.totp = pyotp.TOTP(second_factor.begin(s, user))
            self.used = int(time.time()) // 30 - 1
            self.recovery = second_factor.confirm(s, user, self.totp.generate_otp(self.used))

    def code(self) -> str:
        import time

        now = int(time.time()) // 30
        if self.used < now + 1:
            self.used = max(self.used + 1, now - 1)
            return self.totp.generate_otp(self.used)
        return self.recovery.pop()


def enrol(app, username: str) -> SecondFactor:  # type: ignore[no-untyped-def]
    """Set up a second factor for an account (editors and admins need one to administer,
    approve and publish); sign_in_fully then passes the second step with it."""
    factor = SecondFactor(app, username)
    app.extensions.setdefault("test.second_factors", {})[username] = factor
    return factor


# The sign-in and invitation forms carry a token of their own, matching a cookie set when the form
# is shown (login CSRF): the suite's clients fetch the form first, as a browser does.
FORM_PAGES = re.compile(r"/(login|admin/invitations/[^/?]+)(\?.*)?")
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(client, path: str = "/login", **request: Any) -> str:  # type: ignore[no-untyped-def]
    """Show a sign-in (or invitation) form to this client: its token, the cookie set."""
    page = client.get(path, **request).get_data(as_text=True)
    found = _FORM_TOKEN.search(page)
    assert found, page
    return found.group(1)


class DeskClient(FlaskClient):
    """The test client of every app of the suite: a POST to the sign-in or an invitation form
    that sends no `form_token` first shows the form, as a browser would, and sends its token. A
    test of that protection sends a `form_token` of its own (even empty) and is left alone."""

    def post(self, *args: Any, **kwargs: Any) -> Any:
        path = args[0] if args else kwargs.get("path")
        data = kwargs.get("data")
        if (
            isinstance(path, str)
            and FORM_PAGES.fullmatch(path)
            and isinstance(data, dict)
            and "form_token" not in data
        ):
            same = {k: kwargs[k] for k in ("base_url", "environ_base", "headers") if k in kwargs}
            kwargs["data"] = {**data, "form_token": form_token(self, path, **same)}
        return super().post(*args, **kwargs)


Flask.test_client_class = DeskClient  # every app a test makes, the `app` fixture's or its own


def sign_in_fully(client, username: str, password: str, factor: SecondFactor | None = None):  # type: ignore[no-untyped-def]
    """Sign in through the password (after showing the form, for its token) and, when the
    account has one, the second step."""
    factor = factor or client.application.extensions.get("test.second_factors", {}).get(username)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "form_token": form_token(client)},
    )
    location = response.headers.get("Location", "")
    if factor is None or "/login/second-factor" not in location:
        return response
    page = client.get(location).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page
    return client.post(location, data={"csrf_token": token.group(1), "code": factor.code()})


def fetched(client, response, headers=None):  # type: ignore[no-untyped-def]
    """The file behind a `202 Accepted`: the job (run at once, JOBS_EAGER) and then its result."""
    assert response.status_code == 202, response.status_code
    job = client.get(response.headers["Location"], headers=headers or {})
    assert job.status_code == 200 and job.json["state"] == "done", job.json
    return client.get(job.json["result"], headers=headers or {})


def approve_edition(
    session: Session, reviewer: User, slug: str, language: str, *, leave: int | None = None
) -> list[int]:
    """Approve, as `reviewer`, every unit of an edition not yet approved (but the one at
    position `leave`, if given): the ids approved."""
    approved = []
    rows = editing.rows(session, documents.by_slug(session, slug).id, language)
    for index, (unit, translation) in enumerate(rows):
        if translation.state != State.APPROVED and index != leave:
            editing.save(
                session,
                done_second_step(reviewer),
                unit.id,
                language,
                translation.text,
                version=translation.version,
                state=State.APPROVED,
            )
            approved.append(unit.id)
    return approved


def done_second_step(user: User) -> policy.Actor:
    """A person in the browser who has passed the second step (what a signed-in editor with a
    second factor is): for service tests of privileged actions."""
    return policy.Actor(user, second_factor=True)
