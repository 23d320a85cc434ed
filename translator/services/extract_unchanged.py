"""Whether `translator extract` has nothing to do, told from the same facts its full run decides
by, read without SQLAlchemy: its import costs more than the rest of such a run (#29).

The full run updates a document only when its source file's SHA-256 differs from the one the
store was last updated from, and renders a catalogue only when the digest of what it is written
from (`catalogue_files.inputs_digest`) or the file on disk differs from the desk's record of the
file. Here the same comparisons are made, on the same rows, through the database's own driver
(sqlite3, psycopg) in one read-only snapshot; when any of them fails, or anything cannot be read,
the answer is None and the full run decides, so the answer is never weaker than the full run's.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from translator import languages
from translator.services import DeskError
from translator.services.catalogue_files import (
    catalogue_path,
    digest_of,
    inputs_digest,
    key,
    template_path,
    writer_digest,
)
from translator.services.sources import INTERFACE, file_sha256, source_files, source_path

# the statements of writing.catalogue_inputs and write_catalogues, and extract.update_all's
_DOCUMENTS = "SELECT id, slug, kind, source_sha256 FROM documents ORDER BY slug"
_TRANSLATIONS = (
    "SELECT u.document_id, t.language, count(*), coalesce(sum(t.version), 0), max(t.updated_at)"
    " FROM translations t JOIN units u ON u.id = t.unit_id GROUP BY u.document_id, t.language"
)
_RECORDS = "SELECT path, sha256, inputs FROM catalogue_files"


@dataclass(frozen=True)
class Unchanged:
    """Nothing to update and nothing to write; the documents whose source file is gone (the
    full run names them and leaves their catalogues as they are)."""

    retired: list[str]


def nothing_to_extract(url: str, root: Path) -> Unchanged | None:
    """`Unchanged` when an extract (or `extract --check`) from `root` into the store at `url`
    would change no unit and write no file; None when it might, or when this cannot tell."""
    try:
        return _read(url, root)
    except (DeskError, OSError, ValueError):
        return None


_Row = tuple[Any, ...]


def _unchanged(cursor: Any, root: Path) -> Unchanged | None:
    """The answer from the store's rows (through a DB-API cursor) and the files under root."""
    documents: list[_Row] = cursor.execute(_DOCUMENTS).fetchall()
    files = source_files(root)
    known = {slug: digest for _, slug, _, digest in documents}
    if any(known.get(slug) != file_sha256(path) for slug, path in files):
        return None  # a document to update (or a new one): before the costlier statements
    stats = {
        (owner, code): (count, versions, _datetime(newest))
        for owner, code, count, versions, newest in cursor.execute(_TRANSLATIONS).fetchall()
    }
    recorded = {path: (sha256, inputs) for path, sha256, inputs in cursor.execute(_RECORDS)}
    writer = writer_digest()
    for owner, slug, kind, digest in documents:
        if source_path(root, slug) is None:
            continue  # retired: its files stay as they are
        plain = (slug, kind, digest)
        expected = {}
        if slug != INTERFACE:  # the interface's template is its source: never written
            expected[template_path(root, slug)] = inputs_digest(writer, plain)
        for code in languages.TARGET_LANGUAGES:
            found = stats.get((owner, code))
            expected[catalogue_path(root, code, slug)] = inputs_digest(writer, plain, code, found)
        for path, inputs in expected.items():
            if recorded.get(key(root, path)) != (digest_of(path), inputs):
                return None  # a file to render: changed inputs, or not the desk's last bytes
    present = {slug for slug, _ in files}
    return Unchanged(retired=sorted(slug for slug in known if slug not in present))


def _read(url: str, root: Path) -> Unchanged | None:
    """The answer, from rows read in one read-only transaction; None for a store this cannot
    open or read (no file, no tables, no server): the full run says what is wrong."""
    scheme = url.split(":", 1)[0]
    if scheme in ("sqlite", "sqlite+pysqlite"):
        path = _sqlite_path(url)
        if path is None:
            return None
        try:
            with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as connection:
                connection.execute("BEGIN")  # one snapshot for the three statements
                return _unchanged(connection.cursor(), root)
        except sqlite3.Error:
            return None
    arguments = _postgresql_arguments(url) if scheme == "postgresql+psycopg" else None
    if arguments is None:
        return None
    import psycopg

    try:
        with closing(psycopg.connect(**arguments)) as server:
            server.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            server.read_only = True
            with server.cursor() as cursor:
                return _unchanged(cursor, root)
    except psycopg.Error:
        return None


def _datetime(value: object) -> object:
    """A time as SQLAlchemy gives it to writing.catalogue_inputs: SQLite keeps it as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL as SQLAlchemy opens it, when it is an existing file and the URL
    asks for nothing but a timeout (else the full run opens it)."""
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    path, _, query = rest.partition("?")
    if (
        not path
        or path == ":memory:"
        or "%" in path
        or any(k != "timeout" for k, _ in parse_qsl(query))
    ):
        return None
    return path if Path(path).is_file() else None


def _postgresql_arguments(url: str) -> dict[str, Any] | None:
    """psycopg's connection arguments for a URL, as SQLAlchemy's psycopg dialect passes them:
    user, password, host, port, database, and each query parameter (`options`...)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    if len({name for name, _ in query}) != len(query) or "," in parts.netloc:
        return None  # several values of one parameter, several hosts: the full run decides
    arguments: dict[str, Any] = dict(query)
    for name, value in (
        ("user", parts.username),
        ("password", parts.password),
        ("host", parts.hostname),
        ("port", parts.port),
        ("dbname", parts.path.lstrip("/")),
    ):
        if value:
            arguments[name] = unquote(value) if isinstance(value, str) else value
    return arguments
