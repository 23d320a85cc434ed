"""Dashboard versions: what the editors' dashboard shows beyond the public pages, numbered

`dashboard_versions` holds a version per document and language, raised by triggers whenever a
dashboard figure that `public_versions` (0007) does not follow may change: an error-level check
failure found or gone, a question asked, answered or removed, a translation's previous English
(approved units whose English changed since), a publication changed in place. The dashboard
keeps each document's row per process under both tables' versions (services/dashboard.py) and
reads only the documents whose versions moved.

A translation inserted raises nothing here (a trigger on every inserted row would cost
`translator init` about 10 µs a translation): the dashboard reads the store's newest translation
beside the versions, and units inserted raise their document's public version anyway.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

_BUMP = """INSERT INTO dashboard_versions (document_id, language, version)
  {select}
  ON CONFLICT (document_id, language) DO UPDATE SET version = dashboard_versions.version + 1"""

# table -> the edition a row of it belongs to ({row}: OLD or NEW); every SELECT has a WHERE, which
# SQLite needs to tell the upsert's ON from a join's, and to which a condition is added
_EDITION = {
    "translations": "SELECT u.document_id, {row}.language, 1 FROM units u"
    " WHERE u.id = {row}.unit_id",
    "check_failures": "SELECT u.document_id, t.language, 1 FROM translations t"
    " JOIN units u ON u.id = t.unit_id WHERE t.id = {row}.translation_id",
    "comments": "SELECT u.document_id, {row}.language, 1 FROM units u WHERE u.id = {row}.unit_id",
    "publications": "SELECT {row}.document_id, {row}.language, 1 WHERE true",
}

# table -> (the events followed, when a row concerns the dashboard ({row}: OLD or NEW)); an
# update raises the edition of the old row and of the new one, each when it concerns it
_FOLLOWED = {
    "check_failures": (("INSERT", "UPDATE", "DELETE"), "{row}.severity = 'error'"),
    "comments": (("INSERT", "UPDATE", "DELETE"), "{row}.question"),
    "publications": (("UPDATE",), "true"),
}

# a translation's previous English (and, were it ever moved, its unit or language)
_TRANSLATION_CHANGED = {
    "sqlite": "OLD.previous_source IS NOT NEW.previous_source"
    " OR OLD.unit_id <> NEW.unit_id OR OLD.language <> NEW.language",
    "postgresql": "OLD.previous_source IS DISTINCT FROM NEW.previous_source"
    " OR OLD.unit_id <> NEW.unit_id OR OLD.language <> NEW.language",
}
_TRANSLATION_MOVED = "OLD.unit_id <> NEW.unit_id OR OLD.language <> NEW.language"


def _bump(table: str, row: str, condition: str = "true") -> str:
    select = _EDITION[table].format(row=row)
    return _BUMP.format(select=f"{select} AND ({condition.format(row=row)})") + ";"


def _sqlite_triggers() -> dict[str, str]:
    made = {
        "dashboard_versions_translations_update": "AFTER UPDATE OF previous_source, unit_id,"
        f" language ON translations WHEN {_TRANSLATION_CHANGED['sqlite']} BEGIN"
        f" {_bump('translations', 'NEW')} {_bump('translations', 'OLD', _TRANSLATION_MOVED)} END"
    }
    for table, (events, concerns) in _FOLLOWED.items():
        for event in events:
            rows = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}[event]
            when = " OR ".join(concerns.format(row=row) for row in rows)
            body = " ".join(_bump(table, row, concerns) for row in rows)
            made[f"dashboard_versions_{table}_{event.lower()}"] = (
                f"AFTER {event} ON {table} WHEN {when} BEGIN {body} END"
            )
    return made


def _postgresql_functions() -> dict[str, tuple[str, str]]:
    """table -> (its trigger's events, its function's body)."""
    made = {
        "translations": (
            "AFTER UPDATE OF previous_source, unit_id, language",
            f"""IF {_TRANSLATION_CHANGED["postgresql"]} THEN
    {_bump("translations", "NEW")}
    {_bump("translations", "OLD", _TRANSLATION_MOVED)}
  END IF;""",
        )
    }
    for table, (events, concerns) in _FOLLOWED.items():
        made[table] = (
            f"AFTER {' OR '.join(events)}",
            f"""IF TG_OP <> 'INSERT' THEN
    IF {concerns.format(row="OLD")} THEN
      {_bump(table, "OLD")}
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {concerns.format(row="NEW")} THEN
      {_bump(table, "NEW")}
    END IF;
  END IF;""",
        )
    return made


def upgrade() -> None:
    op.create_table(
        "dashboard_versions",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "language"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, (events, body) in _postgresql_functions().items():
            op.execute(
                f"""CREATE OR REPLACE FUNCTION dashboard_versions_{table}() RETURNS trigger AS $$
BEGIN
  {body}
  RETURN NULL;
END $$ LANGUAGE plpgsql"""
            )
            op.execute(
                f"CREATE TRIGGER dashboard_versions_{table} {events} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION dashboard_versions_{table}()"
            )
        return
    for name, definition in _sqlite_triggers().items():
        op.execute(f"CREATE TRIGGER {name} {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _postgresql_functions():
            op.execute(f"DROP TRIGGER IF EXISTS dashboard_versions_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS dashboard_versions_{table}()")
    else:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("dashboard_versions")
