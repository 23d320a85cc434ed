"""The publication gate: whether an edition may be published, and why not.

An edition (document x language) is publishable when every unit is approved, no error-level
check fails, and no English changed since (the file since the last extract, a unit since
approval): services/stats.py gives the figures and the blockers; the gate runs the edition's
checks again before it asks, so that what it stores and what it decides are the same. Documents
of interface strings have no edition.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from translator.models import Document
from translator.services import DeskError, checking, stats
from translator.services.sources import STRINGS
from translator.services.stats import Blocker


def has_edition(document: Document) -> bool:
    """Whether a document is read as an edition: interface strings (kind strings) are not."""
    return document.kind != STRINGS


def blockers(
    session: Session, document: Document, language: str, root: Path | None = None
) -> list[Blocker]:
    """Why an edition may not be published yet; empty when it may (see services/stats.py). The
    gate runs the edition's checks again first, so that what it stores and what it decides are
    the same; with the content root, an English file changed since the last extract blocks."""
    checking.check_store(session, language=language, slug=document.slug)
    return list(stats.edition(session, document, language, root).blockers)


class NoEdition(DeskError):
    """The document is read as no edition (interface strings)."""


class NotPublishable(DeskError):
    """The edition may not be published yet: `blockers` say why."""

    def __init__(self, blockers: list[Blocker], message: str = "") -> None:
        self.blockers = blockers
        super().__init__(
            message
            or f"not publishable: {len(blockers)} blockers, the first: {blockers[0].message}"
        )
