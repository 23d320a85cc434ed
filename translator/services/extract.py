"""Source texts to units and catalogues (`translator extract`): update the store from
source_texts/ with msgmerge's semantics, check again what changed, and write locales/.

An unchanged or moved block keeps its unit and translations; a changed block keeps its unit,
its translations turn needs-editing and remember the previous English; a new block similar to a
known one gets that one's translations as needs-editing; a removed block's unit becomes obsolete.
A changed English plural (msgid_plural) of a gettext source makes its translations need editing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from translator import db, languages
from translator.formats.merge import FuzzyIndex
from translator.models import Change, Document, State, Translation, Unit, utcnow
from translator.services import checking, events, writing
from translator.services.sources import (
    SourceText,
    file_sha256,
    insert_units,
    locations,
    placement,
    read_source_files,
    set_metadata,
    source_files,
    unit_row,
)


@dataclass
class DocumentUpdate:
    """What an update did to one document's units."""

    slug: str
    added: int = 0
    changed: int = 0
    obsoleted: int = 0
    revived: int = 0
    fuzzy_matched: int = 0
    rechecked: list[int] = field(default_factory=list)  # units whose translations changed

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.obsoleted or self.revived)


@dataclass
class ExtractReport:
    documents: list[DocumentUpdate] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # documents whose source file is gone


def update_document(session: Session, source: SourceText) -> DocumentUpdate:
    """Bring one document's units in line with its source text.

    The units are read as plain rows and changed by statements on rows (not loaded as objects):
    only the translations of units whose English or English plural changes are read, so an
    ordinary edit costs what it changes, not what the document holds."""
    document = session.scalar(select(Document).where(Document.slug == source.slug))
    new = document is None
    if document is None:
        document = Document(slug=source.slug, kind="", title="")
        session.add(document)
    set_metadata(document, source)
    session.flush()  # a new document's id, for its units
    merged = _merge_units(session, document, locations(source), source.plurals)
    if new and document.kind == "alert":
        events.alert_added(session, document)
    elif merged.touched:  # the English of a published edition may have changed
        events.corrections_due(session, document)
    return merged


# A unit whose translations need editing: (unit id, the English they were made for, what changed)
_Edit = tuple[int, str, str]


def _merge_units(
    session: Session,
    document: Document,
    wanted: dict[str, tuple[int, str, list[str]]],
    plurals: dict[str, str],
) -> DocumentUpdate:
    report = DocumentUpdate(document.slug)
    rows = _unit_rows(session, document.id)
    by_source = {row.source: row for row in rows}
    unmatched = [text for text in wanted if text not in by_source]
    removed = [row for row in rows if row.source not in wanted and not row.obsolete]
    _place_all(session, by_source, wanted)
    changed: list[dict[str, object]] = []  # the units' changed columns, with their ids
    edits: list[_Edit] = []
    for text, row in by_source.items():
        if text in wanted:
            if row.obsolete:  # back: its translations were not checked while it was away
                report.revived += 1
                report.rechecked.append(row.id)
            if row.source_plural != plurals.get(text):
                changed.append({"id": row.id, "source_plural": plurals.get(text)})
                edits.append((row.id, text, f"previous English plural: {row.source_plural}"))
                report.changed += 1
                report.rechecked.append(row.id)
    taking: list[tuple[str, _UnitRow]] = []
    added: list[tuple[str, int | None]] = []
    if unmatched:
        # the units not obsolete now: those in the source, and the removed ones until the end
        current = [row for row in rows if row.source in wanted or not row.obsolete]
        taking, added = _match_new(session, document.id, unmatched, current, removed)
    for text, row in taking:  # a removed unit takes the new English: its translations stay
        changed.append({"id": row.id, **unit_row(text, wanted[text], plurals.get(text))})
        edits.append((row.id, row.source, f"previous English: {row.source}"))
        report.changed += 1
        report.rechecked.append(row.id)
    taken = {row.id for _, row in taking}
    for row in removed:
        if row.id not in taken:
            changed.append({"id": row.id, "obsolete": True})
            report.obsoleted += 1
    if changed:
        session.execute(update(Unit), changed)
    _needs_editing(session, edits)
    new = [unit_row(text, wanted[text], plurals.get(text)) for text, _ in added]
    ids = insert_units(session, document.id, new)
    copied = _insert_translations(
        session, [(unit_id, similar) for unit_id, (_, similar) in zip(ids, added, strict=True)]
    )
    report.added += len(added)
    report.rechecked.extend(copied)
    report.fuzzy_matched += len(copied)
    return report


class _UnitRow(NamedTuple):
    id: int
    source: str
    source_plural: str | None
    obsolete: bool
    position: int
    type: str
    locations: str


def _unit_rows(session: Session, document_id: int) -> list[_UnitRow]:
    """A document's units as plain rows, in the order of its catalogue before the update (which
    decides between equally similar units, as in msgmerge)."""
    query = (
        select(
            Unit.id,
            Unit.source,
            Unit.source_plural,
            Unit.obsolete,
            Unit.position,
            Unit.type,
            Unit.locations,
        )
        .where(Unit.document_id == document_id)
        .order_by(Unit.position, Unit.id)
    )
    return [_UnitRow(*row) for row in session.execute(query)]


def _place_all(
    session: Session,
    by_source: dict[str, _UnitRow],
    wanted: dict[str, tuple[int, str, list[str]]],
) -> None:
    """Give each unit still in the source its place, in one statement for those that moved."""
    moved = []
    for text, row in by_source.items():
        if text in wanted:
            place = placement(wanted[text])
            if any(getattr(row, name) != value for name, value in place.items()):
                moved.append({"id": row.id, **place})
    if moved:
        session.execute(update(Unit), moved)


def _match_new(
    session: Session,
    document_id: int,
    unmatched: list[str],
    current: list[_UnitRow],
    removed: list[_UnitRow],
) -> tuple[list[tuple[str, _UnitRow]], list[tuple[str, int | None]]]:
    """Each new English text either is taken by a removed unit (the most similar: it changes)
    or becomes a new unit, which starts from the translations of the most similar translated
    one: the texts taken, each with its unit, and the new ones, each with the id of the most
    similar translated unit (or None)."""
    with_text = set(
        session.scalars(
            select(Translation.unit_id)
            .join(Unit)
            .where(Unit.document_id == document_id, Translation.text != "")
            .distinct()
        )
    )
    translated = {row.source: row.id for row in current if row.id in with_text}
    free = {row.source: row for row in removed}
    index = FuzzyIndex(translated)
    taking: list[tuple[str, _UnitRow]] = []
    added: list[tuple[str, int | None]] = []
    for text in unmatched:
        match = index.best(text, [s for s in free if s not in translated])
        if match is not None and match in free:
            taking.append((text, free.pop(match)))
        else:
            added.append((text, None if match is None else translated[match]))
    return taking, added


def _insert_translations(session: Session, units: list[tuple[int, int | None]]) -> list[int]:
    """The translations of new units, each given with the most similar translated unit (or
    None): they start from its translations, marked needs-editing, each with a change that says
    so; the units that did."""
    similar_ids = sorted({similar for _, similar in units if similar is not None})
    theirs: dict[int, dict[str, str]] = {unit_id: {} for unit_id in similar_ids}
    english: dict[int, str] = {}
    for start in range(0, len(similar_ids), 500):
        chunk = similar_ids[start : start + 500]
        english.update(
            (unit_id, source)
            for unit_id, source in session.execute(
                select(Unit.id, Unit.source).where(Unit.id.in_(chunk))
            )
        )
        found = session.execute(
            select(Translation.unit_id, Translation.language, Translation.text).where(
                Translation.unit_id.in_(chunk), Translation.text != ""
            )
        )
        for unit_id, language, text in found:
            theirs[unit_id][language] = text
    now = utcnow()
    rows: list[dict[str, object]] = []
    changes: list[dict[str, object]] = []
    copied: list[int] = []
    for unit_id, similar in units:
        texts = {} if similar is None else theirs[similar]
        previous = None if similar is None else english[similar]
        for language in languages.TARGET_LANGUAGES:
            text = texts.get(language, "")
            rows.append(
                {
                    "unit_id": unit_id,
                    "language": language,
                    "text": text,
                    "state": State.NEEDS_EDITING if text else State.UNTRANSLATED,
                    "version": 1 if text else 0,
                    "previous_source": previous if text else None,
                    "comments": "",
                    "updated_at": now,
                }
            )
            if text:
                changes.append(
                    {
                        "unit_id": unit_id,
                        "language": language,
                        "action": "fuzzy-match",
                        "created_at": now,
                        "old_text": "",
                        "new_text": text,
                        "old_state": State.UNTRANSLATED,
                        "new_state": State.NEEDS_EDITING,
                        "details": f"similar English: {previous}",
                    }
                )
        if similar is not None:
            copied.append(unit_id)
    db.insert_rows(session, Translation.metadata.tables["translations"], rows)
    db.insert_rows(session, Change.metadata.tables["changes"], changes)
    return copied


def _needs_editing(session: Session, edits: list[_Edit]) -> None:
    """The translations with a text of these units need editing and remember the English they
    were made for, each with a change that says what changed."""
    found: dict[int, list[Row[int, int, str, str, int, int]]] = defaultdict(list)
    ids = [unit_id for unit_id, _, _ in edits]
    for start in range(0, len(ids), 500):
        query = (
            select(
                Translation.id,
                Translation.unit_id,
                Translation.language,
                Translation.text,
                Translation.state,
                Translation.version,
            )
            .where(Translation.unit_id.in_(ids[start : start + 500]), Translation.text != "")
            .order_by(Translation.unit_id, Translation.language)
        )
        for row in session.execute(query):
            found[row.unit_id].append(row)
    now = utcnow()
    updates: list[dict[str, object]] = []
    changes: list[dict[str, object]] = []
    for unit_id, previous, details in edits:
        for translation in found[unit_id]:
            updates.append(
                {
                    "id": translation.id,
                    "state": State.NEEDS_EDITING,
                    "previous_source": previous,
                    "version": translation.version + 1,
                    "updated_at": now,
                }
            )
            changes.append(
                {
                    "unit_id": unit_id,
                    "language": translation.language,
                    "action": "source-changed",
                    "created_at": now,
                    "old_text": translation.text,
                    "new_text": translation.text,
                    "old_state": translation.state,
                    "new_state": State.NEEDS_EDITING,
                    "details": details,
                }
            )
    if updates:
        session.execute(update(Translation), updates)
    db.insert_rows(session, Change.metadata.tables["changes"], changes)


def update_all(session: Session, root: Path, workers: int = 1) -> ExtractReport:
    """Update every document from its source text; documents whose file is gone are retired.

    A source file whose bytes are those the store was last updated from (its SHA-256) is not
    read again: nothing in it can have changed. The changed ones are all parsed (in `workers`
    processes) before any is used, so a bad one stops everything."""
    report = ExtractReport()
    files = source_files(root)
    stored = session.execute(select(Document.slug, Document.source_sha256))
    known: dict[str, str] = {slug: digest for slug, digest in stored}
    changed = [(slug, path) for slug, path in files if known.get(slug) != file_sha256(path)]
    sources = read_source_files(changed, workers)
    for source in sources:
        # units, translations and changes are read and written as rows, never loaded as
        # objects: the session holds the documents only, however large the store
        report.documents.append(update_document(session, source))
    present = {slug for slug, _ in files}
    report.retired.extend(slug for slug in sorted(known) if slug not in present)
    session.flush()
    return report


def extract(
    session: Session, root: Path, check: bool = False, workers: int = 1
) -> tuple[ExtractReport, writing.WriteReport]:
    """Update units from the source texts, check again the translations whose English changed or
    that started from a similar unit, then write (or, with check, compare) the catalogues,
    rendered in `workers` processes."""
    report = update_all(session, root, workers)
    if not check:
        changed = [unit for document in report.documents for unit in document.rechecked]
        if changed:
            checking.check_store(session, units=changed)
    return report, writing.write_catalogues(session, root, check=check, workers=workers)
