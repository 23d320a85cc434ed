"""Source texts to units and catalogues (`translator extract`): update the store from
source_texts/ with msgmerge's semantics, check again what changed, and write locales/.

An unchanged or moved block keeps its unit and translations; a changed block keeps its unit,
its translations turn needs-editing and remember the previous English; a new block similar to a
known one gets that one's translations as needs-editing; a removed block's unit becomes obsolete.
A changed English plural (msgid_plural) of a gettext source makes its translations need editing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from translator import db, languages
from translator.formats.merge import FuzzyIndex
from translator.models import Change, Document, State, Translation, Unit, utcnow
from translator.services import checking, writing
from translator.services.sources import (
    SourceText,
    file_sha256,
    locations,
    read_source_files,
    set_metadata,
    sha1,
    source_files,
    word_count,
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

    The units are read as plain rows; only those that leave the source or whose English or
    English plural changes are loaded, with their translations (a document's units are many, its
    changes few): an ordinary edit costs what it changes, not what the document holds."""
    document = session.scalar(select(Document).where(Document.slug == source.slug))
    if document is None:
        document = Document(slug=source.slug, kind="", title="")
        session.add(document)
    set_metadata(document, source)
    session.flush()  # a new document's id, for its units
    return _merge_units(session, document, locations(source), source.plurals)


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
    removed = [row.id for row in rows if row.source not in wanted and not row.obsolete]
    replural = [
        row.id
        for text, row in by_source.items()
        if text in wanted and row.source_plural != plurals.get(text)
    ]
    _place_all(session, by_source, wanted)  # before any unit is loaded: they load as placed
    loaded = _load_translations(session, [*removed, *replural])  # replural: all in the source
    for text, row in by_source.items():
        if text in wanted:
            if row.obsolete:  # back: its translations were not checked while it was away
                report.revived += 1
                report.rechecked.append(row.id)
            if row.source_plural != plurals.get(text):
                _change_plural(session, loaded[row.id], plurals.get(text))
                report.changed += 1
                report.rechecked.append(row.id)
    if unmatched:
        # the units not obsolete now: those in the source, and the removed ones until the end
        current = [row for row in rows if row.source in wanted or row.id in loaded]
        free = [loaded[unit_id] for unit_id in removed]
        _match_new(session, document, unmatched, current, free, wanted, plurals, report)
    for unit_id in removed:
        unit = loaded[unit_id]
        if unit.source not in wanted and not unit.obsolete:
            unit.obsolete = True
            report.obsoleted += 1
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
            place = _placement(wanted[text])
            if any(getattr(row, name) != value for name, value in place.items()):
                moved.append({"id": row.id, **place})
    if moved:
        session.execute(update(Unit), moved)


def _load_translations(session: Session, ids: list[int]) -> dict[int, Unit]:
    """These units with their translations, by id: a few queries for them all rather than one
    per unit."""
    found: dict[int, Unit] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        found.update(
            (unit.id, unit)
            for unit in session.scalars(
                select(Unit)
                .where(Unit.id.in_(wanted[start : start + 500]))
                .options(selectinload(Unit.translations))
            )
        )
    return found


def _placement(where: tuple[int, str, list[str]]) -> dict[str, object]:
    """A unit's columns that say where its block is (and that it is in the source)."""
    position, block_type, found_at = where
    return {
        "obsolete": False,
        "position": position,
        "type": block_type,
        "locations": " ".join(found_at),
    }


def _place(unit: Unit, where: tuple[int, str, list[str]]) -> None:
    for name, value in _placement(where).items():
        setattr(unit, name, value)


def _match_new(
    session: Session,
    document: Document,
    unmatched: list[str],
    current: list[_UnitRow],
    removed: list[Unit],
    wanted: dict[str, tuple[int, str, list[str]]],
    plurals: dict[str, str],
    report: DocumentUpdate,
) -> None:
    """Each new English text either replaces a removed unit's (the most similar, changed) or
    becomes a new unit, which starts from the translations of the most similar translated one."""
    with_text = set(
        session.scalars(
            select(Translation.unit_id)
            .join(Unit)
            .where(Unit.document_id == document.id, Translation.text != "")
            .distinct()
        )
    )
    translated = {row.source: row.id for row in current if row.id in with_text}
    free = {u.source: u for u in removed}
    index = FuzzyIndex(translated)
    added: list[tuple[str, int | None]] = []  # new English, with its most similar unit's id
    for text in unmatched:
        match = index.best(text, [s for s in free if s not in translated])
        if match is not None and match in free:
            unit = free.pop(match)
            unit.source_plural = plurals.get(text)
            _change_source(session, unit, text, wanted[text])
            report.changed += 1
            report.rechecked.append(unit.id)
            continue
        added.append((text, None if match is None else translated[match]))
    ids = _insert_units(session, document.id, [text for text, _ in added], wanted, plurals)
    copied = _insert_translations(session, [(ids[text], similar) for text, similar in added])
    report.added += len(added)
    report.rechecked.extend(copied)
    report.fuzzy_matched += len(copied)


def _insert_units(
    session: Session,
    document_id: int,
    texts: list[str],
    wanted: dict[str, tuple[int, str, list[str]]],
    plurals: dict[str, str],
) -> dict[str, int]:
    """New units of a document, inserted as rows (not loaded as objects); their ids by English."""
    rows: list[dict[str, object]] = [
        {
            "document_id": document_id,
            "source": text,
            "source_plural": plurals.get(text),
            "source_sha1": sha1(text),
            "words": word_count(text),
            **_placement(wanted[text]),
        }
        for text in texts
    ]
    db.insert_rows(session, Unit.metadata.tables["units"], rows)
    ids: dict[str, int] = {}
    digests = [cast(str, row["source_sha1"]) for row in rows]
    for start in range(0, len(digests), 500):
        found = session.execute(
            select(Unit.source, Unit.id).where(
                Unit.document_id == document_id,
                Unit.source_sha1.in_(digests[start : start + 500]),
            )
        )
        ids.update((source, unit_id) for source, unit_id in found)
    return ids


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
        for language in languages.TARGET_LANGUAGES:
            text = texts.get(language, "")
            rows.append(
                {
                    "unit_id": unit_id,
                    "language": language,
                    "text": text,
                    "state": State.NEEDS_EDITING if text else State.UNTRANSLATED,
                    "version": 1 if text else 0,
                    "previous_source": english[cast(int, similar)] if text else None,
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
                        "details": f"similar English: {english[cast(int, similar)]}",
                    }
                )
        if similar is not None:
            copied.append(unit_id)
    db.insert_rows(session, Translation.metadata.tables["translations"], rows)
    db.insert_rows(session, Change.metadata.tables["changes"], changes)
    return copied


def _change_source(
    session: Session, unit: Unit, text: str, where: tuple[int, str, list[str]]
) -> None:
    """The English of a unit changed: its translations need editing and keep the old English."""
    old_source = unit.source
    unit.source, unit.source_sha1, unit.words = text, sha1(text), word_count(text)
    _place(unit, where)
    _needs_editing(session, unit, old_source, f"previous English: {old_source}")


def _change_plural(session: Session, unit: Unit, plural: str | None) -> None:
    """The English plural of a unit changed (or came, or went): its translations need editing."""
    old_plural, unit.source_plural = unit.source_plural, plural
    _needs_editing(session, unit, unit.source, f"previous English plural: {old_plural}")


def _needs_editing(session: Session, unit: Unit, previous: str, details: str) -> None:
    for translation in unit.translations:
        if not translation.text:
            continue
        old_state = translation.state
        translation.state = State.NEEDS_EDITING
        translation.previous_source = previous
        translation.version += 1
        translation.updated_at = utcnow()
        session.add(
            Change(
                unit_id=unit.id,
                language=translation.language,
                action="source-changed",
                old_text=translation.text,
                new_text=translation.text,
                old_state=old_state,
                new_state=State.NEEDS_EDITING,
                details=details,
            )
        )


def _release(session: Session) -> None:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Translation | Change):
            session.expunge(obj)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Unit):
            session.expunge(obj)


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
        report.documents.append(update_document(session, source))
        # A document's rows are not needed once it is done: a session holding every unit and
        # translation would make each flush, and memory, grow with the whole store. They are
        # released document by document; dropping the whole store's graph at once (expunge_all)
        # crashed the interpreter in garbage collection on stores of 20,000 units.
        session.flush()
        _release(session)
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
