"""Translation status: units and words by state, per document and language, counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from translator.models import Document, State, Translation, Unit


@dataclass(frozen=True)
class StatusRow:
    document: str
    language: str
    total: int
    untranslated: int
    needs_editing: int
    translated: int
    approved: int
    words_total: int
    words_translated: int
    percent_translated: float
    percent_approved: float


def status(
    session: Session, language: str | None = None, slug: str | None = None
) -> list[StatusRow]:
    """One row per document and language (current units only), in slug and language order.

    "Translated" in the percentages and word counts includes approved units.
    """
    done = Translation.state >= State.TRANSLATED
    query = (
        select(
            Document.slug,
            Translation.language,
            func.count(),
            *(func.sum(case((Translation.state == state, 1), else_=0)) for state in State),
            func.sum(Unit.words),
            func.sum(case((done, Unit.words), else_=0)),
        )
        .join(Unit, Unit.document_id == Document.id)
        .join(Translation, Translation.unit_id == Unit.id)
        .where(Unit.obsolete.is_(False))
        .group_by(Document.slug, Translation.language)
        .order_by(Document.slug, Translation.language)
    )
    if language:
        query = query.where(Translation.language == language)
    if slug:
        query = query.where(Document.slug == slug)
    return [_row(*values) for values in session.execute(query)]


def _row(
    slug: str,
    language: str,
    total: int,
    untranslated: int,
    needs_editing: int,
    translated: int,
    approved: int,
    words: int,
    words_done: int,
) -> StatusRow:
    return StatusRow(
        document=slug,
        language=language,
        total=total,
        untranslated=int(untranslated),
        needs_editing=int(needs_editing),
        translated=int(translated),
        approved=int(approved),
        words_total=int(words or 0),
        words_translated=int(words_done or 0),
        percent_translated=_percent(int(translated) + int(approved), total),
        percent_approved=_percent(int(approved), total),
    )


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0
