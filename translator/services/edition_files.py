"""Built files in the database, keyed by the hash of their inputs: every web process serves them.

An edition's key hashes everything that shapes it (its text, language, draft marks, paper, the
stylesheet and the renderer's version) and the format, so an unchanged edition is rendered once
and answered at once afterwards, whichever process or machine asks. Besides the HTML page and the
PDF, an alert and the palm card are made as a share image (PNG, formats/share.py), which also
shows the campaign's name as the glossary gives it in the language.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from translator import languages
from translator.formats import editions, share
from translator.models import Document, EditionFile, GlossaryTerm, utcnow
from translator.services import DeskError, builds, gate, publications

KEPT = timedelta(days=30)  # longer than jobs are kept, so a job's file outlives it
MIMETYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "png": "image/png",
    "zip": "application/zip",
}
FORMATS = (*builds.FORMATS, "png")  # what one edition can be asked for as


@dataclass(frozen=True)
class Wanted:
    """One edition to build: what a request or a batch asks for."""

    slug: str
    language: str
    file_format: str
    draft: bool = False
    paper: str = "a4"
    assets: str | None = None  # where the HTML looks for its stylesheet; None: the default


def key_of(edition: editions.Edition, file_format: str, *, campaign: str = share.CAMPAIGN) -> str:
    """The hash of everything the file depends on (a share image: the campaign's name too)."""
    if file_format == "pdf":
        edition = replace(edition, assets=".")  # PDFs embed their stylesheet and fonts
    if file_format == "png":
        edition = replace(edition, assets=".", paper="a4", alternates=())
        file_format = f"png:{campaign}:{share.fingerprint()}"
    return hashlib.sha256(f"{builds._digest(edition)}:{file_format}".encode()).hexdigest()


def campaign_name(session: Session, language: str) -> str:
    """The campaign's name in a language as the glossary has it (English where it has none)."""
    term = session.scalar(select(GlossaryTerm).where(GlossaryTerm.english == share.CAMPAIGN))
    forms = term.forms.get(language) if term is not None else None
    return str(forms[0]) if forms else share.CAMPAIGN


def shareable(edition: editions.Edition, file_format: str) -> None:
    """Refuse (as no edition: 404) a share image of a document that gets none."""
    if file_format == "png" and not share.has_card(edition.kind):
        raise gate.NoEdition(
            f"{edition.slug} is of kind {edition.kind}: share images (edition.png) are made "
            f"for {' and '.join(share.SHARED_KINDS)} documents"
        )


def publication_key(
    frozen: editions.Edition,
    publication_id: int,
    file_format: str = "pdf",
    *,
    campaign: str = share.CAMPAIGN,
) -> str:
    """A snapshot's key: its own file, even where a live edition reads the same (the PDF's
    key is the one it always had)."""
    made = key_of(frozen, file_format, campaign=campaign)
    kind = "" if file_format == "pdf" else f":{file_format}"
    return digest(f"{made}:publication:{publication_id}{kind}".encode())


def digest(data: bytes) -> str:
    """The key of a file made from other stored files (a batch's archive): its own hash."""
    return hashlib.sha256(data).hexdigest()


def find(session: Session, key: str) -> EditionFile | None:
    return session.get(EditionFile, key)


def keep(session: Session, key: str, filename: str, data: bytes) -> None:
    """Store a built file once (a second worker that built the same file keeps the first)."""
    if not touch(session, key):
        mimetype = MIMETYPES[filename.rsplit(".", 1)[-1]]
        session.add(EditionFile(key=key, filename=filename, mimetype=mimetype, data=data))
        session.flush()


def touch(session: Session, key: str) -> bool:
    """Whether the file is stored; if so, it counts as new again (see forget_old)."""
    found = session.get(EditionFile, key)
    if found is not None:
        found.created_at = utcnow()
    return found is not None


def forget_old(session: Session) -> None:
    """Drop files built more than a month ago: an edition still wanted is simply built again."""
    session.execute(delete(EditionFile).where(EditionFile.created_at < utcnow() - KEPT))


def render(
    edition: editions.Edition, file_format: str, work: Path, *, campaign: str = share.CAMPAIGN
) -> bytes:
    """The edition as an HTML page, a PDF file or a share image (laid out in `work`)."""
    if file_format == "html":
        return builds.html_for(edition, work)
    if file_format == "pdf":
        return builds.pdf_for(edition, work)
    if file_format == "png":
        return share_image(edition, work, campaign)
    raise DeskError(f"unknown format {file_format}; use html, pdf or png")


def share_image(edition: editions.Edition, work: Path, campaign: str) -> bytes:
    """An alert or the palm card as a 1080 x 1350 PNG, with the editions' fonts (in `work`)."""
    shareable(edition, "png")
    return builds.png_for(edition, work, campaign)


def edition(session: Session, root: Path, wanted: Wanted) -> editions.Edition:
    """The edition as the store holds it now (the publication gate is the caller's)."""
    document = session.scalar(select(Document).where(Document.slug == wanted.slug))
    if document is None:
        raise DeskError(f"no document {wanted.slug!r}")
    built = builds.edition_for(session, root, document, wanted.language, wanted.draft, wanted.paper)
    return built if wanted.assets is None else replace(built, assets=wanted.assets)


def filename(wanted: Wanted) -> str:
    return f"{wanted.slug}-{wanted.language}{'-draft' if wanted.draft else ''}.{wanted.file_format}"


def publication(
    session: Session, publication_id: int, file_format: str = "pdf"
) -> tuple[editions.Edition, str]:
    """A publication's frozen edition and its file's name (a PDF, or a share image)."""
    published = publications.get(session, publication_id)
    frozen = publications.edition_of(session, published)
    shareable(frozen, file_format)
    number = published.publication
    return frozen, f"{published.document}.{number.language}.{number.number}.{file_format}"


def batch(
    session: Session,
    root: Path,
    codes: list[str],
    slugs: list[str],
    formats: list[str],
    *,
    draft: bool = False,
) -> list[Wanted]:
    """The editions a batch build makes: publishable ones (all, with draft), known formats."""
    unknown = [f for f in formats if f not in builds.FORMATS]
    if unknown:
        raise DeskError(f"unknown format {', '.join(unknown)}; use html or pdf")
    codes = codes or [languages.SOURCE_LANGUAGE, *languages.TARGET_LANGUAGES]
    wanted: list[Wanted] = []
    for document in builds._documents(session, slugs):
        if not gate.has_edition(document):
            continue
        for code in codes:
            if draft or code == languages.SOURCE_LANGUAGE:
                ok = True
            else:
                ok = not gate.blockers(session, document, code, root)
            if ok:
                wanted.extend(Wanted(document.slug, code, f, draft) for f in formats)
    return wanted


def archive(files: list[tuple[str, bytes]]) -> bytes:
    """A zip of (name, bytes), names sorted and dates fixed: the same files give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in sorted(files):
            bundle.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()
