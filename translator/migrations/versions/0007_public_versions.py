"""Public versions: what the public pages show is numbered, so their bytes are kept, not rebuilt

`public_versions` holds a version per document and language ('*': every language of it; document
0: the whole desk), raised by triggers whenever what a public page shows may change: a
translation's text or state, a unit, a document, a publication, a glossary term (it decides the
checks, so whether an edition may be published). The public pages (the front page,
badges, published editions) keep their bytes under the versions they were made from
(services/public.py) and answer from them, with a strong ETag, until a version moves.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

# (document, language) raised by one; SQLite and PostgreSQL say "upsert" the same way (SQLite
# needs a WHERE in the SELECT, to tell the upsert's ON from a join's)
_BUMP = """INSERT INTO public_versions (document_id, language, version)
  {select}
  ON CONFLICT (document_id, language) DO UPDATE SET version = public_versions.version + 1"""

# trigger -> (table, event, what it raises): SQLite's triggers, one per event
_SQLITE = {
    "public_versions_translation_update": (
        "translations",
        "AFTER UPDATE OF text, state ON translations "
        "WHEN OLD.text IS NOT NEW.text OR OLD.state <> NEW.state",
        "SELECT u.document_id, NEW.language, 1 FROM units u WHERE u.id = NEW.unit_id",
    ),
    "public_versions_translation_delete": (
        "translations",
        "AFTER DELETE ON translations",
        "SELECT u.document_id, OLD.language, 1 FROM units u WHERE u.id = OLD.unit_id",
    ),
    "public_versions_unit_insert": (
        "units",
        "AFTER INSERT ON units",
        "SELECT NEW.document_id, '*', 1 WHERE true",
    ),
    "public_versions_unit_update": (
        "units",
        "AFTER UPDATE ON units",
        "SELECT NEW.document_id, '*', 1 WHERE true",
    ),
    "public_versions_unit_delete": (
        "units",
        "AFTER DELETE ON units",
        "SELECT OLD.document_id, '*', 1 WHERE true",
    ),
    "public_versions_document_insert": (
        "documents",
        "AFTER INSERT ON documents",
        "SELECT NEW.id, '*', 1 WHERE true",
    ),
    "public_versions_document_update": (
        "documents",
        "AFTER UPDATE ON documents",
        "SELECT NEW.id, '*', 1 WHERE true",
    ),
    "public_versions_document_delete": (
        "documents",
        "AFTER DELETE ON documents",
        "SELECT OLD.id, '*', 1 WHERE true",
    ),
    "public_versions_publication_insert": (
        "publications",
        "AFTER INSERT ON publications",
        "SELECT NEW.document_id, NEW.language, 1 WHERE true",
    ),
    "public_versions_publication_delete": (
        "publications",
        "AFTER DELETE ON publications",
        "SELECT OLD.document_id, OLD.language, 1 WHERE true",
    ),
    # the glossary decides checks, and so whether an edition may be published: the whole desk
    **{
        f"public_versions_glossary_{event.lower()}": (
            "glossary_terms",
            f"AFTER {event} ON glossary_terms",
            "SELECT 0, '*', 1 WHERE true",
        )
        for event in ("INSERT", "UPDATE", "DELETE")
    },
}

# PostgreSQL: one function per table, the row it raises taken from NEW (OLD when deleted)
_POSTGRESQL = {
    "translations": (
        "AFTER UPDATE OF text, state OR DELETE",
        """IF TG_OP = 'UPDATE' AND OLD.text IS NOT DISTINCT FROM NEW.text
     AND OLD.state = NEW.state THEN
    RETURN NULL;
  END IF;
  {bump}""",
        "SELECT u.document_id, r.language, 1 FROM units u WHERE u.id = r.unit_id",
    ),
    "units": ("AFTER INSERT OR UPDATE OR DELETE", "{bump}", "SELECT r.document_id, '*', 1"),
    "documents": ("AFTER INSERT OR UPDATE OR DELETE", "{bump}", "SELECT r.id, '*', 1"),
    "publications": (
        "AFTER INSERT OR DELETE",
        "{bump}",
        "SELECT r.document_id, r.language, 1",
    ),
    "glossary_terms": ("AFTER INSERT OR UPDATE OR DELETE", "{bump}", "SELECT 0, '*', 1"),
}


def _postgresql_function(table: str, body: str, select: str) -> str:
    raised = body.replace("{bump}", _BUMP.format(select=select) + ";")
    return f"""CREATE OR REPLACE FUNCTION public_versions_{table}() RETURNS trigger AS $$
DECLARE r record;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  {raised}
  RETURN NULL;
END $$ LANGUAGE plpgsql"""


def upgrade() -> None:
    op.create_table(
        "public_versions",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "language"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, (events, body, select) in _POSTGRESQL.items():
            op.execute(_postgresql_function(table, body, select))
            op.execute(
                f"CREATE TRIGGER public_versions_{table} {events} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION public_versions_{table}()"
            )
        return
    for name, (_, event, select) in _SQLITE.items():
        op.execute(f"CREATE TRIGGER {name} {event} BEGIN {_BUMP.format(select=select)}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _POSTGRESQL:
            op.execute(f"DROP TRIGGER IF EXISTS public_versions_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS public_versions_{table}()")
    else:
        for name in _SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("public_versions")
