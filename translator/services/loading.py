"""locales/ into the store: fill an empty store (`translator init`) from source_texts/ and the
catalogues under locales/, and read a catalogue file into the store's terms (`read_catalogue`,
`entry_text`, `entry_state`), which importing a translator's file uses too.

Catalogue entries whose English is no longer in the source are kept as obsolete units; each
file read is remembered as the desk's own, so the next `translator extract` does not take it for
a hand edit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import cast

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from translator import db, languages, plurals
from translator.checks import Term
from translator.formats import plural_forms as gettext_plurals
from translator.formats import po
from translator.formats.merge import FuzzyIndex
from translator.messages import N_, message
from translator.models import Change, Document, State, Translation, utcnow
from translator.services import DeskError, checking, forks
from translator.services.catalogue_files import (
    EPOCH,
    REVISION_FORMAT,
    catalogue_path,
    remember_loaded,
)
from translator.services.sources import (
    SourceText,
    file_sha256,
    insert_units,
    locations,
    read_source_file,
    set_metadata,
    source_files,
    unit_row,
)


def is_empty(session: Session) -> bool:
    return session.scalar(select(Document.id).limit(1)) is None


PARALLEL_FROM = 1 << 20  # bytes of sources and catalogues: less is read faster than forks start


def load(
    session: Session,
    root: Path,
    terms: tuple[Term, ...] | None = None,
    workers: int = 1,
) -> int:
    """Fill an empty store from source_texts/ and locales/; returns the number of units.

    Catalogue entries whose English is no longer in the source are kept as obsolete units, and an
    untranslated unit similar to one of them starts from its translation, marked needs-editing.
    Given the glossary's `terms`, every translation of a current unit is checked as its catalogue
    is read, and the failures are stored (`translator init`). From a megabyte on, documents are
    read (and checked) in `workers` forked processes while this one inserts those already read.
    """
    if not is_empty(session):
        raise DeskError("the database is not empty; `translator extract` updates it")
    files = source_files(root)
    work = [_DocumentWork(root, slug, path, terms) for slug, path in files]
    size = sum(path.stat().st_size for _, path in files) + sum(
        path.stat().st_size for path in Path(root).glob("locales/*/LC_MESSAGES/*.po")
    )
    count = 0
    read: dict[Path, str] = {}  # each file read and its SHA-256, remembered as the desk's own
    found: list[checking.Found] = []
    reading = forks.imap_inherited(_read_document, work, workers if size >= PARALLEL_FROM else 1)
    with closing(reading):  # a failed insert stops the forks at once
        for document in reading:
            count += _insert_document(session, document, found)
            read.update(document.files)
    for path in sorted((Path(root) / "locales").glob("templates/*.pot")):
        read[path] = file_sha256(path)
    remember_loaded(session, root, read)
    if terms is not None:
        checking.keep_found(session, found)
    return count


@dataclass(frozen=True)
class _DocumentWork:
    root: Path
    slug: str
    path: Path  # its source text
    terms: tuple[Term, ...] | None  # the glossary, when the translations are to be checked


@dataclass(frozen=True)
class _ReadDocument:
    """A document's source and catalogues, read (and checked) into the rows to insert: plain
    data, which a fork sends back. A translation's or change's "unit_id" is, until the units are
    inserted, the index of its unit in `units`."""

    source: SourceText
    units: list[dict[str, object]]
    translations: list[dict[str, object]]
    changes: list[dict[str, object]]
    failures: list[checking.Found]  # each with its unit's index
    files: dict[Path, str]  # each catalogue read, with its SHA-256


def _read_document(work: _DocumentWork) -> _ReadDocument:
    source = read_source_file(work.slug, work.path)
    wanted = locations(source)
    files: dict[Path, str] = {}
    loaded = {
        lang.code: _read_existing(work.root, lang, source.slug, files)
        for lang in languages.targets()
    }
    catalogues = {code: entries for code, (entries, _) in loaded.items()}
    revisions = {code: revision for code, (_, revision) in loaded.items()}
    orphans = _orphans(wanted, catalogues)
    units = [
        unit_row(text, where, plural=source.plurals.get(text)) for text, where in wanted.items()
    ]
    orphan_plurals = {
        msgid: entry.msgid_plural
        for entries in catalogues.values()
        for msgid, entry in entries.items()
        if entry.msgid_plural is not None
    }
    units += [
        unit_row(
            text,
            (len(wanted) + n, "paragraph", []),
            obsolete=True,
            plural=orphan_plurals.get(text),
        )
        for n, text in enumerate(orphans)
    ]
    rows, changes = _translation_rows(units, wanted, catalogues, revisions)
    failures = [] if work.terms is None else _failures(units, rows, work.terms)
    return _ReadDocument(source, units, rows, changes, failures, files)


def _failures(
    units: list[dict[str, object]], rows: list[dict[str, object]], terms: tuple[Term, ...]
) -> list[checking.Found]:
    """The failures of each translation with a text of a current unit."""
    checked = [
        row for row in rows if row["text"] and not units[cast(int, row["unit_id"])]["obsolete"]
    ]
    work: list[checking.Work] = []
    for row in checked:
        unit = units[cast(int, row["unit_id"])]
        work.append(
            (
                cast(str, unit["source"]),
                cast(str | None, unit["source_plural"]),
                cast(str, row["text"]),
                cast(str, row["language"]),
            )
        )
    return [
        checking.found(cast(int, row["unit_id"]), cast(str, row["language"]), failure)
        for row, failures in zip(checked, checking.failures_of(work, terms), strict=True)
        for failure in failures
    ]


def _insert_document(session: Session, read: _ReadDocument, found: list[checking.Found]) -> int:
    """Insert a document read by `_read_document`, adding its failures to `found`; the number of
    its units."""
    document = Document(slug=read.source.slug)
    set_metadata(document, read.source)
    session.add(document)
    session.flush()
    ids = insert_units(session, document.id, read.units)
    for row in [*read.translations, *read.changes]:
        row["unit_id"] = ids[cast(int, row["unit_id"])]
    db.insert_rows(session, Translation.metadata.tables["translations"], read.translations)
    db.insert_rows(session, Change.metadata.tables["changes"], read.changes)
    found.extend((ids[failure[0]], *failure[1:]) for failure in read.failures)
    return len(read.units)


def _read_existing(
    root: Path, language: languages.Language, slug: str, read: dict[Path, str]
) -> tuple[dict[str, po.Entry], datetime]:
    """A catalogue's entries by msgid and its revision date; the file's SHA-256 is added to
    `read`."""
    path = catalogue_path(root, language.code, slug)
    if not path.is_file():
        return {}, EPOCH
    data = path.read_bytes()
    catalogue = read_catalogue(path, data, language)
    read[path] = hashlib.sha256(data).hexdigest()
    return {e.msgid: e for e in catalogue.entries if e.msgctxt is None}, _revision(catalogue)


@dataclass(frozen=True)
class FilledForms:
    """A plural entry whose file has other plural forms than the language: `filled` are our
    categories given the text of the file's closest form (so it needs editing), `dropped` the
    file's forms (msgstr[n]) with a text that none of ours takes."""

    line: int
    source: str
    filled: tuple[str, ...]
    dropped: tuple[int, ...]


def read_catalogue(
    path: Path,
    data: bytes,
    language: languages.Language,
    max_bytes: int = po.DEFAULT_MAX_BYTES,
    filled: list[FilledForms] | None = None,
) -> po.Catalogue:
    """Read a catalogue strictly, as a DeskError naming the file and line when it is malformed;
    plural forms are mapped onto the language's by CLDR category (see `map_plural_forms`)."""
    try:
        catalogue = po.read(data, str(path), nplurals=language.nplurals, max_bytes=max_bytes)
        po.check_translation(catalogue, str(path))
    except po.PoError as exc:
        raise DeskError(exc.said, filename=exc.filename, line=exc.line) from None
    declared = catalogue.header("Language")
    if declared and declared.replace("-", "_").split("_")[0] != language.code:
        other = message(
            N_("%(file)s:1: the file says Language: %(declared)s, not %(language)s"),
            "po.other-language",
            file=str(path),
            declared=declared,
            language=language.code,
        )
        raise DeskError(other, filename=str(path), line=1)
    found = map_plural_forms(catalogue, language)
    if filled is not None:
        filled.extend(found)
    return catalogue


def map_plural_forms(catalogue: po.Catalogue, language: languages.Language) -> list[FilledForms]:
    """Give each plural entry the language's forms, taken from the file's forms of the same CLDR
    category; a form taken from merely the closest one marks the entry fuzzy (needs editing)."""
    sources = _form_sources(catalogue.header("Plural-Forms") or "", language.code)
    if not sources:
        return []
    tags = [form.category for form in languages.plural_forms(language.code)]
    found = []
    for entry in catalogue.entries:
        if entry.msgid_plural is None or entry.obsolete:
            continue
        old = entry.msgstr_plural
        entry.msgstr_plural = [old[s.index] if s.index < len(old) else "" for s in sources]
        pairs = zip(tags, sources, entry.msgstr_plural, strict=True)
        guessed = tuple(tag for tag, s, text in pairs if text and not s.exact)
        taken = {s.index for s in sources}
        dropped = tuple(i for i, text in enumerate(old) if text and i not in taken)
        if guessed and "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
        if guessed or dropped:
            found.append(FilledForms(entry.line, entry.msgid, guessed, dropped))
    return found


@cache
def _form_sources(header: str, code: str) -> tuple[gettext_plurals.FormSource, ...]:
    """Where each of the language's plural forms comes from in a file whose header says
    `Plural-Forms: header`; empty when the file has no rule or the language's own. Worked out
    once per header: a store's catalogues mostly share one (evaluating a rule takes a while)."""
    file_forms = po.Catalogue([("Plural-Forms", header)], [], []).plural_forms()
    if file_forms is None:
        return ()
    sources = gettext_plurals.mapping(file_forms, Locale.parse(code).plural_form)
    if [s.index for s in sources] == list(range(file_forms.nplurals)) and all(
        s.exact for s in sources
    ):
        return ()
    return sources


def _revision(catalogue: po.Catalogue) -> datetime:
    value = catalogue.header("PO-Revision-Date") or ""
    try:
        return datetime.strptime(value, REVISION_FORMAT)
    except ValueError:
        return EPOCH


def _orphans(wanted: Collection[str], catalogues: dict[str, dict[str, po.Entry]]) -> list[str]:
    found: dict[str, None] = {}
    for entries in catalogues.values():
        for msgid, entry in entries.items():
            if msgid not in wanted and entry.translated:
                found[msgid] = None
    return list(found)


def _translation_rows(
    units: list[dict[str, object]],
    wanted: dict[str, tuple[int, str, list[str]]],
    catalogues: dict[str, dict[str, po.Entry]],
    revisions: dict[str, datetime],
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rows: list[dict[str, object]] = []
    changes: list[dict[str, object]] = []
    now = utcnow()
    for code, entries in catalogues.items():
        fuzzy = _fuzzy_fill(wanted, entries)
        for index, unit in enumerate(units):
            text = cast(str, unit["source"])
            entry = entries.get(text) or fuzzy.get(text)
            row = _translation_row(index, code, entry, revisions[code])
            rows.append(row)
            if row["text"]:
                changes.append(
                    {
                        "unit_id": index,
                        "language": code,
                        "action": "load",
                        "created_at": now,
                        "new_text": row["text"],
                        "new_state": row["state"],
                        "old_text": "",
                        "old_state": State.UNTRANSLATED,
                        "details": "loaded from locales/",
                    }
                )
    return rows, changes


def _fuzzy_fill(wanted: Collection[str], entries: dict[str, po.Entry]) -> dict[str, po.Entry]:
    """Untranslated units similar to a translated entry that is no longer in the source."""
    stale = [msgid for msgid, e in entries.items() if msgid not in wanted and e.translated]
    missing = [text for text in wanted if text not in entries or not entries[text].translated]
    if not stale or not missing:
        return {}
    index = FuzzyIndex(stale)
    filled: dict[str, po.Entry] = {}
    for text in missing:
        match = index.best(text)
        if match is not None:
            old = entries[match]
            filled[text] = po.Entry(
                msgid=text,
                msgstr=old.msgstr,
                msgid_plural=old.msgid_plural,
                msgstr_plural=list(old.msgstr_plural),
                flags=["fuzzy"],
                previous_msgid=match,
                comments=old.comments,
            )
    return filled


def _translation_row(
    unit_id: int, code: str, entry: po.Entry | None, revision: datetime
) -> dict[str, object]:
    row: dict[str, object] = {
        "unit_id": unit_id,
        "language": code,
        "text": "",
        "state": State.UNTRANSLATED,
        "version": 0,
        "previous_source": None,
        "comments": "",
        "updated_at": revision,
    }
    if entry is None:
        return row
    row["comments"] = "\n".join(entry.comments)
    if not entry_text(entry):
        return row
    row.update(
        text=entry_text(entry),
        state=entry_state(entry, trusted=True),
        version=1,
        previous_source=entry.previous_msgid if entry.fuzzy else None,
    )
    return row


def entry_text(entry: po.Entry) -> str:
    """A catalogue entry's translation as the store keeps it: plural forms joined."""
    if entry.msgid_plural is not None:
        return plurals.join(entry.msgstr_plural)
    return entry.msgstr


def entry_state(entry: po.Entry, trusted: bool) -> State:
    """The state a catalogue entry stands for; only trusted files (locales/) can say approved.
    A plural entry with a form missing needs editing."""
    if not entry_text(entry):
        return State.UNTRANSLATED
    if entry.msgid_plural is not None and not entry.translated:
        return State.NEEDS_EDITING
    if entry.fuzzy:
        return State.NEEDS_EDITING
    if trusted and po.APPROVED in entry.flags:
        return State.APPROVED
    return State.TRANSLATED
