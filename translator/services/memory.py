"""Translation memory: the closest translated English units of every document, found fast.

Each process keeps an index of the store's English (every unit's source, shortest first), built
once and rebuilt when a cheap fingerprint of the units changes, so a lookup compares the query
with strings already in memory and asks the database only for the translations of the few units
similar enough. Nothing in it is needed by another process: each gunicorn worker builds its own,
and the translations themselves are always read live, so a save shows up at once.
"""

from __future__ import annotations

import bisect
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import URL, func, select
from sqlalchemy.orm import Session

from translator.models import Document, State, Translation, Unit

SIMILAR = 60  # percent: msgmerge's threshold
KEPT_INDEXES = 4  # one per database a process talks to (tests use many in turn)
Fingerprint = tuple[int, int, str]
Row = tuple[str, str, float, int, int, str]  # source, translation, score, document, unit, slug


@dataclass(frozen=True)
class MemoryMatch:
    source: str
    translation: str
    similarity: int
    document_id: int
    unit_id: int = 0  # the unit the suggestion comes from
    document: str = ""  # that unit's document's slug


@dataclass(frozen=True)
class SourceIndex:
    """The distinct English sources of the store, shortest first, with the units holding each."""

    fingerprint: Fingerprint
    texts: list[str]
    lengths: list[int]
    units: dict[str, list[int]]

    @classmethod
    def build(cls, session: Session, fingerprint: Fingerprint) -> SourceIndex:
        units: dict[str, list[int]] = {}
        for unit_id, source in session.execute(select(Unit.id, Unit.source).order_by(Unit.id)):
            units.setdefault(source, []).append(unit_id)
        texts = sorted(units, key=len)
        return cls(fingerprint, texts, [len(text) for text in texts], units)

    def similar(self, query: str) -> list[tuple[int, str, float]]:
        """(unit id, source, score) of every unit at least SIMILAR% alike, best first.

        The Indel ratio 2·common/(a+b) reaches 0.6 only when the lengths are within 3/7 and 7/3
        of each other, so only that slice of the index is compared (one more either side, so
        rounding at the threshold is left to rapidfuzz).
        """
        size = len(query)
        low = bisect.bisect_left(self.lengths, 3 * size // 7 - 1)
        high = bisect.bisect_right(self.lengths, 7 * size // 3 + 1)
        found = process.extract(
            query, self.texts[low:high], scorer=fuzz.ratio, score_cutoff=SIMILAR, limit=None
        )
        scored = [(unit, text, score) for text, score, _ in found for unit in self.units[text]]
        scored.sort(key=lambda item: (-item[2], item[0]))
        return scored


_indexes: dict[URL, SourceIndex] = {}
_lock = threading.Lock()


def fingerprint(session: Session) -> Fingerprint:
    """What the index depends on, in two cheap queries: units added or removed change the count
    or the highest id; an English text changes only through `extract`, which records each
    document's source hash, so a changed source changes the documents' hashes."""
    count, highest = session.execute(
        select(  # two subqueries, so that SQLite answers each from an index
            select(func.count()).select_from(Unit).scalar_subquery(),
            select(func.max(Unit.id)).scalar_subquery(),
        )
    ).one()
    digest = hashlib.sha256()
    for document_id, source_hash in session.execute(
        select(Document.id, Document.source_sha256).order_by(Document.id)
    ):
        digest.update(f"{document_id}:{source_hash};".encode())
    return int(count), int(highest or 0), digest.hexdigest()


def source_index(session: Session, rebuild: bool = False) -> SourceIndex:
    """This process's index of the session's database, current with the store."""
    key = session.get_bind().engine.url
    current = fingerprint(session)
    index = _indexes.get(key)
    if index is None or index.fingerprint != current or rebuild:
        with _lock:
            index = SourceIndex.build(session, current)
            _indexes.pop(key, None)
            _indexes[key] = index
            while len(_indexes) > KEPT_INDEXES:
                del _indexes[next(iter(_indexes))]
    return index


def suggest(
    session: Session,
    source: str,
    language: str,
    *,
    limit: int = 5,
    exclude_unit: int | None = None,
) -> list[MemoryMatch]:
    """The closest translated English units of every document: exact matches first, then by
    similarity (at least 60%, msgmerge's threshold); one suggestion per source and text.
    `exclude_unit` leaves out the unit being translated, whose own text is no suggestion."""
    found: list[Row] | None = None
    for rebuild in (False, True):  # rebuilt once if an English text changed under the index
        index = source_index(session, rebuild)
        found = _best_rows(session, index, source, language, limit * 3, exclude_unit)
        if found is not None:
            break
    matches = [
        MemoryMatch(text, translation, round(score), document_id, unit_id, slug)
        for text, translation, score, document_id, unit_id, slug in found or []
    ]
    matches.sort(key=lambda m: (-(m.source == source), -m.similarity))
    return list({(m.source, m.translation): m for m in matches}.values())[:limit]


def _best_rows(
    session: Session,
    index: SourceIndex,
    source: str,
    language: str,
    wanted: int,
    exclude_unit: int | None,
) -> list[Row] | None:
    """The `wanted` best (source, translation, score, document id, unit id, slug) among the
    similar units that have a translation, or None when the store's English no longer matches
    the index."""
    scored = [item for item in index.similar(source) if item[0] != exclude_unit]
    rows: list[Row] = []
    for chunk in _chunks(scored, max(wanted, 50)):
        texts = _translations(session, [unit_id for unit_id, _, _ in chunk], language)
        for unit_id, text, score in chunk:
            if unit_id not in texts:
                continue
            current, translation, document_id, slug = texts[unit_id]
            if current != text:
                return None
            rows.append((text, translation, score, document_id, unit_id, slug))
            if len(rows) == wanted:
                return rows
    return rows


def _chunks(
    items: list[tuple[int, str, float]], size: int
) -> Iterator[list[tuple[int, str, float]]]:
    """The best candidates first, in ever larger batches: most lookups need only the first."""
    start = 0
    while start < len(items):
        yield items[start : start + size]
        start, size = start + size, size * 2


def _translations(
    session: Session, unit_ids: list[int], language: str
) -> dict[int, tuple[str, str, int, str]]:
    """unit id -> (English, translation, document id, document slug) of those units translated
    in `language`."""
    # The state is compared here, not in SQL: given it, SQLite prefers the (language, state)
    # index and reads every translation of the language instead of the few units asked for.
    query = (
        select(
            Unit.id,
            Unit.source,
            Translation.text,
            Unit.document_id,
            Document.slug,
            Translation.state,
        )
        .join(Translation, Translation.unit_id == Unit.id)
        .join(Document, Document.id == Unit.document_id)
        .where(
            Unit.id.in_(unit_ids),
            Translation.language == language,
            Translation.text != "",
            Unit.source_plural.is_(None),  # plural forms are not offered as a memory
        )
    )
    return {
        unit_id: (text, translation, document_id, slug)
        for unit_id, text, translation, document_id, slug, state in session.execute(query)
        if state >= State.TRANSLATED
    }
