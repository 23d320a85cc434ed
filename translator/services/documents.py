"""The documents of the store: every one in order, and one found by its slug."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.models import Document
from translator.services import DeskError


class NotFound(DeskError):
    """No document has that slug."""


def listed(session: Session) -> list[Document]:
    """Every document, by slug."""
    return list(session.scalars(select(Document).order_by(Document.slug)))


def find(session: Session, slug: str) -> Document:
    """The document with this slug, or NotFound."""
    document = session.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        raise NotFound(f"no document {slug!r}")
    return document
