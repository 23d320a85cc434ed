"""Editions from the store, built: one as HTML, PDF or share image, or every publishable one into
a folder.

`build` writes only editions that pass the gate (services/gate.py) unless asked for drafts, and
renders only what changed: DIR/manifest.json holds each file's SHA-256 and, for an edition, the
hash of its inputs. The index pages and the manifest are written as `translator pull`'s site
has them (services/static_site.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator import languages
from translator.formats import editions, markdown, share, standalone
from translator.models import Document, State, Translation, Unit
from translator.services import DeskError, editing, gate
from translator.services.files import write_atomically
from translator.services.static_site import recorded_inputs, write_indexes, write_manifest

FORMATS = ("html", "pdf")  # every edition's files
SHARE_IMAGE = "png"  # an alert's and the palm card's share image too (formats/share.py)
BUILT = (*FORMATS, SHARE_IMAGE)  # what `build` writes
RENDERER_VERSION = "3"  # bump when templates change in a way the inputs do not show


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
    """The edition as the store holds it now; one that goes out as published (not a draft, not
    the English) carries the correction note of its latest publication while that is current."""
    source = localised_source(session, root, document, language, draft)
    correction = None
    if not draft and language != languages.SOURCE_LANGUAGE:
        # imported here: publications freezes its snapshots with this module
        from translator.services import publications

        correction = publications.current_correction(session, document.id, language)
    return edition_from_source(
        document, language, source, draft, paper, alternates, correction=correction
    )


def edition_from_source(
    document: Document,
    language: str,
    source: str,
    draft: bool,
    paper: str = "a4",
    alternates: Iterable[str] = (),
    *,
    correction: editions.Correction | None = None,
) -> editions.Edition:
    """An edition from its localised Markdown (made now, or frozen in a publication), with its
    correction note if it is a correction."""
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
        correction=correction,
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
    formats: Iterable[str] = BUILT,
    draft: bool = False,
    paper: str = "a4",
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Write DIR/<lang>/<slug>.html|.pdf and, for an alert or the palm card, .png (its share
    image), DIR/<lang>/index.html and DIR/index.html."""
    wanted_formats = [f for f in formats]
    unknown = [f for f in wanted_formats if f not in BUILT]
    if unknown:
        raise DeskError(f"unknown format {', '.join(unknown)}; use html, pdf or png")
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
    jobs: list[Rendering] = []
    for document in documents:
        built = [code for code in codes if publishable[(document.slug, code)]]
        for code in codes:
            name = f"{code}/{document.slug}"
            if not publishable[(document.slug, code)]:
                first = found[(document.slug, code)]
                report.blocked.append((name, f"{len(first)} blockers, first: {first[0].message}"))
                continue
            edition = edition_for(session, root, document, code, draft, paper, built)
            for file_format in wanted_formats:
                if file_format == SHARE_IMAGE and not share.has_card(document.kind):
                    continue  # share images are made of alerts and the palm card only
                target = f"{name}.{file_format}"
                digest = _inputs(session, edition, file_format)
                if manifest.get(target) == digest and (out / target).is_file():
                    report.unchanged.append(target)
                    continue
                manifest[target] = digest
                if file_format == "html":
                    write_atomically(out / target, editions.render_html(edition).encode())
                    report.rendered.append(target)
                else:
                    jobs.append(_rendering(session, out, target, edition, file_format))
    _render_files(out, jobs, progress)
    report.rendered.extend(target for target, _, _ in jobs)
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


# a file laid out in another process: (its name in DIR, the function, the function's arguments)
Rendering = tuple[str, Callable[..., bytes], tuple[Any, ...]]


def _inputs(session: Session, edition: editions.Edition, file_format: str) -> str:
    """The hash of what a file is made from. A share image's is the desk's own
    (edition_files.key_of: the campaign's name and the card's look too), so that the desk and a
    build agree on when it changed."""
    if file_format != SHARE_IMAGE:
        return _digest(edition)
    # imported here: edition_files keeps built files with this module
    from translator.services import edition_files

    campaign = edition_files.campaign_name(session, edition.language.code)
    return edition_files.key_of(edition, file_format, campaign=campaign)


def _rendering(
    session: Session, out: Path, target: str, edition: editions.Edition, file_format: str
) -> Rendering:
    """How to lay out a PDF or a share image in another process."""
    if file_format == "pdf":
        page = editions.render_html(edition, for_print=True)
        base = (out / edition.language.code).resolve().as_uri() + "/"
        return target, editions.render_pdf, (page, base)
    from translator.services import edition_files

    campaign = edition_files.campaign_name(session, edition.language.code)
    return target, png_for, (edition, out, campaign)


def _render_files(
    out: Path, jobs: list[Rendering], progress: Callable[[int, int], None] | None
) -> None:
    """Lay out the PDFs and share images on every core, each written as it is done."""
    if not jobs:
        return
    workers = min(len(jobs), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(function, *arguments) for _, function, arguments in jobs]
        for done, ((target, _, _), future) in enumerate(zip(jobs, futures, strict=True), start=1):
            write_atomically(out / target, future.result())
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


def png_for(edition: editions.Edition, work: Path, campaign: str) -> bytes:
    """An alert or the palm card as its share image (formats/share.py): a 1080 x 1350 PNG laid
    out with the editions' fonts copied into work/assets."""
    assets = copy_assets(work)
    pdf = share.render_pdf(share.card(edition, campaign), assets.resolve().as_uri() + "/")
    return share.to_png(pdf)


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
