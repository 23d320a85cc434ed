"""The catalogue files under locales/ as the desk keeps them: where each one lives, the record of
what the desk last wrote or loaded there (`CatalogueFile`), and how a file is replaced atomically.

Shared by `loading` (locales/ into the store), `writing` (the store into locales/) and
`extract_unchanged` (whether `translator extract` has anything to do): the last imports no
SQLAlchemy, so neither does this module until a record is written.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from translator.services.files import write_atomically as write_atomically  # named here too
from translator.services.sources import INTERFACE, interface_template

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    from translator.models import CatalogueFile

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
    from translator import db
    from translator.models import CatalogueFile

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


def inputs_digest(
    writer: str,
    document: tuple[str, str, str],
    language: str | None = None,
    translations: tuple[object, object, object] | None = None,
) -> str:
    """A digest of everything a catalogue file is written from (`CatalogueFile.inputs`): the
    writer's code (`writer_digest`), the document's slug, kind and English (its units change
    only with it) and, for a PO file (a `language`), its translations' count, summed versions
    and newest change (a datetime), None when it has no translation. Equal digests mean equal
    bytes."""
    slug, kind, source_sha256 = document
    text = f"{writer}|{slug}|{kind}|{source_sha256}"
    if language is not None:
        state = "" if translations is None else "|".join(map(str, translations))
        text = f"{text}|{language}|{state}"
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def writer_digest() -> str:
    """The code that decides a catalogue's bytes: a new release of it (or of Babel, whose CLDR
    rules give the Plural-Forms headers) renders every file anew. Read from the files, not the
    modules, which `translator extract` with nothing to do does not import."""
    import babel

    package = Path(__file__).resolve().parent.parent
    # every module of formats/, so that the PO writer's modules count however they are split
    formats = sorted((package / "formats").glob("*.py"))
    modules = [
        package / "plurals.py",
        package / "languages.py",
        Path(__file__).resolve(),
        Path(__file__).resolve().with_name("writing.py"),
    ]
    code = b"".join(path.read_bytes() for path in [*formats, *modules])
    return hashlib.sha256(f"{code.decode()}|babel {babel.__version__}".encode()).hexdigest()
