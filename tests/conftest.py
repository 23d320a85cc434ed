"""Fixtures: a content root in a temp folder, real SQLite, and real PostgreSQL when configured.

Set TRANSLATOR_TEST_DATABASE_URL (as `make test` does) to run every database test on PostgreSQL as
well; each test then gets a schema of its own, dropped afterwards. An unreachable server fails the
tests rather than skipping them, so CI cannot pass without PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from translator import cli, create_app, db

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TRANSLATOR_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser/ is a browser test (`pytest -m "not browser"` skips them)."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A content root holding copies of the repository's source_texts/, locales/, glossary/."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "source_texts", content / "source_texts")
    shutil.copytree(REPO / "locales", content / "locales")
    shutil.copytree(REPO / "glossary", content / "glossary")
    return content


@pytest.fixture
def empty_root(tmp_path: Path) -> Path:
    """A content root with an empty source_texts/ and no locales/."""
    content = tmp_path / "empty"
    (content / "source_texts").mkdir(parents=True)
    return content


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
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
def loaded(sessions: sessionmaker[Session], root: Path) -> sessionmaker[Session]:
    """A store loaded from the content root, as `translator init` does."""
    from translator.services import glossary, sync

    with db.transaction(sessions) as session:
        sync.load(session, root)
        glossary.load_shipped(session, root)
    return sessions


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
def app(database_url: str, root: Path, tmp_path: Path, run: Callable[..., Result]):  # type: ignore[no-untyped-def]
    run("init")
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


def fetched(client, response, headers=None):  # type: ignore[no-untyped-def]
    """The file behind a `202 Accepted`: the job (run at once, JOBS_EAGER) and then its result."""
    assert response.status_code == 202, response.status_code
    job = client.get(response.headers["Location"], headers=headers or {})
    assert job.status_code == 200 and job.json["state"] == "done", job.json
    return client.get(job.json["result"], headers=headers or {})
