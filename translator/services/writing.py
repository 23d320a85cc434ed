"""The store into locales/: render every POT and PO file the store stands for and write those
that changed (`translator extract`), or one document's catalogue for a download.

Writing is deterministic (the same store gives the same bytes; no volatile headers), atomic (a temp
file, then a rename) and careful: a catalogue changed by hand since the desk last wrote it is never
overwritten; the write stops and says to import the file first.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from translator import languages, plurals
from translator.formats import po
from translator.models import CatalogueFile, Document, State, Translation, Unit
from translator.services import DeskError, forks
from translator.services.catalogue_files import (
    EPOCH,
    REVISION_FORMAT,
    catalogue_path,
    digest_of,
    inputs_digest,
    key,
    remember,
    template_path,
    write_atomically,
    writer_digest,
)
from translator.services.sources import INTERFACE, source_name, source_path

LAST_TRANSLATOR = "IEC translation desk"


class DocumentFields(Protocol):
    """What a catalogue is written from about a document: a `Document`, or a plain row of one."""

    @property
    def slug(self) -> str: ...
    @property
    def kind(self) -> str: ...


class UnitFields(Protocol):
    """What a catalogue is written from about a unit: a `Unit`, or a plain row of one."""

    @property
    def source(self) -> str: ...
    @property
    def source_plural(self) -> str | None: ...
    @property
    def type(self) -> str: ...
    @property
    def locations(self) -> str: ...
    @property
    def obsolete(self) -> bool: ...
    @property
    def plural(self) -> bool: ...


class TranslationFields(Protocol):
    """What a catalogue is written from about a translation: a `Translation`, or a row of one."""

    @property
    def text(self) -> str: ...
    @property
    def state(self) -> int: ...
    @property
    def previous_source(self) -> str | None: ...
    @property
    def comments(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class _UnitRow:
    id: int
    source: str
    source_plural: str | None
    type: str
    locations: str
    obsolete: bool

    @property
    def plural(self) -> bool:
        return self.source_plural is not None


@dataclass(frozen=True, slots=True)
class _TranslationRow:
    unit_id: int
    language: str
    text: str
    state: int
    previous_source: str | None
    comments: str
    updated_at: datetime


@dataclass
class WriteReport:
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)  # what a write would change (check mode)


def build_template(document: DocumentFields, units: Sequence[UnitFields]) -> po.Catalogue:
    """The POT of a document: its current units, in document order."""
    headers = [
        ("Project-Id-Version", document.slug),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    if any(unit.plural and not unit.obsolete for unit in units):
        headers.append(("Plural-Forms", languages.get(languages.SOURCE_LANGUAGE).plural_forms))
    comments = [
        f"English source texts of source_texts/{source_name(document.slug, document.kind)}, "
        "for translation.",
        "Written by the translation desk (translator extract); do not edit by hand.",
    ]
    entries = [_template_entry(unit) for unit in units if not unit.obsolete]
    return po.Catalogue(headers, comments, entries)


def _template_entry(unit: UnitFields) -> po.Entry:
    return po.Entry(
        msgid=unit.source,
        msgid_plural=unit.source_plural,
        msgstr_plural=["", ""] if unit.plural else [],
        extracted=[f"type: {unit.type}"],
        locations=unit.locations.split(),
    )


def build_catalogue(
    document: DocumentFields,
    language: languages.Language,
    rows: Sequence[tuple[UnitFields, TranslationFields]],
) -> po.Catalogue:
    """The PO of a document in one language, from its units and their translations."""
    revision = max((t.updated_at for _, t in rows if t.text), default=EPOCH)
    headers = [
        ("Project-Id-Version", document.slug),
        ("PO-Revision-Date", revision.strftime(REVISION_FORMAT)),
        ("Last-Translator", LAST_TRANSLATOR),
        ("Language-Team", language.name),
        ("Language", language.code),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", language.plural_forms),
    ]
    comments = [
        f"{language.name} translation of source_texts/{source_name(document.slug, document.kind)}.",
        "Written by the translation desk (translator extract); to bring in changes made "
        "here, use translator import.",
    ]
    entries = [
        _entry(unit, translation, language.nplurals)
        for unit, translation in rows
        if not unit.obsolete or translation.text
    ]
    return po.Catalogue(headers, comments, entries)


def _entry(unit: UnitFields, translation: TranslationFields, nplurals: int) -> po.Entry:
    entry = (
        _template_entry(unit)
        if not unit.obsolete
        else po.Entry(msgid=unit.source, msgid_plural=unit.source_plural)
    )
    entry.obsolete = unit.obsolete
    if unit.plural:
        entry.msgstr_plural = plurals.split(translation.text, nplurals)
    else:
        entry.msgstr = translation.text
    entry.comments = translation.comments.split("\n") if translation.comments else []
    if translation.state == State.NEEDS_EDITING and translation.text:
        entry.flags = ["fuzzy"]
        entry.previous_msgid = translation.previous_source
    elif translation.state == State.APPROVED:
        entry.flags = [po.APPROVED]
    return entry


@dataclass(frozen=True, slots=True)
class _DocumentRow:
    slug: str
    kind: str


# What one file is rendered from: the document, the language (None for the template), its units
# and, for a PO file, their translations. Plain rows: files are rendered in forked processes.
_FileWork = tuple[_DocumentRow, str | None, list[_UnitRow], list[tuple[_UnitRow, _TranslationRow]]]
PARALLEL_FROM = 5000  # entries: fewer are rendered faster than processes start


def render_files(
    session: Session, root: Path, skip: Collection[Path] = frozenset(), workers: int = 1
) -> dict[Path, bytes]:
    """Every catalogue file the store stands for (but those in `skip`), as bytes, by path;
    shared among `workers` forked processes when there are many (`translator extract`)."""
    work: dict[Path, _FileWork] = {}
    for document in session.scalars(select(Document).order_by(Document.slug)):
        if source_path(root, document.slug) is None:
            continue  # retired: its files stay as they were
        paths = {
            code: catalogue_path(root, code, document.slug) for code in languages.TARGET_LANGUAGES
        }
        # the interface's template is its source (make ui-catalogue): never written here
        template = template_path(root, document.slug)
        if document.slug == INTERFACE:
            skip = {*skip, template}
        if template in skip and all(path in skip for path in paths.values()):
            continue
        plain = _DocumentRow(document.slug, document.kind)
        units = _unit_rows(session, document.id)
        if template not in skip:
            work[template] = (plain, None, units, [])
        by_language = _translation_rows(session, document.id)
        for code, path in paths.items():
            if path not in skip:
                found = by_language[code]
                work[path] = (plain, code, [], [(u, found[u.id]) for u in units if u.id in found])
    items = list(work.values())
    if sum(len(units) + len(rows) for _, _, units, rows in items) < PARALLEL_FROM:
        workers = 1
    if workers > 1:
        po.prepare()
    rendered = forks.map_inherited(_render, items, workers)
    return dict(zip(work, rendered, strict=True))


def _render(work: _FileWork) -> bytes:
    document, code, units, rows = work
    if code is None:
        return po.write(build_template(document, units)).encode()
    return po.write(build_catalogue(document, languages.get(code), rows)).encode()


def catalogue_inputs(session: Session, root: Path) -> dict[Path, str]:
    """For every catalogue file, a digest of everything it is written from
    (`catalogue_files.inputs_digest`; every change to a translation raises its version).
    Equal digests mean equal bytes, so an extract with nothing changed renders nothing."""
    stats = {
        (document_id, language): (count, versions, newest)
        for document_id, language, count, versions, newest in session.execute(
            select(
                Unit.document_id,
                Translation.language,
                func.count(),
                func.coalesce(func.sum(Translation.version), 0),
                func.max(Translation.updated_at),
            )
            .join(Unit, Unit.id == Translation.unit_id)
            .group_by(Unit.document_id, Translation.language)
        )
    }
    writer = writer_digest()
    inputs: dict[Path, str] = {}
    for document in session.scalars(select(Document).order_by(Document.slug)):
        if source_path(root, document.slug) is None:
            continue
        plain = (document.slug, document.kind, document.source_sha256)
        if document.slug != INTERFACE:
            inputs[template_path(root, document.slug)] = inputs_digest(writer, plain)
        for code in languages.TARGET_LANGUAGES:
            found = stats.get((document.id, code))
            path = catalogue_path(root, code, document.slug)
            inputs[path] = inputs_digest(writer, plain, code, found)
    return inputs


def _unit_rows(session: Session, document_id: int) -> list[_UnitRow]:
    """A document's units in catalogue order, as plain rows: a whole store is rendered at
    times, and mapped objects would cost several times the query."""
    query = (
        select(Unit.id, Unit.source, Unit.source_plural, Unit.type, Unit.locations, Unit.obsolete)
        .where(Unit.document_id == document_id)
        .order_by(Unit.obsolete, Unit.position, Unit.id)
    )
    return [_UnitRow(*row) for row in session.execute(query)]


def _translation_rows(session: Session, document_id: int) -> dict[str, dict[int, _TranslationRow]]:
    """A document's translations by language and unit id, as plain rows."""
    grouped: dict[str, dict[int, _TranslationRow]] = defaultdict(dict)
    query = (
        select(
            Translation.unit_id,
            Translation.language,
            Translation.text,
            Translation.state,
            Translation.previous_source,
            Translation.comments,
            Translation.updated_at,
        )
        .join(Unit)
        .where(Unit.document_id == document_id)
    )
    for row in session.execute(query):
        translation = _TranslationRow(*row)
        grouped[translation.language][translation.unit_id] = translation
    return grouped


def write_catalogues(
    session: Session, root: Path, check: bool = False, workers: int = 1
) -> WriteReport:
    """Write every POT and PO file that differs from the store; with check, only list them.

    Before anything is written, every file about to be replaced is compared with what the desk last
    wrote there: a file changed by hand stops the whole write, and nothing is written. The new
    files' hashes are recorded in the session's transaction and the files are replaced only once
    it has committed (`after_commit`), so a crash at any moment leaves every file old or new and
    each recorded as the desk's own: the next extract finishes the work by itself.
    """
    report = WriteReport()
    inputs = catalogue_inputs(session, root)
    on_disk = {path: digest_of(path) for path in inputs}
    records = {record.path: record for record in session.scalars(select(CatalogueFile))}
    current = {
        path
        for path, digest in inputs.items()
        if (record := records.get(key(root, path))) is not None
        and record.inputs == digest
        and record.sha256 == on_disk[path]
    }
    files = render_files(session, root, skip=current, workers=workers)
    for path, data in files.items():
        if on_disk[path] != hashlib.sha256(data).hexdigest():
            report.stale.append(path)
    if check:
        return report
    edited = [path for path in report.stale if _changed_by_hand(session, root, path, on_disk[path])]
    if edited:
        names = "\n  ".join(str(p) for p in edited)
        raise DeskError(
            "these catalogues were changed since the desk last wrote them; import "
            f"them first (translator import FILE --document SLUG --lang L):\n  {names}"
        )
    for path, data in files.items():
        remember(session, root, path, data, replacing=on_disk[path], inputs=inputs[path])
    pending = {path: files[path] for path in report.stale}
    if pending:
        _replace_after_commit(session, pending)
    report.written.extend(pending)
    return report


_PENDING = "translator.pending_files"
_WRITERS = 8  # files written at once after a commit


def _replace_after_commit(session: Session, pending: dict[Path, bytes]) -> None:
    session.info.setdefault(_PENDING, {}).update(pending)


@event.listens_for(Session, "after_commit")
def _write_pending(session: Session) -> None:
    pending: dict[Path, bytes] = session.info.pop(_PENDING, {})
    if len(pending) < 2:
        for path, data in pending.items():
            write_atomically(path, data)
        return
    # Each file is synced to disk before its rename; the syncs wait on the disk, not the CPU,
    # so they overlap in threads (280 files after an edit at 10,000 units: 1.5 s one by one).
    # Any order is safe: every file is old or new, and the next extract finishes the rest.
    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        for _ in pool.map(lambda item: write_atomically(*item), pending.items()):
            pass


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _changed_by_hand(session: Session, root: Path, path: Path, digest: str | None) -> bool:
    """A file on disk that the desk did not write: neither its last file nor the one before."""
    if digest is None:
        return False
    record = session.get(CatalogueFile, key(root, path))
    return record is None or digest not in (record.sha256, record.previous_sha256)


def catalogue_for(session: Session, document: Document, language: str) -> po.Catalogue:
    """One document's catalogue in one language, exactly as `extract` writes it."""
    units = list(
        session.scalars(
            select(Unit)
            .where(Unit.document_id == document.id)
            .order_by(Unit.obsolete, Unit.position, Unit.id)
        )
    )
    found = {
        t.unit_id: t
        for t in session.scalars(
            select(Translation)
            .join(Unit)
            .where(Unit.document_id == document.id, Translation.language == language)
        )
    }
    rows = [(unit, found[unit.id]) for unit in units if unit.id in found]
    return build_catalogue(document, languages.get(language), rows)


def fingerprint(session: Session, document: Document, language: str) -> str:
    """A cheap name for the state a document's catalogue in a language is built from.

    Every change to a translation raises its version, so the sum of versions only grows; a
    changed source text changes the document's hash. One aggregate query, no file built.
    """
    count, versions, newest = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Translation.version), 0),
            func.max(Translation.updated_at),
        )
        .join(Unit, Unit.id == Translation.unit_id)
        .where(Unit.document_id == document.id, Translation.language == language)
    ).one()
    return hashlib.sha256(
        f"{document.source_sha256}|{language}|{count}|{versions}|{newest}".encode()
    ).hexdigest()
