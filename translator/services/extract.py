"""Source texts to units: segment source_texts/*.md (and read source_texts/*.pot, a document of
interface strings) and update the store with msgmerge's semantics.

An unchanged or moved block keeps its unit and translations; a changed block keeps its unit,
its translations turn needs-editing and remember the previous English; a new block similar to a
known one gets that one's translations as needs-editing; a removed block's unit becomes obsolete.
A changed English plural (msgid_plural) of a gettext source makes its translations need editing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from translator import languages
from translator.formats import markdown, po
from translator.formats.merge import FuzzyIndex
from translator.models import Change, Document, State, Translation, Unit, utcnow
from translator.services import DeskError

DOCUMENT_KINDS = ("appeal", "alert", "press-release", "faq", "palm-card", "strings")
STRINGS = "strings"  # the kind of a gettext template source: interface strings, no edition
SOURCE_SUFFIXES = (".md", ".pot")
# The desk's own interface, a strings document whose template is the one `make ui-catalogue`
# writes: volunteers translate the desk in the desk (catalogues in translator/translations/)
INTERFACE = "desk-interface"
INTERFACE_TITLE = "The translation desk's interface"
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


@dataclass(frozen=True)
class SourceText:
    """A source document read from disk: where it is, what it says, and its units."""

    slug: str
    path: Path
    sha256: str
    meta: dict[str, object]
    blocks: list[markdown.Block]
    plurals: dict[str, str] = field(default_factory=dict)  # msgid: msgid_plural, .pot sources

    @property
    def filename(self) -> str:
        return self.path.name


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


def source_dir(root: Path) -> Path:
    return Path(root) / "source_texts"


def interface_template(root: Path) -> Path:
    return Path(root) / "translator" / "translations" / "messages.pot"


def source_path(root: Path, slug: str) -> Path | None:
    """A document's source file, source_texts/<slug>.md or .pot; None when it is gone."""
    if slug == INTERFACE:
        return interface_template(root) if interface_template(root).is_file() else None
    for suffix in SOURCE_SUFFIXES:
        path = source_dir(root) / f"{slug}{suffix}"
        if path.is_file():
            return path
    return None


def source_name(slug: str, kind: str) -> str:
    """The file name of a document's source, by its kind."""
    return f"{slug}.pot" if kind == STRINGS else f"{slug}.md"


def source_paths(root: Path) -> list[Path]:
    """The source files under root/source_texts (.md and .pot), in slug order; two files with
    one slug are refused."""
    folder = source_dir(root)
    if not folder.is_dir():
        raise DeskError(
            f"{folder}: no source_texts folder (set TRANSLATOR_ROOT to the content root)"
        )
    paths = sorted(
        (p for p in folder.iterdir() if p.suffix in SOURCE_SUFFIXES and p.is_file()),
        key=lambda p: (p.stem, p.suffix),
    )
    for before, path in zip(paths, paths[1:], strict=False):
        if before.stem == path.stem:
            raise DeskError(f"{path}: {before.name} has the same slug; keep one of them")
    return paths


def source_files(root: Path) -> list[tuple[str, Path]]:
    """Every document's slug and source file, in slug order: source_texts/ and, when the
    content root holds the desk itself, the interface's template."""
    found = [(path.stem, path) for path in source_paths(root)]
    if interface_template(root).is_file():
        found = sorted([*found, (INTERFACE, interface_template(root))])
    return found


def read_sources(root: Path) -> list[SourceText]:
    """Every source text, parsed and validated, in slug order; all are read before any is used,
    so a bad one stops everything."""
    return [read_source_file(slug, path) for slug, path in source_files(root)]


def read_source_file(slug: str, path: Path) -> SourceText:
    if slug == INTERFACE:
        return read_pot_source(path, INTERFACE, INTERFACE_TITLE)
    return read_pot_source(path) if path.suffix == ".pot" else read_source(path)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_changed(root: Path, document: Document) -> bool:
    """Whether the document's source file differs from the English the store holds."""
    path = source_path(root, document.slug)
    return path is None or file_sha256(path) != document.source_sha256


def read_pot_source(path: Path, slug: str | None = None, title: str | None = None) -> SourceText:
    """A gettext template as a `strings` document: each entry a unit, msgid its English and
    msgid_plural its English plural. The title is the header X-Desk-Title (else
    Project-Id-Version), the date X-Desk-Date (ISO, optional)."""
    data = path.read_bytes()
    try:
        catalogue = po.read(data, str(path))
    except po.PoError as exc:
        raise DeskError(str(exc)) from None
    blocks: list[markdown.Block] = []
    plurals: dict[str, str] = {}
    for entry in catalogue.entries:
        if entry.obsolete:
            continue
        if entry.msgctxt is not None:
            raise DeskError(f"{path}:{entry.line}: msgctxt is not supported yet in source texts")
        blocks.append(markdown.Block(entry.msgid, "string", entry.line))
        if entry.msgid_plural is not None:
            plurals[entry.msgid] = entry.msgid_plural
    title = title or catalogue.header("X-Desk-Title") or catalogue.header("Project-Id-Version")
    meta: dict[str, object] = {"kind": STRINGS, "title": title}
    if catalogue.header("X-Desk-Date"):
        meta["date"] = catalogue.header("X-Desk-Date")
    if not title:
        raise DeskError(f"{path}:1: the header needs X-Desk-Title (or Project-Id-Version)")
    _validate_meta(path, meta)
    digest = hashlib.sha256(data).hexdigest()
    return SourceText(slug or path.stem, path, digest, meta, blocks, plurals)


def read_source(path: Path) -> SourceText:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeskError(f"{path}:{line}: not valid UTF-8") from None
    try:
        document = markdown.parse(text, str(path))
    except markdown.MarkdownError as exc:
        raise DeskError(str(exc)) from None
    _validate_meta(path, document.meta)
    if document.meta.get("kind") == STRINGS:
        raise DeskError(f"{path}: kind strings is for gettext templates (source_texts/*.pot)")
    return SourceText(
        slug=path.stem,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        meta=document.meta,
        blocks=document.blocks,
    )


def _validate_meta(path: Path, meta: dict[str, object]) -> None:
    if meta.get("slug", path.stem) != path.stem:
        raise DeskError(
            f"{path}:2: slug {meta.get('slug')!r} differs from the file name {path.stem!r}"
        )
    if meta.get("kind") not in DOCUMENT_KINDS:
        raise DeskError(
            f"{path}: kind must be one of {', '.join(DOCUMENT_KINDS)}, not {meta.get('kind')!r}"
        )
    if not isinstance(meta.get("title"), str):
        raise DeskError(f"{path}: the front matter needs a title")
    for key in ("date", "deadline"):
        try:
            markdown.metadata_date(meta, key)
        except ValueError:
            raise DeskError(f"{path}: {key} must be an ISO date (YYYY-MM-DD)") from None


def word_count(text: str) -> int:
    """Words of a unit's English, not counting link targets."""
    return len(_WORD.findall(_LINK_TARGET.sub("]", text)))


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def locations(source: SourceText) -> dict[str, tuple[int, str, list[str]]]:
    """Each distinct unit text: (position of its first block, block type, its locations)."""
    found: dict[str, tuple[int, str, list[str]]] = {}
    for block in source.blocks:
        where = f"{source.filename}:{block.line}"
        if block.text in found:
            found[block.text][2].append(where)
        else:
            found[block.text] = (len(found), block.type, [where])
    return found


def update_document(session: Session, source: SourceText) -> DocumentUpdate:
    """Bring one document's units in line with its source text."""
    document = session.scalar(
        select(Document)
        .where(Document.slug == source.slug)
        .options(selectinload(Document.units).selectinload(Unit.translations))
    )
    if document is None:
        document = Document(slug=source.slug, kind="", title="")
        session.add(document)
    set_metadata(document, source)
    return _merge_units(session, document, locations(source), source.plurals)


def set_metadata(document: Document, source: SourceText) -> None:
    meta = source.meta
    document.kind = str(meta["kind"])
    document.title = str(meta["title"])
    document.date = markdown.metadata_date(meta, "date")
    if document.urgency_set_by is None:  # an editor's marking stands over the front matter
        document.priority = str(meta["priority"]) if meta.get("priority") else None
        document.deadline = markdown.metadata_date(meta, "deadline")
    document.source_sha256 = source.sha256


def _merge_units(
    session: Session,
    document: Document,
    wanted: dict[str, tuple[int, str, list[str]]],
    plurals: dict[str, str],
) -> DocumentUpdate:
    report = DocumentUpdate(document.slug)
    by_source = {unit.source: unit for unit in document.units}
    unmatched = [text for text in wanted if text not in by_source]
    removed = [u for u in document.units if u.source not in wanted and not u.obsolete]
    for text, unit in by_source.items():
        if text in wanted:
            if unit.obsolete:  # back: its translations were not checked while it was away
                report.revived += 1
                report.rechecked.append(unit.id)
            _place(unit, wanted[text])
            if unit.source_plural != plurals.get(text):
                _change_plural(session, unit, plurals.get(text))
                report.changed += 1
                report.rechecked.append(unit.id)
    if unmatched:
        _match_new(session, document, unmatched, removed, wanted, plurals, report)
    for unit in removed:
        if unit.source not in wanted and not unit.obsolete:
            unit.obsolete = True
            report.obsoleted += 1
    return report


def _place(unit: Unit, where: tuple[int, str, list[str]]) -> None:
    position, block_type, found_at = where
    unit.obsolete = False
    unit.position = position
    unit.type = block_type
    unit.locations = " ".join(found_at)


def _match_new(
    session: Session,
    document: Document,
    unmatched: list[str],
    removed: list[Unit],
    wanted: dict[str, tuple[int, str, list[str]]],
    plurals: dict[str, str],
    report: DocumentUpdate,
) -> None:
    translated = {
        u.source: u
        for u in document.units
        if not u.obsolete and any(t.text for t in u.translations)
    }
    free = {u.source: u for u in removed}
    index = FuzzyIndex(translated)
    copies: list[tuple[Unit, Unit]] = []
    for text in unmatched:
        match = index.best(text, [s for s in free if s not in translated])
        if match is not None and match in free:
            unit = free.pop(match)
            unit.source_plural = plurals.get(text)
            _change_source(session, unit, text, wanted[text])
            report.changed += 1
            report.rechecked.append(unit.id)
            continue
        unit = _new_unit(document, text, wanted[text], plurals.get(text))
        report.added += 1
        if match is not None:
            copies.append((translated[match], unit))
    session.flush()  # once for the document: the Change rows of the copies need the new ids
    for similar, unit in copies:
        _copy_as_fuzzy(session, similar, unit)
        report.rechecked.append(unit.id)
    report.fuzzy_matched += len(copies)


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


def _new_unit(
    document: Document, text: str, where: tuple[int, str, list[str]], plural: str | None = None
) -> Unit:
    unit = Unit(
        source=text,
        source_plural=plural,
        source_sha1=sha1(text),
        words=word_count(text),
        position=0,
        type="",
    )
    _place(unit, where)
    unit.translations = [
        Translation(language=lang.code, text="", state=State.UNTRANSLATED, version=0)
        for lang in languages.targets()
    ]
    document.units.append(unit)
    return unit


def _copy_as_fuzzy(session: Session, similar: Unit, unit: Unit) -> None:
    """A new unit like a known one starts from that one's translations, marked needs-editing."""
    theirs = {t.language: t for t in similar.translations}
    for translation in unit.translations:
        other = theirs.get(translation.language)
        if other is None or not other.text:
            continue
        translation.text = other.text
        translation.state = State.NEEDS_EDITING
        translation.previous_source = similar.source
        translation.version += 1
        session.add(
            Change(
                unit_id=unit.id,
                language=translation.language,
                action="fuzzy-match",
                new_text=other.text,
                new_state=State.NEEDS_EDITING,
                details=f"similar English: {similar.source}",
            )
        )


def _release(session: Session) -> None:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Translation | Change):
            session.expunge(obj)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Unit):
            session.expunge(obj)


def update_all(session: Session, root: Path) -> ExtractReport:
    """Update every document from its source text; documents whose file is gone are retired.

    A source file whose bytes are those the store was last updated from (its SHA-256) is not
    read again: nothing in it can have changed. The changed ones are all parsed before any is
    used, so a bad one stops everything."""
    report = ExtractReport()
    files = source_files(root)
    stored = session.execute(select(Document.slug, Document.source_sha256))
    known: dict[str, str] = {slug: digest for slug, digest in stored}
    sources = [read_source_file(s, p) for s, p in files if known.get(s) != file_sha256(p)]
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
