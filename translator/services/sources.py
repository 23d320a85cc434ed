"""Source texts: find, read and validate source_texts/*.md (and source_texts/*.pot, documents of
interface strings), and what they say about a document (its metadata, its units' places).

`extract` turns what is read here into units; `loading` fills an empty store from it.
Finding the files and hashing them imports nothing more: `translator extract` with nothing to do
(`extract_unchanged`) needs no more, and the parsers and SQLAlchemy cost it more than its work
(docs/decisions.md, #29). The functions that parse or store import those themselves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from translator.services import DeskError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from translator.formats import markdown
    from translator.models import Document

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


PARALLEL_FROM = 1 << 20  # bytes of source text: less is parsed faster than processes start


def read_source_files(files: Sequence[tuple[str, Path]], workers: int = 1) -> list[SourceText]:
    """Each (slug, path) (from `source_files`) parsed and validated, in order, shared among
    `workers` forked processes when there is much to parse (from a command only, as `forks`
    says); all are read before any is used, so a bad one stops everything."""
    from translator.services import forks

    size = sum(path.stat().st_size for _, path in files)
    return forks.map_inherited(_read_pair, files, workers if size >= PARALLEL_FROM else 1)


def _read_pair(file: tuple[str, Path]) -> SourceText:
    return read_source_file(*file)


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
    from translator.formats import markdown, po

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
    from translator.formats import markdown

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
    from translator.formats import markdown

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


def placement(where: tuple[int, str, list[str]]) -> dict[str, object]:
    """A unit's columns that say where its block is (and that it is in the source), from its
    entry in `locations`."""
    position, block_type, found_at = where
    return {
        "obsolete": False,
        "position": position,
        "type": block_type,
        "locations": " ".join(found_at),
    }


def unit_row(
    text: str,
    where: tuple[int, str, list[str]],
    plural: str | None = None,
    obsolete: bool = False,
) -> dict[str, object]:
    """A unit's columns but its document's: its English (and English plural), and its place."""
    return {
        "source": text,
        "source_plural": plural,
        "source_sha1": sha1(text),
        "words": word_count(text),
        **placement(where),
        "obsolete": obsolete,
    }


def insert_units(session: Session, document_id: int, rows: list[dict[str, object]]) -> list[int]:
    """Insert new units of a document (`unit_row`s) as rows, not objects; their ids, in order."""
    from sqlalchemy import select

    from translator import db
    from translator.models import Unit

    db.insert_rows(
        session,
        Unit.metadata.tables["units"],
        [{"document_id": document_id, **row} for row in rows],
    )
    ids: dict[str, int] = {}
    digests = [cast(str, row["source_sha1"]) for row in rows]
    for start in range(0, len(digests), 500):
        found = session.execute(
            select(Unit.source_sha1, Unit.id).where(
                Unit.document_id == document_id,
                Unit.source_sha1.in_(digests[start : start + 500]),
            )
        )
        ids.update((digest, unit_id) for digest, unit_id in found)
    return [ids[digest] for digest in digests]


def set_metadata(document: Document, source: SourceText) -> None:
    from translator.formats import markdown

    meta = source.meta
    document.kind = str(meta["kind"])
    document.title = str(meta["title"])
    document.date = markdown.metadata_date(meta, "date")
    if document.urgency_set_by is None:  # an editor's marking stands over the front matter
        document.priority = str(meta["priority"]) if meta.get("priority") else None
        document.deadline = markdown.metadata_date(meta, "deadline")
    document.source_sha256 = source.sha256
