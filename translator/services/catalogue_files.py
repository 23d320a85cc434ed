"""The catalogue files under locales/ as the desk keeps them: where each one lives, the record of
what the desk last wrote or loaded there (`CatalogueFile`), and how a file is replaced atomically.

Shared by `loading` (locales/ into the store) and `writing` (the store into locales/).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from translator import db
from translator.models import CatalogueFile
from translator.services.files import write_atomically as write_atomically  # named here too
from translator.services.sources import INTERFACE, interface_template

REVISION_FORMAT = "%Y-%m-%d %H:%M+0000"  # PO-Revision-Date, in UTC
EPOCH = datetime(2022, 1, 1)  # the revision of a catalogue with no translation


def template_path(root: Path, slug: str) -> Path:
    return Path(root) / "locales" / "templates" / f"{slug}.pot"


def catalogue_path(root: Path, language: str, slug: str) -> Path:
    if slug == INTERFACE:  # where flask-babel reads the interface's translations
        return interface_template(root).parent / language / "LC_MESSAGES" / "messages.po"
    return Path(root) / "locales" / language / "LC_MESSAGES" / f"{slug}.po"


def remember(
    session: Session,
    root: Path,
    path: Path,
    data: bytes,
    *,
    replacing: str | None = None,
    inputs: str | None = None,
) -> None:
    """Remember `data` as the desk's file at `path` (with `replacing`, the file it replaces, and
    the digest of the inputs it was written from)."""
    digest = hashlib.sha256(data).hexdigest()
    record = session.get(CatalogueFile, key(root, path))
    if record is None:
        record = CatalogueFile(path=key(root, path), sha256=digest, previous_sha256=replacing)
        session.add(record)
    elif record.sha256 != digest:
        record.previous_sha256 = replacing
        record.sha256 = digest
    record.inputs = inputs


def remember_loaded(session: Session, root: Path, files: dict[Path, str]) -> None:
    """Remember each file read into an empty store (`translator init`), given with its SHA-256,
    as the desk's own: new records, in one insert rather than a look-up and an insert each."""
    rows: list[dict[str, object]] = [
        {
            "path": key(root, path),
            "sha256": digest,
            "previous_sha256": None,
            "inputs": None,
        }
        for path, digest in files.items()
    ]
    db.insert_rows(session, CatalogueFile.metadata.tables["catalogue_files"], rows)


def key(root: Path, path: Path) -> str:
    """A file's name in the record: its path under the content root."""
    return path.resolve().relative_to(Path(root).resolve()).as_posix()


def digest_of(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
