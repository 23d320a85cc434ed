"""The database engine and sessions: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.schema import ColumnDefault

from translator import aggregates
from translator.models import Base


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Create what is missing: tables, and the triggers that keep the edition counts (filled from
    the translations when the counts table is new, e.g. in a store made before it existed)."""
    with engine.begin() as connection:
        new_counts = not inspect(connection).has_table("edition_counts")
        Base.metadata.create_all(connection)
        _add_missing_columns(connection)
        aggregates.install(connection)
        if new_counts:
            aggregates.recount(connection)


def _add_missing_columns(connection: Connection) -> None:
    """A store made by an earlier version gets the columns added since (new columns only, never a
    change or a removal), filled with their default: `translator init` upgrades in place."""
    inspector = inspect(connection)
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            connection.exec_driver_sql(
                f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'
            )
            default = column.default
            if isinstance(default, ColumnDefault):
                value = default.arg(None) if default.is_callable else default.arg
                connection.execute(update(table).values({column.name: value}))


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("units")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls everything back when it fails."""
    with factory() as session, session.begin():
        yield session
