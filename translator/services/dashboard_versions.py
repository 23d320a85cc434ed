"""Which rows of the dashboard are current: each document's versions, raised by the store's
triggers, and its English file's signature; and the rows kept under them, per process and store.

A document's sign is the count and the sum of its versions in `public_versions` (migration
0007: translations' text and state, units, the document, publications) and `dashboard_versions`
(0012: error-level check failures, questions, translations' previous English, publications
changed in place), the store's newest translation, and, with a content root, its source file's
time, size and inode. A version only grows, so the sum moves at every change, whichever door made
it and in whichever process. A row is kept only when the transaction that made it has written
nothing: a transaction's own versions go back with it when it rolls back, and a row kept under
them could later be taken for current.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, TextClause, text
from sqlalchemy.orm import Session

from translator.services import sources

if TYPE_CHECKING:
    from translator.services.dashboard import Row

Sign = tuple[object, ...]


@dataclass(frozen=True)
class Kept:
    """A document's row as made, and the versions (and source file) it was made from."""

    sign: Sign
    row: Row


Shelf = dict[int, Kept]  # a document's id -> its row as kept

# each store's rows, by content root (or None) and document; per process, checked on every read
_SHELVES: WeakKeyDictionary[Engine, dict[str | None, Shelf]] = WeakKeyDictionary()


# The newest translation stands for translations inserted, which raise no version (a trigger on
# every inserted row would cost `translator init` about 10 µs a translation; units inserted raise
# their document's version anyway): a translation inserted alone makes every row again, once.
def _signs_query(where: str) -> TextClause:
    return text(
        "SELECT d.id, d.slug, coalesce(v.n, 0), coalesce(v.total, 0),"
        " (SELECT max(t.id) FROM translations t)"
        " FROM documents d LEFT JOIN (SELECT document_id, count(*) AS n, sum(version) AS total"
        f" FROM (SELECT document_id, version FROM public_versions{where}"
        f" UNION ALL SELECT document_id, version FROM dashboard_versions{where}) AS versions"
        f" GROUP BY document_id) AS v ON v.document_id = d.id"
        + where.replace("document_id", "d.id")
    )


_SIGNS = _signs_query("")
_SIGN_OF_ONE = _signs_query(" WHERE document_id = :document")


def signs(session: Session, root: Path | None, document_id: int | None) -> dict[int, Sign]:
    """Each document's sign: its versions and, with a content root, its English file's."""
    found = (
        session.execute(_SIGNS)
        if document_id is None
        else session.execute(_SIGN_OF_ONE, {"document": document_id})
    )
    folder = None if root is None else str(sources.source_dir(root))
    return {
        owner: (*values, None if root is None else _file_sign(root, folder, slug))
        for owner, slug, *values in found
    }


def _file_sign(root: Path, folder: str | None, slug: str) -> tuple[int, int, int] | None:
    """What tells a source file changed without reading it: its time, size and inode (plain
    `os.stat` on strings in `folder`, source_texts: two hundred `Path` look-ups cost more than
    the rest of a view)."""
    if slug == sources.INTERFACE:
        path = sources.source_path(root, slug)
        candidates = [] if path is None else [str(path)]
    else:
        candidates = [f"{folder}/{slug}{suffix}" for suffix in sources.SOURCE_SUFFIXES]
    for candidate in candidates:
        try:
            found = os.stat(candidate)
        except OSError:
            continue
        if stat.S_ISREG(found.st_mode):
            return found.st_mtime_ns, found.st_size, found.st_ino
    return None


def shelf(session: Session, root: Path | None) -> Shelf:
    """The rows kept for the session's store and this content root, by document."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return _SHELVES.setdefault(engine, {}).setdefault(None if root is None else str(root), {})


_NUMBERED = "SELECT txid_current_if_assigned() IS NULL"


def only_read(session: Session) -> bool:
    """Whether the session's transaction has written nothing (SQLite begins one only to write;
    PostgreSQL numbers one only when it writes)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return not connection.connection.dbapi_connection.in_transaction  # type: ignore[union-attr]
    if connection.dialect.name == "postgresql":
        return bool(connection.exec_driver_sql(_NUMBERED).scalar())
    return False


def forget_gone(kept: Shelf, present: set[int]) -> None:
    """Rows of documents deleted since they were kept."""
    for owner in [owner for owner in kept if owner not in present]:
        kept.pop(owner, None)
