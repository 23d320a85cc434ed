"""Editions from the store, built: one as HTML or PDF, or every publishable one into a folder.

`build` writes only editions that pass the gate (services/gate.py) unless asked for drafts, and
renders only what changed: DIR/manifest.json holds each file's SHA-256 and, for an edition, the
hash of its inputs. The index pages and the manifest are written here for `translator pull`'s
site as well (`write_indexes`, `write_manifest`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator import languages
from translator.formats import editions, markdown, standalone
from translator.models import Document, State, Translation, Unit
from translator.services import DeskError, editing, gate
from translator.services.catalogue_files import write_atomically

FORMATS = ("html", "pdf")
RENDERER_VERSION = "3"  # bump when templates change in a way the inputs do not show
MANIFEST = "manifest.json"


@dataclass
class BuildReport:
    rendered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (edition, reason)
    no_edition: list[str] = field(default_factory=list)  # documents of interface strings


def gated_edition(
    session: Session, root: Path, document: Document, language: str, *, draft: bool
) -> editions.Edition:
    """An edition to serve: a draft as it reads now, else only a publishable edition (English
    always is); NoEdition for interface strings, NotPublishable with the blockers."""
    if not gate.has_edition(document):
        raise gate.NoEdition(f"{document.slug} holds interface strings: it has no edition")
    if not draft and language != languages.SOURCE_LANGUAGE:
        found = gate.blockers(session, document, language, root)
        if found:
            raise gate.NotPublishable(found, f"{len(found)} blockers")
    return edition_for(session, root, document, language, draft)


def _rows(session: Session, document: Document, language: str) -> list[tuple[Unit, Translation]]:
    return editing.rows(session, document.id, language)


def localised_source(
    session: Session, root: Path, document: Document, language: str, draft: bool
) -> str:
    """The document's Markdown in a language; in drafts, unfinished units carry marks."""
    if not gate.has_edition(document):
        raise DeskError(f"{document.slug} holds interface strings: it has no edition")
    path = Path(root) / "source_texts" / f"{document.slug}.md"
    text = path.read_text(encoding="utf-8")
    if language == languages.SOURCE_LANGUAGE:
        return text
    table: dict[str, str] = {}
    for unit, translation in _rows(session, document, language):
        table[unit.source] = _shown(unit.source, translation, draft)
    return markdown.render(text, lambda source: table.get(source, source), str(path))


def _shown(source: str, translation: Translation, draft: bool) -> str:
    if not translation.text:
        start, end = editions.UNTRANSLATED
        return f"{start}{source}{end}" if draft else source
    if draft and translation.state == State.NEEDS_EDITING:
        start, end = editions.NEEDS_EDITING
        return f"{start}{translation.text}{end}"
    return translation.text


def edition_for(
    session: Session,
    root: Path,
    document: Document,
    language: str,
    draft: bool,
    paper: str = "a4",
    alternates: Iterable[str] = (),
) -> editions.Edition:
    source = localised_source(session, root, document, language, draft)
    return edition_from_source(document, language, source, draft, paper, alternates)


def edition_from_source(
    document: Document,
    language: str,
    source: str,
    draft: bool,
    paper: str = "a4",
    alternates: Iterable[str] = (),
) -> editions.Edition:
    """An edition from its localised Markdown (made now, or frozen in a publication)."""
    parsed = markdown.parse(source)
    body = source[_body_start(source) :]
    lang = languages.get(language)
    return editions.Edition(
        slug=document.slug,
        kind=document.kind,
        language=lang,
        title=str(parsed.meta.get("title", document.title)),
        body=body,
        date=document.date,
        deadline=document.deadline,
        draft=draft,
        paper=paper,
        alternates=tuple(
            editions.Alternate(languages.get(code), f"../{code}/{document.slug}.html")
            for code in alternates
            if code != language
        ),
    )


def _body_start(text: str) -> int:
    if not text.startswith("---\n"):
        return 0
    end = text.find("\n---\n", 4)
    return end + 5 if end >= 0 else 0


def build(
    session: Session,
    root: Path,
    out: Path,
    language_codes: Iterable[str] = (),
    slugs: Iterable[str] = (),
    formats: Iterable[str] = FORMATS,
    draft: bool = False,
    paper: str = "a4",
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Write DIR/<lang>/<slug>.html|.pdf, DIR/<lang>/index.html and DIR/index.html."""
    wanted_formats = [f for f in formats]
    unknown = [f for f in wanted_formats if f not in FORMATS]
    if unknown:
        raise DeskError(f"unknown format {', '.join(unknown)}; use html or pdf")
    codes = list(language_codes) or [languages.SOURCE_LANGUAGE, *languages.TARGET_LANGUAGES]
    report = BuildReport()
    documents = []
    for document in _documents(session, list(slugs)):
        if gate.has_edition(document):
            documents.append(document)
        else:
            report.no_edition.append(document.slug)
    manifest = recorded_inputs(out)
    copy_assets(out)
    found = {
        (d.slug, code): []
        if draft or code == languages.SOURCE_LANGUAGE
        else gate.blockers(session, d, code, root)
        for d in documents
        for code in codes
    }
    publishable = {key: not blocking for key, blocking in found.items()}
    jobs: list[tuple[str, str, str]] = []  # (name, html for print, base url)
    for document in documents:
        built = [code for code in codes if publishable[(document.slug, code)]]
        for code in codes:
            name = f"{code}/{document.slug}"
            if not publishable[(document.slug, code)]:
                first = found[(document.slug, code)]
                report.blocked.append((name, f"{len(first)} blockers, first: {first[0].message}"))
                continue
            edition = edition_for(session, root, document, code, draft, paper, built)
            digest = _digest(edition)
            for file_format in wanted_formats:
                target = f"{name}.{file_format}"
                if manifest.get(target) == digest and (out / target).is_file():
                    report.unchanged.append(target)
                    continue
                if file_format == "html":
                    write_atomically(out / target, editions.render_html(edition).encode())
                    manifest[target] = digest
                    report.rendered.append(target)
                else:
                    page = editions.render_html(edition, for_print=True)
                    jobs.append((target, page, (out / code).resolve().as_uri() + "/"))
                    manifest[target] = digest
    _render_pdfs(out, jobs, progress)
    report.rendered.extend(name for name, _, _ in jobs)
    listed = {
        code: [(d.slug, _title(session, d, code)) for d in documents if publishable[(d.slug, code)]]
        for code in codes
    }
    write_indexes(out, listed, [(d.slug, d.title) for d in documents])
    write_manifest(out, manifest)
    return report


def _documents(session: Session, slugs: list[str]) -> list[Document]:
    query = select(Document).order_by(Document.kind, Document.slug)
    found = list(session.scalars(query.where(Document.slug.in_(slugs)) if slugs else query))
    missing = set(slugs) - {d.slug for d in found}
    if missing:
        raise DeskError(f"no document {', '.join(sorted(missing))}")
    return found


def _digest(edition: editions.Edition) -> str:
    data = asdict(edition)
    data["language"] = edition.language.code
    data["alternates"] = [a.href for a in edition.alternates]
    data["version"] = RENDERER_VERSION
    data["stylesheet"] = hashlib.sha256((editions.ASSETS / "edition.css").read_bytes()).hexdigest()
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _render_pdfs(
    out: Path, jobs: list[tuple[str, str, str]], progress: Callable[[int, int], None] | None
) -> None:
    if not jobs:
        return
    workers = min(len(jobs), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(
            editions.render_pdf, [page for _, page, _ in jobs], [base for _, _, base in jobs]
        )
        for done, ((target, _, _), data) in enumerate(zip(jobs, results, strict=True), start=1):
            write_atomically(out / target, data)
            if progress:
                progress(done, len(jobs))


def html_for(edition: editions.Edition, work: Path) -> bytes:
    """One edition as ONE self-contained HTML file (formats/standalone.py): its stylesheet inline
    and the fonts its text needs, subset, as data: URIs; the assets copied into work/assets."""
    return standalone.standalone(editions.render_html(edition), copy_assets(work)).encode()


def pdf_for(edition: editions.Edition, work: Path) -> bytes:
    """One edition as PDF, laid out with the stylesheet and fonts copied into work/assets."""
    assets = copy_assets(work)
    page = editions.render_html(replace(edition, assets="."), for_print=True)
    return editions.render_pdf(page, assets.resolve().as_uri() + "/")


def copy_assets(out: Path) -> Path:
    """The stylesheet and fonts in out/assets (copied when missing or changed); that folder."""
    assets = out / "assets"
    (assets / "fonts").mkdir(parents=True, exist_ok=True)
    css, copied = editions.ASSETS / "edition.css", assets / "edition.css"
    if not copied.is_file() or copied.read_bytes() != css.read_bytes():
        shutil.copyfile(css, copied)
    for font in editions.FONTS:
        source, target = editions.FONT_DIR / font, assets / "fonts" / font
        if not source.is_file():
            raise DeskError(
                f"{source} is missing: install Debian's fonts-noto-core (make install does)"
            )
        if not target.is_file() or target.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, target)
    return assets


def write_indexes(
    out: Path, listed: Mapping[str, Sequence[tuple[str, str]]], top: Sequence[tuple[str, str]]
) -> None:
    """DIR/<lang>/index.html for each language of `listed` (its editions: slug and title, in its
    own words), and DIR/index.html, the English list (`top`), each linking every language's."""
    from translator.formats.editions import render_index

    codes = list(listed)
    for code, entries in listed.items():
        page = render_index(languages.get(code), list(entries), codes)
        write_atomically(out / code / "index.html", page.encode())
    english = languages.get(languages.SOURCE_LANGUAGE)
    page = render_index(english, list(top), codes, top=True)
    write_atomically(out / "index.html", page.encode())


def recorded_inputs(out: Path) -> dict[str, str]:
    """The hash of each file's inputs as DIR/manifest.json last recorded them (none from a
    manifest of an older shape: those files are made again once)."""
    try:
        files = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {
        name: entry["inputs"]
        for name, entry in files.items()
        if isinstance(entry, dict) and isinstance(entry.get("inputs"), str)
    }


def write_manifest(out: Path, inputs: Mapping[str, str]) -> None:
    """DIR/manifest.json: every file under DIR (but hidden ones and the manifest) with its
    SHA-256, and the hash of the inputs it was made from where `inputs` knows it."""
    files: dict[str, dict[str, str]] = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        hidden = any(part.startswith(".") for part in name.split("/"))
        if name == MANIFEST or hidden or not path.is_file():
            continue
        files[name] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        if name in inputs:
            files[name]["inputs"] = inputs[name]
    write_atomically(out / MANIFEST, json.dumps(files, indent=1, sort_keys=True).encode())


def _title(session: Session, document: Document, language: str) -> str:
    if language == languages.SOURCE_LANGUAGE:
        return document.title
    translation = session.scalar(
        select(Translation.text)
        .join(Unit)
        .where(
            Unit.document_id == document.id, Unit.type == "title", Translation.language == language
        )
    )
    return translation or document.title
