"""The schema's migrations: the first revision makes the schema release b4747c7 made and the models
describe, and a store made by that release is upgraded by `translator init` without losing a row,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from click.testing import Result
from sqlalchemy import Connection, Engine, MetaData, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import REPO, empty_database
from translator import db
from translator.db import SchemaError
from translator.migrations import baseline
from translator.models import Base, Translation, User

# SQLAlchemy does not reflect SQLite's indexes on expressions (users' lower(username)), so
# Alembic cannot compare that one there: what it refuses is tested on both databases below
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based"),
]
RELEASE = REPO / "tests" / "data" / "release-b4747c7"
SEPARATOR = "-- statement\n"


def release_store(url: str) -> Engine:
    """An empty database given the schema release b4747c7 made (its `translator init`'s DDL)."""
    engine = db.make_engine(url)
    sql = (RELEASE / f"{engine.dialect.name}.sql").read_text()
    with engine.begin() as connection:
        for statement in sql.split(SEPARATOR)[1:]:
            connection.exec_driver_sql(statement)
    return engine


def backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


@pytest.fixture
def second_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database of the same kind as `database_url`."""
    with empty_database(backend(database_url), tmp_path / "second") as url:
        yield url


def alembic_config(**kwargs: Any) -> Config:
    """The configuration the `alembic` command reads from pyproject.toml."""
    config = Config(**kwargs)
    config.set_main_option("script_location", str(db.MIGRATIONS))
    return config


def fingerprint(connection: Connection) -> list[tuple[Any, ...]]:
    """Every table, column, constraint, index, trigger and function of the store, as the database
    describes them, without the migrations' own table, whitespace or schema names."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE tbl_name <> 'alembic_version'"
        )
        return sorted((*row[:3], " ".join((row[3] or "").split())) for row in rows)
    schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    queries = [
        "SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length,"
        " is_nullable, column_default FROM information_schema.columns"
        " WHERE table_schema = current_schema()",
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = current_schema()::regnamespace",
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
        "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
        " WHERE NOT tgisinternal AND tgrelid IN"
        " (SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)",
        "SELECT 'function', proname, prosrc FROM pg_proc"
        " WHERE pronamespace = current_schema()::regnamespace",
    ]
    found = []
    for query in queries:
        for row in connection.exec_driver_sql(query):
            if "alembic_version" not in row[0]:
                cells = (" ".join(str(c).replace(f"{schema}.", "").split()) for c in row)
                found.append(tuple(cells))
    return sorted(found)


def differences(engine: Engine) -> list[Any]:
    """What Alembic's autogenerate finds between the store and the models (on SQLite, without
    the index on lower(username): see `pytestmark`)."""
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def test_upgrading_an_empty_database_gives_the_models_schema(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.create_schema(engine)
    assert differences(engine) == []
    assert db.current_revision(engine) == db.head_revision() is not None
    engine.dispose()


def test_the_first_revision_makes_the_schema_release_b4747c7_made(
    database_url: str, second_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSLATOR_DATABASE_URL", database_url)
    command.upgrade(alembic_config(), baseline.REVISION)
    migrated = db.make_engine(database_url)
    release = release_store(second_url)
    with migrated.connect() as ours, release.connect() as theirs:
        made = fingerprint(ours)
        assert made == fingerprint(theirs)
    assert sum(1 for row in made if "edition_counts" in row[1]) >= 3  # triggers (and functions)
    migrated.dispose()
    release.dispose()


def edit_translations(connection: Connection) -> None:
    """Every kind of change the counts' triggers follow, in raw SQL as any path may do it."""
    for statement in [
        "INSERT INTO documents (id, slug, kind, title, source_sha256, created_at) VALUES "
        "(1, 'a', 'appeal', 'A', '', '2026-01-01'), (2, 'b', 'alert', 'B', '', '2026-01-01')",
        "INSERT INTO units (id, document_id, source, source_sha1, type, position, locations, "
        "words, obsolete) VALUES (1, 1, 'One two', 'u1', 'paragraph', 1, '', 2, false), "
        "(2, 1, 'Three', 'u2', 'paragraph', 2, '', 1, false), "
        "(3, 2, 'Four five six', 'u3', 'title', 1, '', 3, false)",
        "INSERT INTO translations (id, unit_id, language, text, state, version, comments, "
        "updated_at) VALUES (1, 1, 'fa', 'یک دو', 20, 0, '', '2026-01-01'), "
        "(2, 2, 'fa', '', 0, 0, '', '2026-01-01'), (3, 3, 'fa', 'x', 30, 0, '', '2026-01-01'), "
        "(4, 1, 'de', 'Eins zwei', 10, 0, '', '2026-01-01')",
        "UPDATE translations SET state = 30 WHERE id = 1",
        "UPDATE translations SET language = 'tr' WHERE id = 4",
        "UPDATE translations SET text = 'changed, same state' WHERE id = 2",
        "UPDATE units SET words = 5 WHERE id = 1",
        "UPDATE units SET obsolete = true WHERE id = 2",
        "UPDATE units SET document_id = 2 WHERE id = 1",
        "DELETE FROM translations WHERE id = 3",
        "DELETE FROM units WHERE id = 2",
    ]:
        connection.exec_driver_sql(statement)


def counts(connection: Connection) -> tuple[list[Any], list[Any]]:
    """The kept counts (rows at zero left out) and the counts recomputed from the translations."""
    kept = connection.exec_driver_sql(
        "SELECT document_id, language, state, units, words FROM edition_counts "
        "WHERE units <> 0 OR words <> 0 ORDER BY 1, 2, 3"
    )
    recount = connection.exec_driver_sql(
        "SELECT u.document_id, t.language, t.state, count(*), sum(u.words) FROM translations t "
        "JOIN units u ON u.id = t.unit_id WHERE NOT u.obsolete GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    return [tuple(r) for r in kept], [tuple(r) for r in recount]


def test_the_migrated_triggers_keep_the_counts_as_the_release_s_did(
    database_url: str, second_url: str
) -> None:
    migrated = db.make_engine(database_url)
    db.create_schema(migrated)
    release = release_store(second_url)
    found = []
    for engine in (migrated, release):
        with engine.begin() as connection:
            edit_translations(connection)
            found.append(counts(connection))
        engine.dispose()
    (kept, recount), release_counts = found
    assert kept == recount == [(2, "fa", 30, 1, 5), (2, "tr", 10, 1, 5)]
    assert release_counts == (kept, recount)


AT = dt.datetime(2026, 11, 20, 9, 30, 15)

# A store's worth of rows in every table of release b4747c7, inserted by column name, with what
# is easy to lose: Farsi with its ZWNJ, plural forms, JSON, bytes, dates, NULLs and flags.
RELEASE_ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [
        dict(
            id=1,
            username="admin",
            role="admin",
            languages="",
            password_hash="$argon2id$x",
            active=True,
            created_at=AT,
            interface_language="fa",
        ),
        dict(
            id=2,
            username="sara",
            role="translator",
            languages="fa,tr",
            password_hash="$argon2id$y",
            active=False,
            created_at=AT,
            interface_language="",
        ),
    ],
    "documents": [
        dict(
            id=1,
            slug="emergency-appeal",
            kind="appeal",
            title="Emergency Appeal",
            date=dt.date(2026, 11, 1),
            priority=None,
            deadline=None,
            source_sha256="a" * 64,
            created_at=AT,
            urgency_set_by=None,
        ),
        dict(
            id=2,
            slug="alert-7",
            kind="alert",
            title="Urgent: Save Ahmad",
            date=dt.date(2026, 11, 3),
            priority="urgent",
            deadline=dt.date(2026, 12, 24),
            source_sha256="b" * 64,
            created_at=AT,
            urgency_set_by=1,
        ),
    ],
    "units": [
        dict(
            id=1,
            document_id=1,
            source="Free them now.",
            source_plural=None,
            source_sha1="1" * 40,
            type="paragraph",
            position=1,
            locations="emergency-appeal.md:3",
            words=3,
            obsolete=False,
        ),
        dict(
            id=2,
            document_id=1,
            source="%(n)d prisoner",
            source_plural="%(n)d prisoners",
            source_sha1="2" * 40,
            type="paragraph",
            position=2,
            locations="",
            words=2,
            obsolete=False,
        ),
        dict(
            id=3,
            document_id=2,
            source="Gone.",
            source_plural=None,
            source_sha1="3" * 40,
            type="heading",
            position=1,
            locations="alert-7.md:5",
            words=1,
            obsolete=True,
        ),
    ],
    "translations": [
        dict(
            id=1,
            unit_id=1,
            language="fa",
            text="همین\u200cحالا آزادشان کنید.",
            state=30,
            version=3,
            previous_source=None,
            comments="# checked",
            updated_at=AT,
        ),
        dict(
            id=2,
            unit_id=1,
            language="tr",
            text="Onları şimdi serbest bırakın.",
            state=20,
            version=1,
            previous_source="Free them.",
            comments="",
            updated_at=AT,
        ),
        dict(
            id=3,
            unit_id=2,
            language="fr",
            text="%(n)d prisonnier\x1e\x1e%(n)d prisonniers\x1e\x1e%(n)d prisonniers",
            state=10,
            version=0,
            previous_source=None,
            comments="",
            updated_at=AT,
        ),
        dict(
            id=4,
            unit_id=3,
            language="de",
            text="Weg.",
            state=20,
            version=0,
            previous_source=None,
            comments="",
            updated_at=AT,
        ),
    ],
    "changes": [
        dict(
            id=1,
            unit_id=1,
            language="fa",
            user_id=2,
            action="edit",
            created_at=AT,
            old_text="",
            new_text="همین\u200cحالا",
            old_state=0,
            new_state=20,
            details="",
        ),
        dict(
            id=2,
            unit_id=1,
            language="fa",
            user_id=1,
            action="approve",
            created_at=AT,
            old_text="همین\u200cحالا",
            new_text="همین\u200cحالا آزادشان کنید.",
            old_state=20,
            new_state=30,
            details="bulk",
        ),
    ],
    "suggestions": [
        dict(
            id=1,
            unit_id=1,
            language="tr",
            text="Hemen serbest bırakın.",
            user_id=2,
            origin="tr-appeal.po",
            status="open",
            created_at=AT,
        ),
    ],
    "comments": [
        dict(
            id=1,
            unit_id=2,
            language="fr",
            user_id=2,
            text="Pluriel ?",
            question=True,
            resolved=False,
            created_at=AT,
        ),
    ],
    "catalogue_files": [
        dict(
            path="locales/fa/LC_MESSAGES/emergency-appeal.po",
            sha256="c" * 64,
            previous_sha256=None,
            inputs="d" * 64,
        ),
    ],
    "glossary_terms": [
        dict(
            id=1,
            english="Evin Prison",
            type="place",
            note="[fa] زندان اوین",
            forms={"fa": ["زندان اوین"], "de": ["Evin-Gefängnis", "Evin"]},
        ),
    ],
    "check_failures": [
        dict(
            id=1,
            translation_id=3,
            check="figures",
            severity="error",
            message="figure 1988 of the English is missing",
        ),
    ],
    "api_tokens": [
        dict(
            id=1,
            user_id=1,
            token_sha256="e" * 64,
            scopes="read,translate",
            created_at=AT,
            revoked=False,
        ),
    ],
    "web_sessions": [
        dict(id_sha256="f" * 64, user_id=2, csrf_token="g" * 64, created_at=AT, pending=True),
    ],
    "login_counters": [dict(key="account:sara", count=2, started=AT)],
    "invitations": [
        dict(
            id=1,
            token_sha256="h" * 64,
            role="reviewer",
            languages="de",
            created_by=1,
            expires_at=AT + dt.timedelta(days=7),
            used=False,
        ),
    ],
    "publications": [
        dict(
            id=1,
            document_id=1,
            language="fa",
            number=1,
            source_sha256="a" * 64,
            published_by=1,
            published_at=AT,
            title="فراخوان اضطراری",
            markdown="# فراخوان\n",
            units=[
                {
                    "unit": 1,
                    "version": 3,
                    "source": "Free them now.",
                    "text": "همین\u200cحالا آزادشان کنید.",
                }
            ],
        ),
    ],
    "settings": [dict(key="two_person_rule", value="on")],
    "audit_log": [
        dict(
            seq=1,
            at=AT,
            action="sign-in",
            actor_id=1,
            subject_id=None,
            details={},
            prev_sha256="0" * 64,
            sha256="1" * 64,
        ),
        dict(
            seq=2,
            at=AT,
            action="publish",
            actor_id=1,
            subject_id=1,
            details={"document": "emergency-appeal", "language": "fa"},
            prev_sha256="1" * 64,
            sha256="2" * 64,
        ),
    ],
    "audit_head": [
        dict(id=1, seq=2, sha256="2" * 64, anchor_seq=0, anchor_sha256="0" * 64),
    ],
    "second_factors": [
        dict(
            user_id=1,
            secret="JBSWY3DPEHPK3PXP",
            confirmed=True,
            last_step=58_000_000,
            created_at=AT,
        ),
    ],
    "recovery_codes": [dict(id=1, user_id=1, code_sha256="i" * 64, used=False)],
    "jobs": [
        dict(
            id="j" * 32,
            kind="import",
            params={"document": "alert-7", "language": "de"},
            payload=b'msgid ""\n\x00\xff',
            input_key=None,
            owner_id=2,
            state="done",
            done=1,
            total=1,
            result_key="k" * 64,
            message="1 imported",
            created_at=AT,
            started_at=AT,
            finished_at=None,
        ),
    ],
    "edition_files": [
        dict(
            key="k" * 64,
            filename="emergency-appeal.fa.pdf",
            mimetype="application/pdf",
            data=b"%PDF-1.7\n\x00\x01\xfe",
            created_at=AT,
        ),
    ],
}


def fill(engine: Engine) -> None:
    """Insert RELEASE_ROWS through the store's own tables, as they are in the database."""
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        for table in tables.sorted_tables:
            if table.name in RELEASE_ROWS:
                connection.execute(insert(table), RELEASE_ROWS[table.name])
        if connection.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in tables.sorted_tables:
                if "id" in table.c and table.c.id.autoincrement is True and table.name != "jobs":
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )


Rows = dict[str, list[dict[str, Any]]]


def snapshot(engine: Engine) -> Rows:
    """Every row of every table of the store but the migrations' own, in key order."""
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as connection:
        return {
            table.name: [
                dict(row._mapping)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in tables.sorted_tables
            if table.name != "alembic_version"
        }


def released_part(before: Rows, after: Rows) -> Rows:
    """The rows of `after` in the tables and columns `before` has (later revisions add some)."""
    return {
        name: [{column: row[column] for column in rows[0]} for row in after.get(name, [])]
        for name, rows in before.items()
    }


def test_a_store_made_by_release_b4747c7_keeps_every_row_through_init_twice(
    database_url: str, run: Callable[..., Result]
) -> None:
    release = release_store(database_url)
    fill(release)
    before = snapshot(release)
    assert {name for name, rows in before.items() if not rows} == set()
    counted = [(1, "fa", 30, 1, 3), (1, "fr", 10, 1, 2), (1, "tr", 20, 1, 3)]
    assert [tuple(row.values()) for row in before["edition_counts"]] == counted

    first = run("init")
    assert "already holds documents; nothing loaded" in first.output
    assert released_part(before, snapshot(release)) == before
    assert db.current_revision(release) == db.head_revision()
    assert differences(release) == []
    with release.connect() as connection:
        made = fingerprint(connection)
    again = snapshot(release)
    run("init")
    assert snapshot(release) == again
    with release.connect() as connection:
        assert fingerprint(connection) == made

    with db.transaction(db.session_factory(release)) as session:
        farsi = session.get(Translation, 1)
        assert farsi is not None and farsi.text == "همین\u200cحالا آزادشان کنید."
        assert farsi.unit.document.slug == "emergency-appeal"
        session.execute(update(Translation).where(Translation.id == 2).values(state=30))
    with release.connect() as connection:
        kept, recount = counts(connection)
    assert kept == recount and (1, "tr", 30, 1, 3) in kept
    status = run("status", "--json", "--document", "emergency-appeal", "--lang", "fa")
    assert '"approved": 1' in status.output
    release.dispose()


def test_a_store_older_than_the_release_gets_its_tables_columns_triggers_and_counts(
    database_url: str,
) -> None:
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        for statement in [
            "CREATE TABLE documents (id INTEGER PRIMARY KEY, slug VARCHAR(200) UNIQUE, "
            "kind VARCHAR(40), title TEXT, date DATE, priority VARCHAR(20), deadline DATE, "
            "source_sha256 VARCHAR(64))",
            "CREATE TABLE units (id INTEGER PRIMARY KEY, document_id INTEGER REFERENCES "
            "documents (id), source TEXT, source_sha1 VARCHAR(40), type VARCHAR(20), "
            "position INTEGER, locations TEXT, words INTEGER, obsolete BOOLEAN)",
            "CREATE TABLE translations (id INTEGER PRIMARY KEY, unit_id INTEGER REFERENCES "
            "units (id), language VARCHAR(10), text TEXT, state INTEGER, version INTEGER, "
            "previous_source TEXT, updated_at TIMESTAMP)",
            "INSERT INTO documents VALUES (1, 'faq', 'faq', 'FAQ', NULL, NULL, NULL, '')",
            "INSERT INTO units VALUES (1, 1, 'Why?', 's1', 'heading', 1, '', 1, false), "
            "(2, 1, 'Because.', 's2', 'paragraph', 2, '', 1, false)",
            "INSERT INTO translations VALUES (1, 1, 'fa', 'چرا؟', 30, 1, NULL, NULL), "
            "(2, 2, 'fa', 'چون.', 20, 1, NULL, NULL)",
        ]:
            connection.exec_driver_sql(statement)
    db.create_schema(engine)
    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as connection:
        assert counts(connection)[0] == [(1, "fa", 20, 1, 1), (1, "fa", 30, 1, 1)]
        comments = connection.exec_driver_sql("SELECT comments FROM translations").scalars()
        assert comments.all() == ["", ""]
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE translations SET state = 30 WHERE id = 2")
        kept, recount = counts(connection)
    assert kept == recount == [(1, "fa", 30, 2, 2)]
    assert set(Base.metadata.tables) <= set(snapshot(engine))
    engine.dispose()


def test_two_upgrades_at_once_make_one_schema(database_url: str) -> None:
    engines = [db.make_engine(database_url) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(db.create_schema, engines))
    assert differences(engines[0]) == []
    for engine in engines:
        engine.dispose()


def test_new_sqlite_stores_opened_twice_at_once_never_report_a_lock(tmp_path: Path) -> None:
    """Two processes starting on a new SQLite file both switch it to WAL; the one that asks
    while the other holds the file is told "locked" without SQLite's busy wait (it failed one
    time in eight before it waited and asked again)."""
    for round_ in range(12):
        url = f"sqlite:///{tmp_path / f'desk-{round_}.db'}"
        engines = [db.make_engine(url) for _ in range(2)]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(db.create_schema, engines))
        with engines[1].connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        for engine in engines:
            engine.dispose()


def test_a_sqlite_upgrade_that_would_leave_rows_pointing_nowhere_changes_nothing(
    tmp_path: Path,
) -> None:
    engine = release_store(f"sqlite:///{tmp_path / 'desk.db'}")
    fill(engine)
    with engine.connect() as connection:  # a unit whose document is gone, as no path makes it
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql("DELETE FROM documents WHERE id = 2")
        connection.commit()
    before = snapshot(engine)
    with pytest.raises(
        SchemaError, match=r"not exist \(1; the first: units row 3, for a row of documents\)"
    ):
        db.create_schema(engine)
    assert snapshot(engine) == before and db.current_revision(engine) is None
    engine.dispose()


def test_a_store_upgraded_by_a_newer_desk_is_refused_and_left_as_it_is(
    database_url: str, run: Callable[..., Result]
) -> None:
    engine = db.make_engine(database_url)
    db.create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    result = run("init", check=False)
    assert result.exit_code == 2
    assert "schema revision f00d, which this version of the desk does not know" in result.output
    assert db.current_revision(engine) == "f00d"
    current = run("db", "current", check=False)
    assert current.exit_code == 1
    assert f"f00d (this version's newest: {db.head_revision()})" in current.output
    engine.dispose()


def test_db_upgrade_and_current_on_a_store_made_before_migrations(
    database_url: str, run: Callable[..., Result]
) -> None:
    release_store(database_url).dispose()
    head = db.head_revision()
    before = run("db", "current", check=False)
    assert before.exit_code == 1 and f"none (this version's newest: {head})" in before.output
    assert f"Upgraded the store from no revision to {head}." in run("db", "upgrade").output
    assert f"The store is at {head}, the newest: nothing to do." in run("db", "upgrade").output
    assert run("db", "current").output == f"{head} (the newest)\n"


def test_an_upgrade_that_fails_changes_nothing(database_url: str) -> None:
    engine = release_store(database_url)
    with engine.begin() as connection:  # a table to add, then a name taken by something else
        connection.exec_driver_sql("DROP TABLE suggestions")
        connection.exec_driver_sql("DROP INDEX ix_check_failures_translation")
        connection.exec_driver_sql("CREATE TABLE ix_check_failures_translation (id INTEGER)")
    with pytest.raises(DBAPIError, match="ix_check_failures_translation"):
        db.create_schema(engine)
    assert "suggestions" not in snapshot(engine)
    assert db.current_revision(engine) is None
    engine.dispose()


def test_the_alembic_command_downgrades_and_upgrades_the_configured_store(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSLATOR_DATABASE_URL", database_url)
    engine = db.make_engine(database_url)
    command.upgrade(alembic_config(), "head")
    assert differences(engine) == []
    command.downgrade(alembic_config(), "base")
    assert set(snapshot(engine)) == set()
    command.upgrade(alembic_config(), "head")
    assert differences(engine) == [] and db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_the_upgrade_is_written_as_sql_for_postgresql_without_a_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRANSLATOR_DATABASE_URL", "postgresql+psycopg://nobody@nowhere/none")
    written = io.StringIO()
    command.upgrade(alembic_config(output_buffer=written), "head", sql=True)
    sql = written.getvalue()
    assert "CREATE TABLE translations (" in sql and "id SERIAL NOT NULL" in sql
    assert "CREATE TRIGGER edition_counts_unit_delete" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in sql
    assert f"UPDATE alembic_version SET version_num='{db.head_revision()}'" in sql
    assert "CREATE UNIQUE INDEX uq_users_username_lower ON users (lower(username))" in sql


def test_developers_run_alembic_from_the_repository_without_an_ini_file() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "alembic", "heads"], cwd=REPO, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == f"{db.head_revision()} (head)"
    assert not (REPO / "alembic.ini").exists()


# Revision 0002: user names unique whatever their case.

CLASHING_USERS = [
    {"id": n, "username": name, "role": role, "languages": "", "password_hash": "$argon2id$x"}
    | {"active": True, "created_at": AT, "interface_language": ""}
    for n, (name, role) in enumerate(
        [
            ("trfa", "translator"),
            ("TRFA", "translator"),
            ("Ali", "reviewer"),
            ("ali", "editor"),
            ("sara", "admin"),
        ],
        start=1,
    )
]


def users_at_0001(url: str, monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, Any]]) -> Engine:
    """A store at revision 0001 holding these users."""
    monkeypatch.setenv("TRANSLATOR_DATABASE_URL", url)
    command.upgrade(alembic_config(), "0001")
    engine = db.make_engine(url)
    users = MetaData()
    users.reflect(engine, only=["users"])
    with engine.begin() as connection:
        connection.execute(insert(users.tables["users"]), rows)
    return engine


def test_user_names_differing_only_by_case_are_refused_by_the_upgrade_naming_them(
    database_url: str, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    engine = users_at_0001(database_url, monkeypatch, CLASHING_USERS)
    before = snapshot(engine)
    with pytest.raises(SchemaError, match=r"these do not: 'Ali' and 'ali'; 'TRFA' and 'trfa'\."):
        db.create_schema(engine)
    refused = run("db", "upgrade", check=False)
    assert refused.exit_code == 2 and "'TRFA' and 'trfa'" in refused.output
    assert "Traceback" not in refused.output and "nothing was changed" in refused.output
    assert snapshot(engine) == before and db.current_revision(engine) == "0001"
    with engine.begin() as connection:  # one of each pair retired, as `users retire` does
        connection.execute(text("UPDATE users SET username = 'volunteer-3f9a1c' WHERE id = 2"))
        connection.execute(text("UPDATE users SET username = 'volunteer-3f9a1d' WHERE id = 4"))
    db.create_schema(engine)
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_user_names_differing_only_by_case_are_refused_by_the_store(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = users_at_0001(database_url, monkeypatch, CLASHING_USERS[::2])  # trfa, Ali, sara
    db.create_schema(engine)
    trfa = insert(User.__table__).values(
        id=10,
        username="Trfa",
        role="translator",
        languages="",
        password_hash="x",
        active=True,
        created_at=AT,
        interface_language="",
    )
    clash = pytest.raises(DBAPIError, match="uq_users_username_lower")
    with clash, engine.begin() as connection:
        connection.execute(trfa)
    command.downgrade(alembic_config(), "0001")  # the revision undone: its index goes with it
    with engine.begin() as connection:
        connection.execute(trfa)
    engine.dispose()
