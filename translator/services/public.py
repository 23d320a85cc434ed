"""What the public pages show, numbered: the versions a public page's bytes were made from.

The store's triggers (migration 0007) raise a version in `public_versions` whenever something a
public page shows may change: a translation's text or state, a unit, a document, a publication, a
glossary term. A page is kept under the versions it was made from and made again only when one
of them has moved, so a shared link read by hundreds a second costs one small query each, not a
rebuild. Reading them is one aggregate over a table of a few rows per document.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, text

DESK = 0  # the document_id of what concerns the whole desk (the glossary)
EVERY_LANGUAGE = "*"

# asked on every public request: plain statements, compiled once (a third of the ORM's cost)
_DESK = text("SELECT count(*), coalesce(sum(version), 0) FROM public_versions")
_EDITION = text(
    "SELECT count(*), coalesce(sum(v.version), 0) FROM public_versions v"
    " WHERE v.document_id = :desk OR (v.language IN (:language, :every)"
    " AND v.document_id = (SELECT d.id FROM documents d WHERE d.slug = :slug))"
)


def of_desk(connection: Connection) -> str:
    """Every version at once: it moves whenever anything public may have changed (the front
    page, the badges)."""
    count, total = connection.execute(_DESK).one()
    return f"desk:{count}.{total}"


def of_edition(connection: Connection, root: Path | str, slug: str, language: str) -> str:
    """The versions one edition is made from: its document's (in its language and in all), the
    desk's, and its English file on disk (an edition reads it, and an English file changed since
    the last extract blocks publication)."""
    count, total = connection.execute(
        _EDITION, {"desk": DESK, "language": language, "every": EVERY_LANGUAGE, "slug": slug}
    ).one()
    return f"edition:{count}.{total}:{_file_sign(Path(root), slug)}"


def _file_sign(root: Path, slug: str) -> str:
    for suffix in (".md", ".pot"):
        try:
            found = (root / "source_texts" / f"{slug}{suffix}").stat()
        except OSError:
            continue
        return f"{found.st_mtime_ns}.{found.st_size}"
    return "none"
