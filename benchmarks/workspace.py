"""The workspace's speed: saving a translation under 20 concurrent clients, and the translation
memory at 50,000 units against the full scan it replaced (kept here as the reference)."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.models import State, Translation, Unit
from translator.services.memory import MemoryMatch


def full_scan_memory(
    session: Session, source: str, language: str, limit: int = 5, exclude_unit: int | None = None
) -> list[MemoryMatch]:
    """The translation memory as it was: every translated row of the language read and compared
    on every lookup. The reference for speed here, and for results in the tests."""
    query = (
        select(Unit.id, Unit.source, Unit.document_id, Translation.text)
        .join(Translation, Translation.unit_id == Unit.id)
        .where(
            Translation.language == language,
            Translation.text != "",
            Translation.state >= State.TRANSLATED,
        )
    )
    rows = [row for row in session.execute(query) if row[0] != exclude_unit]
    if not rows:
        return []
    found = process.extract(
        source, [row[1] for row in rows], scorer=fuzz.ratio, score_cutoff=60, limit=limit * 3
    )
    matches = [
        MemoryMatch(rows[index][1], rows[index][3], round(score), rows[index][2])
        for _, score, index in found
    ]
    matches.sort(key=lambda m: (-(m.source == source), -m.similarity))
    return list({(m.source, m.translation): m for m in matches}.values())[:limit]
