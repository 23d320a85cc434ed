"""The documents of the store: found by slug, listed, and ordered as their translators work."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.models import Document
from translator.services.editing import NotFound


def by_slug(session: Session, slug: str) -> Document:
    """The document with this slug; `NotFound` (naming it) when there is none."""
    document = session.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        raise NotFound(f"no document {slug!r}")
    return document


_ORDERS = {"kind": (Document.kind, Document.slug), "slug": (Document.slug,)}


def listing(session: Session, order: Literal["kind", "slug"] = "kind") -> list[Document]:
    """Every document, by kind and slug (the documents page) or by slug alone (the API's list,
    and the order of its zip of catalogues)."""
    return list(session.scalars(select(Document).order_by(*_ORDERS[order])))


def by_urgency(session: Session) -> list[Document]:
    """Every document as a translator's work list orders it: urgent alerts first, by deadline;
    then the rest by date, kind and title."""
    return sorted(
        session.scalars(select(Document)),
        key=lambda d: (
            d.priority != "urgent",
            d.deadline is None,
            d.deadline or d.date or date.min,  # a strings document may have no date
            d.kind,
            d.title,
        ),
    )
