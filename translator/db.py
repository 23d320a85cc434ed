"""The database engine and sessions, SQLite by default, PostgreSQL by URL; and the schema, made
and upgraded by the Alembic revisions of translator/migrations/.

Alembic (and the frozen baseline schema) are imported by the functions that use them, not here:
they take a fifth of a second to import, and every `translator` command imports this module
while only `init` and `db` touch the schema (tests/test_extract_startup.py holds that).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    Table,
    create_engine,
    event,
    inspect,
    make_url,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from translator.services import DeskError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# the key of the lock an upgrade holds: one per PostgreSQL database and schema
_LOCK = "hashtext('translator schema upgrade ' || current_schema())"


class SchemaError(DeskError):
    """The store's schema cannot be brought to this version's: what it is, and what to do."""


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys and a busy timeout (30 s, unless the
    URL says `?timeout=`). A server's pooled connections are tried before use (pool_pre_ping), so
    the desk recovers by itself once a restarted database answers again."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        timeout = {} if "timeout" in make_url(url).query else {"timeout": 30}
        engine = create_engine(url, connect_args=timeout)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


# what a driver says when the store cannot be reached, is starting or stopping, or cannot write
# for now (locked past its busy timeout, its disk failing or full): not a bug, a wait
_UNAVAILABLE = (
    "connection refused",
    "could not connect",
    "connection timed out",
    "timeout expired",
    "no route to host",
    "connection to server",
    "server closed the connection",
    "terminating connection",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the connection is closed",
    "the connection is lost",
    "consuming input failed",
    "ssl connection has been closed",
    "database is locked",
    "disk i/o error",
    "database or disk is full",
    "unable to open database file",
)


def unavailable(error: BaseException) -> bool:
    """Whether a database error means the store is unreachable or cannot write for now (so the
    request may be asked again), rather than a bug."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    said = str(error.orig if error.orig is not None else error).lower()
    return any(sign in said for sign in _UNAVAILABLE)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    _write_ahead_log(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Bring the store to this version's newest revision (Alembic's `upgrade head`) in one
    transaction: an empty database gets every table, a store made before migrations is first
    brought to the first revision and stamped with it, and a current store is left as it is."""
    from alembic import command

    from translator.migrations import baseline

    with migrating(engine) as connection:
        _refuse_unknown_revision(connection)
        if baseline.made_before_migrations(connection):
            baseline.adopt(connection)
            command.stamp(_alembic(connection), baseline.REVISION)
        command.upgrade(_alembic(connection), "head")


def _write_ahead_log(cursor: Any, patience: float = 30.0) -> None:
    """Put the file in WAL mode (kept by the file once set). A connection that asks while
    another one holds the file's lock, as when two processes open a new store at once, is told
    "locked" at once, without SQLite's busy wait: it waits and asks again, up to `patience`
    seconds."""
    deadline = time.monotonic() + patience
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def current_revision(engine: Engine) -> str | None:
    """The store's revision; None when it has none (empty, or made before migrations)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """This version's newest revision."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("units")


def _alembic(connection: Connection) -> Config:
    """Alembic's configuration, without a file: the scripts here, the upgrade's connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _refuse_unknown_revision(connection: Connection) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None:
        return
    try:
        ScriptDirectory(str(MIGRATIONS)).get_revision(revision)
    except CommandError:
        raise SchemaError(
            f"the store is at schema revision {revision}, which this version of the desk does "
            "not know: it was upgraded by a newer version; run that version (or restore a "
            "backup made before the upgrade)"
        ) from None


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for a whole upgrade, which another upgrade of the same
    store waits for. On SQLite, DDL is part of the transaction and foreign keys are not enforced
    while it lasts (a batch migration copies a table, and dropping the old one must not cascade),
    then checked before it commits."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            with _sqlite_transaction(connection):
                yield connection
            return
        with connection.begin():
            # one upgrade at a time per database and schema, e.g. `translator init` on two machines
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK})"))
            yield connection


@contextmanager
def _sqlite_transaction(connection: Connection) -> Iterator[None]:
    driver = connection.connection.driver_connection
    assert driver is not None
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # no effect inside a transaction
    # a batch migration drops a table and renames its copy: no check of the triggers that name
    # the table in between (they would fail, naming it missing)
    connection.exec_driver_sql("PRAGMA legacy_alter_table=ON")
    previous = driver.isolation_level
    driver.isolation_level = None  # the module's own BEGIN skips DDL: ours covers everything
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            schema = _schema_version(connection)
            yield
            if _schema_version(connection) != schema:  # something was done: check it
                _check_foreign_keys(connection)
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
    finally:
        driver.isolation_level = previous
        connection.exec_driver_sql("PRAGMA legacy_alter_table=OFF")
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _schema_version(connection: Connection) -> int:
    return int(connection.exec_driver_sql("PRAGMA schema_version").scalar_one())


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise SchemaError(
            f"after the upgrade, rows would point at rows that do not exist ({len(broken)}; the "
            f"first: {table} row {rowid}, for a row of {parent}); nothing was changed"
        )


def refresh_statistics(engine: Engine) -> None:
    """Let the database's planner know the store's sizes (ANALYZE), after a load or an update of
    many rows. Without them SQLite reads an edition by scanning every translation of its
    language (46 ms at 50,000 units) rather than by its document (1.4 ms)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


AUDIT_KEY = "translator.audit_key"  # in a session's info: the audit log's key (services/audit.py)


def session_factory(engine: Engine, audit_key: bytes | None = None) -> sessionmaker[Session]:
    """Sessions on the engine; with `audit_key`, the key their audit rows are keyed with (else
    services/audit.py reads this process's configuration for it)."""
    info = {} if audit_key is None else {AUDIT_KEY: audit_key}
    return sessionmaker(engine, expire_on_commit=False, info=info)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls everything back when it fails."""
    with factory() as session, session.begin():
        yield session


def insert_rows(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """Insert many rows, each with the same keys, in the session's transaction, through the
    driver's executemany: as SQLAlchemy's insert would store them, at a fraction of its cost.

    SQLAlchemy handles each row's parameters one by one (looked up, converted, one call each),
    which at `translator init` takes as long as SQLite's inserting them. Here the driver is
    given a tuple a row, each value converted by its column type's own bind processor, exactly
    as SQLAlchemy sends it (on SQLite a date becomes SQLAlchemy's string, a flag 0 or 1), but
    once per distinct value: the values of a converted column must be hashable (dates, flags).
    Columns left out are NULL or the database's default; one with a default in the models must
    be given, since SQLAlchemy would fill it in (tests/test_loading_rows.py).
    """
    if not rows:
        return
    names = list(rows[0])
    unfilled = [c.name for c in table.columns if c.default is not None and c.name not in names]
    if unfilled:
        raise ValueError(f"{table.name}: give {', '.join(unfilled)} (they have defaults)")
    connection = session.connection()
    dialect = connection.dialect
    columns = []
    for name in names:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            stored = {value: process(value) for value in set(values)}
            values = [stored[value] for value in values]
        columns.append(values)
    quote = dialect.identifier_preparer.quote
    connection.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
        f"VALUES ({', '.join([marker(dialect)] * len(names))})",
        list(zip(*columns, strict=True)),
    )


def marker(dialect: Dialect) -> str:
    """The driver's placeholder for a parameter, in SQL sent straight to it."""
    return "?" if dialect.paramstyle == "qmark" else "%s"  # SQLite's; psycopg's
