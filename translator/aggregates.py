"""Edition counts kept by the database itself: triggers on `translations` and `units` add and
subtract each row's contribution to `edition_counts` (document, language, state -> units, words),
so that every path that changes a translation (the editor, the API, imports, extract, raw SQL) keeps
the dashboard's figures true without scanning every translation.

The same triggers are written for SQLite and for PostgreSQL (as one plpgsql function per table).
`recount` rebuilds the table from the translations: at creation, and to repair by hand.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# one contribution: (document, language, state, units, words) added to the counts
_UPSERT = (
    "INSERT INTO edition_counts (document_id, language, state, units, words) {rows} "
    "ON CONFLICT (document_id, language, state) DO UPDATE "
    "SET units = edition_counts.units + excluded.units, "
    "words = edition_counts.words + excluded.words"
)


def _translation(row: str, sign: str) -> str:
    """The contribution of translation OLD or NEW, added (+) or taken away (-)."""
    return _UPSERT.format(
        rows=f"SELECT u.document_id, {row}.language, {row}.state, {sign}1, {sign}u.words "
        f"FROM units u WHERE u.id = {row}.unit_id AND NOT u.obsolete"
    )


def _unit(row: str, sign: str) -> str:
    """The contribution of all translations of unit OLD or NEW."""
    return _UPSERT.format(
        rows=f"SELECT {row}.document_id, t.language, t.state, {sign}1, {sign}{row}.words "
        f"FROM translations t WHERE t.unit_id = {row}.id AND NOT {row}.obsolete "
        "ORDER BY t.language, t.state"
    )


_RECOUNT = _UPSERT.format(
    rows="SELECT u.document_id, t.language, t.state, count(*), sum(u.words) "
    "FROM translations t JOIN units u ON u.id = t.unit_id WHERE NOT u.obsolete "
    "GROUP BY u.document_id, t.language, t.state"
)

_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS edition_counts_translation_insert
    AFTER INSERT ON translations BEGIN {_translation("NEW", "+")}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS edition_counts_translation_update
    AFTER UPDATE OF state, language, unit_id ON translations
    WHEN OLD.state <> NEW.state OR OLD.language <> NEW.language OR OLD.unit_id <> NEW.unit_id
    BEGIN {_translation("OLD", "-")}; {_translation("NEW", "+")}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS edition_counts_translation_delete
    AFTER DELETE ON translations BEGIN {_translation("OLD", "-")}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS edition_counts_unit_update
    AFTER UPDATE OF words, obsolete, document_id ON units
    WHEN OLD.words <> NEW.words OR OLD.obsolete <> NEW.obsolete
      OR OLD.document_id <> NEW.document_id
    BEGIN {_unit("OLD", "-")}; {_unit("NEW", "+")}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS edition_counts_unit_delete
    BEFORE DELETE ON units BEGIN {_unit("OLD", "-")}; END""",
]

_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION edition_counts_translation() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.state = NEW.state AND OLD.language = NEW.language
         AND OLD.unit_id = NEW.unit_id THEN
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') THEN {_translation("OLD", "-")}; END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN {_translation("NEW", "+")}; END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """DROP TRIGGER IF EXISTS edition_counts_translation ON translations""",
    """CREATE TRIGGER edition_counts_translation
    AFTER INSERT OR UPDATE OF state, language, unit_id OR DELETE ON translations
    FOR EACH ROW EXECUTE FUNCTION edition_counts_translation()""",
    f"""CREATE OR REPLACE FUNCTION edition_counts_unit() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.words = NEW.words AND OLD.obsolete = NEW.obsolete
         AND OLD.document_id = NEW.document_id THEN
        RETURN NULL;
      END IF;
      {_unit("OLD", "-")};
      IF TG_OP = 'UPDATE' THEN {_unit("NEW", "+")}; RETURN NULL; END IF;
      RETURN OLD;
    END $$ LANGUAGE plpgsql""",
    """DROP TRIGGER IF EXISTS edition_counts_unit_update ON units""",
    """CREATE TRIGGER edition_counts_unit_update
    AFTER UPDATE OF words, obsolete, document_id ON units
    FOR EACH ROW EXECUTE FUNCTION edition_counts_unit()""",
    """DROP TRIGGER IF EXISTS edition_counts_unit_delete ON units""",
    """CREATE TRIGGER edition_counts_unit_delete
    BEFORE DELETE ON units FOR EACH ROW EXECUTE FUNCTION edition_counts_unit()""",
]


def install(connection: Connection) -> None:
    """Create the triggers (again: it is idempotent) for the connection's database."""
    statements = _POSTGRESQL if connection.dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        connection.exec_driver_sql(statement)


def recount(connection: Connection) -> None:
    """Rebuild edition_counts from the translations."""
    connection.execute(text("DELETE FROM edition_counts"))
    connection.exec_driver_sql(_RECOUNT)
