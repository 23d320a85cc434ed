"""`translator init` inserts a store's units, translations and their history through the driver
(`db.insert_rows`), not through SQLAlchemy's insert: what it stores is what SQLAlchemy's own
insert of the same rows stores, value for value and type for type, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Table, insert, select
from sqlalchemy.orm import Session

from tests.conftest import empty_database
from translator import db
from translator.models import Base, Change, State, Translation, Unit
from translator.services import loading

NOW = dt.datetime(2024, 5, 6, 7, 8, 9, 123456)  # the load's time, fixed: both loads give it
TABLES = ("units", "translations", "changes", "edition_counts", "catalogue_files")


@pytest.fixture
def second_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database of the same kind as `database_url`."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with empty_database(kind, tmp_path / "second") as url:
        yield url


def sqlalchemy_insert(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """The reference: SQLAlchemy's own insert of many rows, as loading made it before."""
    if rows:
        session.execute(insert(table), rows)


def load(url: str, root: Path, *, reference: bool) -> Engine:
    engine = db.make_engine(url)
    db.create_schema(engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loading, "utcnow", lambda: NOW)
        if reference:
            patch.setattr(db, "insert_rows", sqlalchemy_insert)
        with db.transaction(db.session_factory(engine)) as session:
            loading.load(session, root)
    return engine


def raw_rows(connection: Connection, table: str) -> list[tuple[Any, ...]]:
    """Every row as the database keeps it, read past SQLAlchemy's types: on SQLite with each
    value's storage class, on PostgreSQL with the Python type psycopg reads it as."""
    columns = [c.name for c in Base.metadata.tables[table].columns]
    order = ", ".join(c.name for c in Base.metadata.tables[table].primary_key)
    if connection.dialect.name == "sqlite":
        listed = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
        return list(
            map(tuple, connection.exec_driver_sql(f"SELECT {listed} FROM {table} ORDER BY {order}"))
        )
    found = connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY {order}")
    return [tuple((value, type(value).__name__) for value in row) for row in found]


def orm_rows(session: Session, model: type[Base]) -> list[dict[str, tuple[Any, type]]]:
    """Every row as the models read it: each attribute's value and Python type."""
    keys = [c.key for c in model.__mapper__.column_attrs]
    return [
        {key: (getattr(obj, key), type(getattr(obj, key))) for key in keys}
        for obj in session.scalars(select(model).order_by(*model.__mapper__.primary_key))
    ]


@pytest.mark.unfinished
def test_loaded_rows_are_stored_as_sqlalchemy_s_insert_stores_them(
    database_url: str, second_url: str, root: Path
) -> None:
    # one English sentence changed: its old translations become an obsolete unit, and the new
    # sentence starts from them (needs editing, with the English they were made for); and one
    # translation approved
    card = root / "source_texts" / "palm-card.md"
    card.write_text(
        card.read_text().replace("**Donate** to the campaign.", "**Donate** to the campaign now.")
    )
    french = root / "locales" / "fr" / "LC_MESSAGES" / "palm-card.po"
    french.write_text(french.read_text().replace('msgid "Act Now"', '#, approved\nmsgid "Act Now"'))
    ours = load(database_url, root, reference=False)
    theirs = load(second_url, root, reference=True)
    try:
        with ours.connect() as mine, theirs.connect() as reference:
            for table in TABLES:
                assert raw_rows(mine, table) == raw_rows(reference, table), table
        with Session(ours) as mine, Session(theirs) as reference:
            for model in (Unit, Translation, Change):
                assert orm_rows(mine, model) == orm_rows(reference, model), model.__name__
            units, translations, changes = (orm_rows(mine, m) for m in (Unit, Translation, Change))
    finally:
        ours.dispose()
        theirs.dispose()
    # the rows hold every kind of value the types convert
    assert {u["obsolete"] for u in units} == {(False, bool), (True, bool)}
    assert any(u["source_plural"][0] is not None for u in units)
    assert {t["state"][0] for t in translations} == set(State)
    assert any(t["previous_source"][0] is not None for t in translations)
    assert {t["updated_at"][1] for t in translations} == {dt.datetime}
    assert changes and {c["created_at"] for c in changes} == {(NOW, dt.datetime)}


def test_rows_must_give_the_columns_sqlalchemy_would_fill_in() -> None:
    table = Base.metadata.tables["translations"]
    row: dict[str, object] = {"unit_id": 1, "language": "fa", "text": "", "state": 0}
    with pytest.raises(ValueError, match="give version, comments, updated_at"):
        db.insert_rows(Session(), table, [row])
