"""The store and locales/ in both directions: load catalogues into an empty store, write them back.

Writing is deterministic (the same store gives the same bytes; no volatile headers), atomic (a temp
file, then a rename) and careful: a catalogue changed by hand since the desk last wrote it is never
overwritten; the write stops and says to import the file first.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from babel import Locale
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from translator import languages, plurals
from translator.formats import plural_forms as gettext_plurals
from translator.formats import po
from translator.formats.merge import FuzzyIndex
from translator.models import CatalogueFile, Change, Document, State, Translation, Unit, utcnow
from translator.services import DeskError, checking
from translator.services.extract import (
    INTERFACE,
    ExtractReport,
    SourceText,
    interface_template,
    locations,
    read_sources,
    set_metadata,
    sha1,
    source_name,
    source_path,
    update_all,
    word_count,
)

LAST_TRANSLATOR = "IEC translation desk"
REVISION_FORMAT = "%Y-%m-%d %H:%M+0000"
EPOCH = datetime(2022, 1, 1)


@dataclass
class WriteReport:
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)  # what a write would change (check mode)


def template_path(root: Path, slug: str) -> Path:
    return Path(root) / "locales" / "templates" / f"{slug}.pot"


def catalogue_path(root: Path, language: str, slug: str) -> Path:
    if slug == INTERFACE:  # where flask-babel reads the interface's translations
        return interface_template(root).parent / language / "LC_MESSAGES" / "messages.po"
    return Path(root) / "locales" / language / "LC_MESSAGES" / f"{slug}.po"


# Loading


def is_empty(session: Session) -> bool:
    return session.scalar(select(Document.id).limit(1)) is None


def load(session: Session, root: Path) -> int:
    """Fill an empty store from source_texts/ and locales/; returns the number of units.

    Catalogue entries whose English is no longer in the source are kept as obsolete units, and an
    untranslated unit similar to one of them starts from its translation, marked needs-editing.
    """
    if not is_empty(session):
        raise DeskError("the database is not empty; `translator extract` updates it")
    count = 0
    for source in read_sources(root):
        count += _load_document(session, root, source)
    for path in sorted((Path(root) / "locales").glob("templates/*.pot")):
        _record(session, root, path, path.read_bytes())
    return count


def _load_document(session: Session, root: Path, source: SourceText) -> int:
    document = Document(slug=source.slug)
    set_metadata(document, source)
    session.add(document)
    session.flush()
    wanted = locations(source)
    loaded = {
        lang.code: _read_existing(session, root, lang, source.slug) for lang in languages.targets()
    }
    catalogues = {code: entries for code, (entries, _) in loaded.items()}
    revisions = {code: revision for code, (_, revision) in loaded.items()}
    orphans = _orphans(wanted, catalogues)
    units = [
        _unit_row(document.id, text, where, plural=source.plurals.get(text))
        for text, where in wanted.items()
    ]
    orphan_plurals = {
        msgid: entry.msgid_plural
        for entries in catalogues.values()
        for msgid, entry in entries.items()
        if entry.msgid_plural is not None
    }
    units += [
        _unit_row(
            document.id,
            text,
            (len(wanted) + n, "paragraph", []),
            obsolete=True,
            plural=orphan_plurals.get(text),
        )
        for n, text in enumerate(orphans)
    ]
    ids = _insert_units(session, units)
    rows, changes = _translation_rows(ids, wanted, catalogues, revisions)
    if rows:
        session.execute(insert(Translation), rows)
    if changes:
        session.execute(insert(Change), changes)
    return len(units)


def _read_existing(
    session: Session, root: Path, language: languages.Language, slug: str
) -> tuple[dict[str, po.Entry], datetime]:
    """A catalogue's entries by msgid and its revision date; the file is remembered as loaded."""
    path = catalogue_path(root, language.code, slug)
    if not path.is_file():
        return {}, EPOCH
    data = path.read_bytes()
    catalogue = read_catalogue(path, data, language)
    _record(session, root, path, data)
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
        raise DeskError(str(exc)) from None
    declared = catalogue.header("Language")
    if declared and declared.replace("-", "_").split("_")[0] != language.code:
        raise DeskError(f"{path}:1: the file says Language: {declared}, not {language.code}")
    found = map_plural_forms(catalogue, language)
    if filled is not None:
        filled.extend(found)
    return catalogue


def map_plural_forms(catalogue: po.Catalogue, language: languages.Language) -> list[FilledForms]:
    """Give each plural entry the language's forms, taken from the file's forms of the same CLDR
    category; a form taken from merely the closest one marks the entry fuzzy (needs editing)."""
    file_forms = catalogue.plural_forms()
    if file_forms is None:
        return []
    sources = gettext_plurals.mapping(file_forms, Locale.parse(language.code).plural_form)
    if [s.index for s in sources] == list(range(file_forms.nplurals)) and all(
        s.exact for s in sources
    ):
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


def _unit_row(
    document_id: int,
    text: str,
    where: tuple[int, str, list[str]],
    obsolete: bool = False,
    plural: str | None = None,
) -> dict[str, object]:
    position, block_type, found_at = where
    return {
        "document_id": document_id,
        "source": text,
        "source_plural": plural,
        "source_sha1": sha1(text),
        "type": block_type,
        "position": position,
        "locations": " ".join(found_at),
        "words": word_count(text),
        "obsolete": obsolete,
    }


def _insert_units(session: Session, rows: list[dict[str, object]]) -> dict[str, int]:
    if not rows:
        return {}
    result = session.execute(
        insert(Unit).returning(Unit.id, Unit.source, sort_by_parameter_order=True), rows
    )
    return {source: unit_id for unit_id, source in result}


def _translation_rows(
    ids: dict[str, int],
    wanted: dict[str, tuple[int, str, list[str]]],
    catalogues: dict[str, dict[str, po.Entry]],
    revisions: dict[str, datetime],
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rows: list[dict[str, object]] = []
    changes: list[dict[str, object]] = []
    now = utcnow()
    for code, entries in catalogues.items():
        fuzzy = _fuzzy_fill(wanted, entries)
        for text, unit_id in ids.items():
            entry = entries.get(text) or fuzzy.get(text)
            row = _translation_row(unit_id, code, entry, revisions[code])
            rows.append(row)
            if row["text"]:
                changes.append(
                    {
                        "unit_id": unit_id,
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


# Writing


def build_template(document: Document, units: list[Unit]) -> po.Catalogue:
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


def _template_entry(unit: Unit) -> po.Entry:
    return po.Entry(
        msgid=unit.source,
        msgid_plural=unit.source_plural,
        msgstr_plural=["", ""] if unit.plural else [],
        extracted=[f"type: {unit.type}"],
        locations=unit.locations.split(),
    )


def build_catalogue(
    document: Document, language: languages.Language, rows: list[tuple[Unit, Translation]]
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


def _entry(unit: Unit, translation: Translation, nplurals: int) -> po.Entry:
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


def render_files(
    session: Session, root: Path, skip: Collection[Path] = frozenset()
) -> dict[Path, bytes]:
    """Every catalogue file the store stands for (but those in `skip`), as bytes, by path."""
    files: dict[Path, bytes] = {}
    targets = languages.targets()
    for document in session.scalars(select(Document).order_by(Document.slug)):
        if source_path(root, document.slug) is None:
            continue  # retired: its files stay as they were
        paths = {lang.code: catalogue_path(root, lang.code, document.slug) for lang in targets}
        # the interface's template is its source (make ui-catalogue): never written here
        template = template_path(root, document.slug)
        if document.slug == INTERFACE:
            skip = {*skip, template}
        if template in skip and all(path in skip for path in paths.values()):
            continue
        units = list(
            session.scalars(
                select(Unit)
                .where(Unit.document_id == document.id)
                .order_by(Unit.obsolete, Unit.position, Unit.id)
            )
        )
        if template not in skip:
            files[template] = po.write(build_template(document, units)).encode()
        by_language = _translations_by_language(session, document)
        for language in targets:
            if paths[language.code] in skip:
                continue
            rows = [
                (unit, by_language[language.code][unit.id])
                for unit in units
                if unit.id in by_language[language.code]
            ]
            catalogue = build_catalogue(document, language, rows)
            files[paths[language.code]] = po.write(catalogue).encode()
    return files


def catalogue_inputs(session: Session, root: Path) -> dict[Path, str]:
    """For every catalogue file, a digest of everything it is written from: the writer, the
    document's English (its units change only with it) and, for a PO file, the count, summed
    versions and newest change of its translations (every change raises a version). Equal
    digests mean equal bytes, so an extract with nothing changed renders nothing."""
    stats = {
        (document_id, language): f"{count}|{versions}|{newest}"
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
    inputs: dict[Path, str] = {}
    for document in session.scalars(select(Document).order_by(Document.slug)):
        if source_path(root, document.slug) is None:
            continue
        base = f"{_writer()}|{document.slug}|{document.kind}|{document.source_sha256}"
        if document.slug != INTERFACE:
            inputs[template_path(root, document.slug)] = _sha256(base)
        for code in languages.TARGET_LANGUAGES:
            state = stats.get((document.id, code), "")
            inputs[catalogue_path(root, code, document.slug)] = _sha256(f"{base}|{code}|{state}")
    return inputs


@cache
def _writer() -> str:
    """The code that decides a catalogue's bytes: a new release of it writes every file anew."""
    modules = (po, gettext_plurals, plurals, languages, sys.modules[__name__])
    code = b"".join(Path(str(module.__file__)).read_bytes() for module in modules)
    forms = "|".join(language.plural_forms for language in languages.targets())
    return _sha256(code.decode() + forms)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _translations_by_language(
    session: Session, document: Document
) -> dict[str, dict[int, Translation]]:
    grouped: dict[str, dict[int, Translation]] = defaultdict(dict)
    query = select(Translation).join(Unit).where(Unit.document_id == document.id)
    for translation in session.scalars(query):
        grouped[translation.language][translation.unit_id] = translation
    return grouped


def write_catalogues(session: Session, root: Path, check: bool = False) -> WriteReport:
    """Write every POT and PO file that differs from the store; with check, only list them.

    Before anything is written, every file about to be replaced is compared with what the desk last
    wrote there: a file changed by hand stops the whole write, and nothing is written. The new
    files' hashes are recorded in the session's transaction and the files are replaced only once
    it has committed (`after_commit`), so a crash at any moment leaves every file old or new and
    each recorded as the desk's own: the next extract finishes the work by itself.
    """
    report = WriteReport()
    inputs = catalogue_inputs(session, root)
    on_disk = {path: _digest_of(path) for path in inputs}
    records = {record.path: record for record in session.scalars(select(CatalogueFile))}
    current = {
        path
        for path, digest in inputs.items()
        if (record := records.get(_key(root, path))) is not None
        and record.inputs == digest
        and record.sha256 == on_disk[path]
    }
    files = render_files(session, root, skip=current)
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
        _record(session, root, path, data, replacing=on_disk[path], inputs=inputs[path])
    pending = {path: files[path] for path in report.stale}
    if pending:
        _replace_after_commit(session, pending)
    report.written.extend(pending)
    return report


_PENDING = "translator.pending_files"


def _replace_after_commit(session: Session, pending: dict[Path, bytes]) -> None:
    session.info.setdefault(_PENDING, {}).update(pending)


@event.listens_for(Session, "after_commit")
def _write_pending(session: Session) -> None:
    for path, data in session.info.pop(_PENDING, {}).items():
        write_atomically(path, data)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _digest_of(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _changed_by_hand(session: Session, root: Path, path: Path, digest: str | None) -> bool:
    """A file on disk that the desk did not write: neither its last file nor the one before."""
    if digest is None:
        return False
    record = session.get(CatalogueFile, _key(root, path))
    return record is None or digest not in (record.sha256, record.previous_sha256)


def _record(
    session: Session,
    root: Path,
    path: Path,
    data: bytes,
    replacing: str | None = None,
    inputs: str | None = None,
) -> None:
    """Remember `data` as the desk's file at `path` (with `replacing`, the file it replaces, and
    the digest of the inputs it was written from)."""
    digest = hashlib.sha256(data).hexdigest()
    record = session.get(CatalogueFile, _key(root, path))
    if record is None:
        record = CatalogueFile(path=_key(root, path), sha256=digest, previous_sha256=replacing)
        session.add(record)
    elif record.sha256 != digest:
        record.previous_sha256 = replacing
        record.sha256 = digest
    record.inputs = inputs


def _key(root: Path, path: Path) -> str:
    return path.resolve().relative_to(Path(root).resolve()).as_posix()


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old bytes or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def extract(session: Session, root: Path, check: bool = False) -> tuple[ExtractReport, WriteReport]:
    """Update units from the source texts, check again the translations whose English changed or
    that started from a similar unit, then write (or, with check, compare) the catalogues."""
    report = update_all(session, root)
    if not check:
        changed = [unit for document in report.documents for unit in document.rechecked]
        if changed:
            checking.check_store(session, units=changed)
    return report, write_catalogues(session, root, check=check)


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
