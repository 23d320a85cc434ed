"""The schema of release b4747c7, the last made without migrations, frozen: what the first
revision creates, and what a store made by that release (or an earlier one) is brought to before
it is stamped with that revision.

Nothing here may follow the models as they change: a change of schema is a new revision
(docs/migrations.md). The tables are written as SQLAlchemy made them from the release's models;
the triggers are the release's, which keep `edition_counts` (units and words of each document,
language and state; obsolete units not counted) true on every path that changes a translation
or a unit, so that the dashboard reads a few thousand rows rather than every translation.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    update,
)
from sqlalchemy.sql.schema import ColumnDefault

REVISION = "0001"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


metadata = MetaData()

Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("date", Date),
    Column("priority", String(20)),
    Column("deadline", Date),
    Column("source_sha256", String(64), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
    Column("urgency_set_by", Integer, ForeignKey("users.id")),
)

Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("source", Text, nullable=False),
    Column("source_plural", Text),
    Column("source_sha1", String(40), nullable=False),
    Column("type", String(20), nullable=False),
    Column("position", Integer, nullable=False),
    Column("locations", Text, nullable=False, default=""),
    Column("words", Integer, nullable=False, default=0),
    Column("obsolete", Boolean, nullable=False, default=False),
    UniqueConstraint("document_id", "source_sha1"),
)

Table(
    "translations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("language", String(10), nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("state", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=0),
    Column("previous_source", Text),
    Column("comments", Text, nullable=False, default=""),
    Column("updated_at", DateTime, nullable=False, default=_utcnow),
    UniqueConstraint("unit_id", "language"),
    Index("ix_translations_language_state", "language", "state"),
)

Table(
    "edition_counts",
    metadata,
    Column(
        "document_id",
        Integer,
        ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("language", String(10), primary_key=True),
    Column("state", Integer, primary_key=True),
    Column("units", Integer, nullable=False, default=0),
    Column("words", Integer, nullable=False, default=0),
)

Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("role", String(20), nullable=False, default="translator"),
    Column("languages", String(100), nullable=False, default=""),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
    Column("interface_language", String(10), nullable=False, default=""),
)

Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("language", String(10), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("action", String(30), nullable=False),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
    Column("old_text", Text, nullable=False, default=""),
    Column("new_text", Text, nullable=False, default=""),
    Column("old_state", Integer, nullable=False, default=0),
    Column("new_state", Integer, nullable=False, default=0),
    Column("details", Text, nullable=False, default=""),
    Index("ix_changes_unit_language", "unit_id", "language"),
    Index("ix_changes_language_created", "language", "created_at"),
)

Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("language", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("origin", String(200), nullable=False, default=""),
    Column("status", String(20), nullable=False, default="open"),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
)

Table(
    "catalogue_files",
    metadata,
    Column("path", String(500), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("previous_sha256", String(64)),
    Column("inputs", String(64)),
)

Table(
    "glossary_terms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("english", String(300), nullable=False, unique=True),
    Column("type", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("forms", JSON, nullable=False, default=dict),
)

Table(
    "check_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "translation_id",
        Integer,
        ForeignKey("translations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("check", String(30), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Index("ix_check_failures_translation", "translation_id"),
)

Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("scopes", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
    Column("revoked", Boolean, nullable=False, default=False),
)

Table(
    "web_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
    Column("pending", Boolean, nullable=False, default=False),
)

Table(
    "login_counters",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("count", Integer, nullable=False, default=0),
    Column("started", DateTime, nullable=False, default=_utcnow),
)

Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("language", String(10), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("text", Text, nullable=False),
    Column("question", Boolean, nullable=False, default=False),
    Column("resolved", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
)

Table(
    "invitations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("languages", String(100), nullable=False, default=""),
    Column("created_by", Integer, ForeignKey("users.id")),
    Column("expires_at", DateTime, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

Table(
    "publications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("language", String(10), nullable=False),
    Column("number", Integer, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("published_by", Integer, ForeignKey("users.id")),
    Column("published_at", DateTime, nullable=False, default=_utcnow),
    Column("title", Text, nullable=False),
    Column("markdown", Text, nullable=False),
    Column("units", JSON, nullable=False, default=list),
    Index("ix_publications_document_language", "document_id", "language"),
)

Table(
    "settings",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", String(200), nullable=False),
)

Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("action", String(40), nullable=False),
    Column("actor_id", Integer),
    Column("subject_id", Integer),
    Column("details", JSON, nullable=False, default=dict),
    Column("prev_sha256", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Index("ix_audit_log_at", "at"),
)

Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False, default=0),
    Column("sha256", String(64), nullable=False),
    Column("anchor_seq", Integer, nullable=False, default=0),
    Column("anchor_sha256", String(64), nullable=False),
)

Table(
    "second_factors",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("confirmed", Boolean, nullable=False, default=False),
    Column("last_step", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
)

Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("code_sha256", String(64), nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("params", JSON, nullable=False, default=dict),
    Column("payload", LargeBinary),
    Column("input_key", String(64)),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("state", String(10), nullable=False, default="queued"),
    Column("done", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=1),
    Column("result_key", String(64)),
    Column("message", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Index("ix_jobs_input_key_state", "input_key", "state"),
)

Table(
    "edition_files",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("filename", String(200), nullable=False),
    Column("mimetype", String(60), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False, default=_utcnow),
)


# One contribution of a translation or a unit, added to (or, negative, taken from) the counts.
_SQLITE_TRIGGERS = {
    "edition_counts_translation_insert": """
CREATE TRIGGER edition_counts_translation_insert
AFTER INSERT ON translations BEGIN
  INSERT INTO edition_counts (document_id, language, state, units, words)
  SELECT u.document_id, NEW.language, NEW.state, +1, +u.words
  FROM units u WHERE u.id = NEW.unit_id AND NOT u.obsolete
  ON CONFLICT (document_id, language, state) DO UPDATE
  SET units = edition_counts.units + excluded.units,
      words = edition_counts.words + excluded.words;
END""",
    "edition_counts_translation_update": """
CREATE TRIGGER edition_counts_translation_update
AFTER UPDATE OF state, language, unit_id ON translations
WHEN OLD.state <> NEW.state OR OLD.language <> NEW.language OR OLD.unit_id <> NEW.unit_id
BEGIN
  INSERT INTO edition_counts (document_id, language, state, units, words)
  SELECT u.document_id, OLD.language, OLD.state, -1, -u.words
  FROM units u WHERE u.id = OLD.unit_id AND NOT u.obsolete
  ON CONFLICT (document_id, language, state) DO UPDATE
  SET units = edition_counts.units + excluded.units,
      words = edition_counts.words + excluded.words;
  INSERT INTO edition_counts (document_id, language, state, units, words)
  SELECT u.document_id, NEW.language, NEW.state, +1, +u.words
  FROM units u WHERE u.id = NEW.unit_id AND NOT u.obsolete
  ON CONFLICT (document_id, language, state) DO UPDATE
  SET units = edition_counts.units + excluded.units,
      words = edition_counts.words + excluded.words;
END""",
    "edition_counts_translation_delete": """
CREATE TRIGGER edition_counts_translation_delete
AFTER DELETE ON translations BEGIN
  INSERT INTO edition_counts (document_id, language, state, units, words)
  SELECT u.document_id, OLD.language, OLD.state, -1, -u.words
  FROM units u WHERE u.id = OLD.unit_id AND NOT u.obsolete
  ON CONFLICT (document_id, language, state) DO UPDATE
  SET units = edition_counts.units + excluded.units,
      words = edition_counts.words + excluded.words;
END""",
    "edition_counts_unit_update": """
CREATE TRIGGER edition_counts_unit_update
AFTER UPDATE OF words, obsolete, document_id ON units
WHEN OLD.words <> NEW.words OR OLD.obsolete <> NEW.obsolete
  OR OLD.document_id <> NEW.document_id
BEGIN
  INSERT INTO edition_counts (document_id, language, state, units, words)
  SELECT OLD.document_id, t.language, t.state, -1, -OLD.words
  FROM translations t WHERE t.unit_id = OLD.id AND NOT OLD.obsolete
  ORDER BY t.language, t.state
  ON CONFLICT (document_id, language, state) DO UPDATE
  SET units = edition_counts.units + excluded.units,
      words = edition_counts.words + excluded.words;
  INSERT INTO edition_counts (document_id, language, state, units, words)
  SELECT NEW.document_id, t.language, t.state, +1, +NEW.words
  FROM translations t WHERE t.unit_id = NEW.id AND NOT NEW.obsolete
  ORDER BY t.language, t.state
  ON CONFLICT (document_id, language, state) DO UPDATE
  SET units = edition_counts.units + excluded.units,
      words = edition_counts.words + excluded.words;
END""",
    "edition_counts_unit_delete": """
CREATE TRIGGER edition_counts_unit_delete
BEFORE DELETE ON units BEGIN
  INSERT INTO edition_counts (document_id, language, state, units, words)
  SELECT OLD.document_id, t.language, t.state, -1, -OLD.words
  FROM translations t WHERE t.unit_id = OLD.id AND NOT OLD.obsolete
  ORDER BY t.language, t.state
  ON CONFLICT (document_id, language, state) DO UPDATE
  SET units = edition_counts.units + excluded.units,
      words = edition_counts.words + excluded.words;
END""",
}

# PostgreSQL: one plpgsql function per table, called by its triggers.
_POSTGRESQL_FUNCTIONS = {
    "edition_counts_translation": """
CREATE OR REPLACE FUNCTION edition_counts_translation() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.state = NEW.state AND OLD.language = NEW.language
     AND OLD.unit_id = NEW.unit_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO edition_counts (document_id, language, state, units, words)
    SELECT u.document_id, OLD.language, OLD.state, -1, -u.words
    FROM units u WHERE u.id = OLD.unit_id AND NOT u.obsolete
    ON CONFLICT (document_id, language, state) DO UPDATE
    SET units = edition_counts.units + excluded.units,
        words = edition_counts.words + excluded.words;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO edition_counts (document_id, language, state, units, words)
    SELECT u.document_id, NEW.language, NEW.state, +1, +u.words
    FROM units u WHERE u.id = NEW.unit_id AND NOT u.obsolete
    ON CONFLICT (document_id, language, state) DO UPDATE
    SET units = edition_counts.units + excluded.units,
        words = edition_counts.words + excluded.words;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "edition_counts_unit": """
CREATE OR REPLACE FUNCTION edition_counts_unit() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.words = NEW.words AND OLD.obsolete = NEW.obsolete
     AND OLD.document_id = NEW.document_id THEN
    RETURN NULL;
  END IF;
  INSERT INTO edition_counts (document_id, language, state, units, words)
  SELECT OLD.document_id, t.language, t.state, -1, -OLD.words
  FROM translations t WHERE t.unit_id = OLD.id AND NOT OLD.obsolete
  ORDER BY t.language, t.state
  ON CONFLICT (document_id, language, state) DO UPDATE
  SET units = edition_counts.units + excluded.units,
      words = edition_counts.words + excluded.words;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO edition_counts (document_id, language, state, units, words)
    SELECT NEW.document_id, t.language, t.state, +1, +NEW.words
    FROM translations t WHERE t.unit_id = NEW.id AND NOT NEW.obsolete
    ORDER BY t.language, t.state
    ON CONFLICT (document_id, language, state) DO UPDATE
    SET units = edition_counts.units + excluded.units,
        words = edition_counts.words + excluded.words;
    RETURN NULL;
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql""",
}

# trigger -> (its table, its definition)
_POSTGRESQL_TRIGGERS = {
    "edition_counts_translation": (
        "translations",
        """CREATE TRIGGER edition_counts_translation
AFTER INSERT OR UPDATE OF state, language, unit_id OR DELETE ON translations
FOR EACH ROW EXECUTE FUNCTION edition_counts_translation()""",
    ),
    "edition_counts_unit_update": (
        "units",
        """CREATE TRIGGER edition_counts_unit_update
AFTER UPDATE OF words, obsolete, document_id ON units
FOR EACH ROW EXECUTE FUNCTION edition_counts_unit()""",
    ),
    "edition_counts_unit_delete": (
        "units",
        """CREATE TRIGGER edition_counts_unit_delete
BEFORE DELETE ON units FOR EACH ROW EXECUTE FUNCTION edition_counts_unit()""",
    ),
}

_RECOUNT = """
INSERT INTO edition_counts (document_id, language, state, units, words)
SELECT u.document_id, t.language, t.state, count(*), sum(u.words)
FROM translations t JOIN units u ON u.id = t.unit_id WHERE NOT u.obsolete
GROUP BY u.document_id, t.language, t.state"""


def create_triggers(dialect: str) -> list[str]:
    """The statements that create the counts' triggers (and their functions) on a dialect."""
    if dialect == "postgresql":
        functions = [sql.strip() for sql in _POSTGRESQL_FUNCTIONS.values()]
        return functions + [sql for _, sql in _POSTGRESQL_TRIGGERS.values()]
    return [sql.strip() for sql in _SQLITE_TRIGGERS.values()]


def drop_triggers(dialect: str) -> list[str]:
    """The statements that drop the counts' triggers (and functions), wherever they are there."""
    if dialect == "postgresql":
        triggers = [
            f"DROP TRIGGER IF EXISTS {name} ON {table}"
            for name, (table, _) in _POSTGRESQL_TRIGGERS.items()
        ]
        return triggers + [f"DROP FUNCTION IF EXISTS {name}()" for name in _POSTGRESQL_FUNCTIONS]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]


def made_before_migrations(connection: Connection) -> bool:
    """Whether the database holds a store made without migrations (no `alembic_version`)."""
    present = set(inspect(connection).get_table_names())
    return "alembic_version" not in present and bool(present & set(metadata.tables))


def adopt(connection: Connection) -> None:
    """Bring a store made without migrations to this schema, as those releases' `translator init`
    did: missing tables created, missing columns added and filled with their default (never a
    change or a removal), missing indexes made, the triggers made again, and the counts rebuilt
    when their table is new."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in present:
            table.create(connection)
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        _add_missing_columns(connection, table, columns)
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(connection)
    for statement in drop_triggers(connection.dialect.name) + create_triggers(
        connection.dialect.name
    ):
        connection.exec_driver_sql(statement)
    if "edition_counts" not in present:
        connection.exec_driver_sql(_RECOUNT)


def _add_missing_columns(connection: Connection, table: Table, present: set[str]) -> None:
    for column in table.columns:
        if column.name in present:
            continue
        kind = column.type.compile(dialect=connection.dialect)
        connection.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
        default = column.default
        if isinstance(default, ColumnDefault):
            value = default.arg(None) if default.is_callable else default.arg
            connection.execute(update(table).values({column.name: value}))
